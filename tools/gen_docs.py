"""Regenerate what is written from the catalogue: docs/requirements/*.md, a page per control
(docs/controls/, with the control's own test cases as its examples), the catalogue block of
README.md, and the sample gap report of docs/getting-started.md (from a real run of
`egov-audit validate` on the sample province). Run after changing policies/ or
reference_models/: `make docs`.
tests/unit/report/test_matrix.py fails while the committed files are out of date."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from egov_audit.checks.vocabulary import load_catalogue  # noqa: E402
from egov_audit.report.control_pages import control_pages  # noqa: E402
from egov_audit.report.matrix import catalogue_summary, requirement_documents  # noqa: E402
from tests.unit.checks.test_catalogue import CASES  # noqa: E402

BEGIN = "<!-- catalogue:begin (tools/gen_docs.py writes this block) -->\n"
END = "<!-- catalogue:end -->\n"


def readme_with(summary: str, readme: str) -> str:
    head, sep, rest = readme.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise SystemExit("README.md has no catalogue block")
    return head + BEGIN + summary + END + tail


SAMPLE_BEGIN = "<!-- sample:begin (tools/gen_docs.py writes this block from a real run) -->\n"
SAMPLE_END = "<!-- sample:end -->\n"
SAMPLE_COMMAND = ("validate", "inventories/song-lam", "--lang", "en")
SAMPLE_LINES = 26  # the header, the scores and the first gaps


def sample_report() -> str:
    """The first lines of the sample province's gap report, as the command prints them."""
    import subprocess

    done = subprocess.run([sys.executable, "-m", "egov_audit", *SAMPLE_COMMAND, "--fail-on",
                           "none"], capture_output=True, text=True, cwd=REPO, check=True,
                          env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "100"})
    lines = done.stdout.splitlines()[:SAMPLE_LINES]
    return ("```text\n$ egov-audit " + " ".join(SAMPLE_COMMAND) + "\n" + "\n".join(lines)
            + "\n ...\n```\n")


def with_block(text: str, begin: str, end: str, block: str) -> str:
    head, sep, rest = text.partition(begin)
    _, sep2, tail = rest.partition(end)
    if not sep or not sep2:
        raise SystemExit(f"no block {begin.strip()}")
    return head + begin + block + end + tail


def write_folder(folder: Path, wanted: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for stale in set(p.name for p in folder.glob("*.md")) - set(wanted):
        (folder / stale).unlink()
    for name, text in wanted.items():
        (folder / name).write_text(text, "utf-8")


def main() -> None:
    policy = load_catalogue(REPO / "policies", REPO / "reference_models")
    folder = REPO / "docs" / "requirements"
    wanted = requirement_documents(policy)
    write_folder(folder, wanted)
    write_folder(REPO / "docs" / "controls", control_pages(policy, CASES))
    readme = REPO / "README.md"
    readme.write_text(readme_with(catalogue_summary(policy), readme.read_text("utf-8")), "utf-8")
    guide = REPO / "docs" / "getting-started.md"
    guide.write_text(with_block(guide.read_text("utf-8"), SAMPLE_BEGIN, SAMPLE_END,
                                sample_report()), "utf-8")
    print(f"wrote {len(wanted)} files in {folder.relative_to(REPO)} and README.md's catalogue")


if __name__ == "__main__":
    main()
