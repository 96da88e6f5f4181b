"""Regenerate what is written from the catalogue: docs/requirements/*.md and the catalogue block
of README.md. Run after changing policies/ or reference_models/: `make docs`.
tests/unit/report/test_matrix.py fails while the committed files are out of date."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from egov_audit.checks.vocabulary import load_catalogue  # noqa: E402
from egov_audit.report.matrix import catalogue_summary, requirement_documents  # noqa: E402

BEGIN = "<!-- catalogue:begin (tools/gen_docs.py writes this block) -->\n"
END = "<!-- catalogue:end -->\n"


def readme_with(summary: str, readme: str) -> str:
    head, sep, rest = readme.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise SystemExit("README.md has no catalogue block")
    return head + BEGIN + summary + END + tail


def main() -> None:
    policy = load_catalogue(REPO / "policies", REPO / "reference_models")
    folder = REPO / "docs" / "requirements"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = requirement_documents(policy)
    for stale in set(p.name for p in folder.glob("*.md")) - set(wanted):
        (folder / stale).unlink()
    for name, text in wanted.items():
        (folder / name).write_text(text, "utf-8")
    readme = REPO / "README.md"
    readme.write_text(readme_with(catalogue_summary(policy), readme.read_text("utf-8")), "utf-8")
    print(f"wrote {len(wanted)} files in {folder.relative_to(REPO)} and README.md's catalogue")


if __name__ == "__main__":
    main()
