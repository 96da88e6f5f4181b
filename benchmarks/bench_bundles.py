"""Benchmark of the result bundle's two versions (issue 31 targets), side by side on the same
results:

- bytes per host: version 2 <= 1/5 of version 1, on the sample agencies and on fleets of a real
  lab server's fact bundle (what one more host adds: the difference between two fleet sizes);
- `sign` and `collect` of one 5,000-host bundle: peak resident memory <= 256 MB each, whatever
  the size (version 1 beside it, a new process each, as the command line runs them).

    sudo .venv/bin/python benchmarks/bench_bundles.py [--hosts 5000] [--template FILE]

The fleet's fact bundles are a lab server's (profile `server`), scanned at the start (root), or
`--template FILE`; each host gets it with its own name and address, a third with gaps, one in
fifty unreachable (benchmarks/bench_evaluate.py writes them).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_evaluate import lab_bundle, write_fleet  # noqa: E402
from benchmarks.bench_validate import machine  # noqa: E402
from egov_audit.audit import AuditRequest, evaluate_into  # noqa: E402
from egov_audit.bundle import bundle_to_dict, read_result_set, write_bundle  # noqa: E402
from egov_audit.checks.context import AuditOptions  # noqa: E402
from egov_audit.checks.vocabulary import load_catalogue  # noqa: E402
from egov_audit.models import Bundle  # noqa: E402
from egov_audit.pipeline import Run  # noqa: E402

EXE = str(Path(sys.executable).parent / "egov-audit")


def sizes(bundle: Bundle) -> tuple[int, int]:
    """Bytes of a bundle as version 1 (compact JSON, as large bundles were written) and 2."""
    v1 = len(json.dumps(bundle_to_dict(bundle), ensure_ascii=False,
                        separators=(",", ":")).encode())
    out = io.BytesIO()
    write_bundle(out, bundle)
    return v1, len(out.getvalue())


def samples() -> None:
    print("The sample agencies (validate, --documentation-as-public: no host evidence):")
    for agency in ("song-lam", "ha-son", "bo-hts"):
        run = Run(AuditRequest([REPO / "inventories" / agency], options=AuditOptions(True)))
        (bundle,) = run.validate().bundles
        v1, v2 = sizes(bundle)
        print(f"  {agency:9} {len(bundle.results):4} results: version 1 {v1 / 1e3:7.1f} KB, "
              f"version 2 {v2 / 1e3:6.1f} KB, ratio {v2 / v1:.2f}; their results alone "
              f"{results_alone(bundle)}")


def results_alone(bundle: Bundle) -> str:
    """The bytes of the results without the controls' descriptions (titles, rationale,
    references), which both versions carry once: what grows with the targets."""
    v1 = len(json.dumps(bundle_to_dict(bundle)["results"], ensure_ascii=False,
                        separators=(",", ":")).encode())
    out = io.BytesIO()
    write_bundle(out, bundle)
    v2 = sum(len(line) for line in out.getvalue().splitlines(keepends=True)
             if line.startswith((b"[", b'{"control":', b'{"message":', b'{"target":')))
    return f"{v1 / 1e3:.1f} KB and {v2 / 1e3:.1f} KB, ratio {v2 / v1:.2f}"


def fleet_bundle(work: Path, hosts: int, template: dict[str, Any]) -> Path:
    inventory, evidence = write_fleet(work / f"fleet{hosts}", hosts, template)
    out = work / f"bundle{hosts}.json"
    evaluate_into(AuditRequest([inventory], options=AuditOptions(True), workers=1), evidence,
                  out, policy=load_catalogue())
    shutil.rmtree(evidence)
    return out


def per_host(work: Path, hosts: int, template: dict[str, Any]) -> Path:
    small, large = max(1, hosts // 10), hosts
    files = {n: fleet_bundle(work, n, template) for n in (small, large)}
    measured = {}
    for n, path in files.items():
        (bundle,) = read_result_set(path).bundles
        measured[n] = sizes(bundle)
        print(f"  {n:6} hosts, {len(bundle.results):8} results: version 1 "
              f"{measured[n][0] / 1e6:8.1f} MB, version 2 {measured[n][1] / 1e6:6.1f} MB")
    v1 = (measured[large][0] - measured[small][0]) / (large - small)
    v2 = (measured[large][1] - measured[small][1]) / (large - small)
    print(f"  one more host adds: version 1 {v1 / 1e3:.1f} KB, version 2 {v2 / 1e3:.2f} KB, "
          f"ratio {v2 / v1:.3f} (target <= 0.2)")
    return files[large]


# run from a small process of its own: a child forked from this benchmark (which holds a whole
# version 1 bundle) would count this process's pages in its peak before it execs
_MEASURE = """
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(proc.pid, 0)
seconds = time.perf_counter() - start
print(json.dumps([os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss / 1024,
                  proc.stderr.read().decode(errors="replace")[-2000:]]))
"""


def measured(command: list[str]) -> tuple[float, float]:
    """Seconds and peak resident memory (MB) of one new process."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True,
                          text=True, check=True)
    code, seconds, peak, stderr = json.loads(done.stdout)
    assert code == 0, (command[:3], stderr)
    return seconds, peak


def sign_and_collect(work: Path, v2: Path) -> None:
    (bundle,) = read_result_set(v2).bundles
    v1 = work / "v1.json"
    v1.write_text(json.dumps(bundle_to_dict(bundle), ensure_ascii=False,
                             separators=(",", ":")))
    del bundle
    keys, registry = work / "keys", work / "registry"
    subprocess.run([EXE, "keygen", "--agency", "compliant", "--out", str(keys)], check=True,
                   capture_output=True)
    registry.mkdir()
    shutil.copy(keys / "compliant.pub", registry / "compliant.pub")
    print(f"sign and collect of one bundle ({v2.stat().st_size / 1e6:.0f} MB as version 2, "
          f"{v1.stat().st_size / 1e6:.0f} MB as version 1), a new process each, peak memory:")
    for name, path in (("version 1", v1), ("version 2", v2)):
        signed = work / f"{path.stem}.signed.json"
        sign_s, sign_mb = measured([EXE, "sign", str(path), "--key",
                                    str(keys / "compliant.key"), "-o", str(signed)])
        db = work / f"{path.stem}.db"
        collect_s, collect_mb = measured([EXE, "collect", str(signed), "--db", str(db),
                                          "--keys", str(registry)])
        print(f"  {name}: sign {sign_s:5.1f} s {sign_mb:6.0f} MB; collect {collect_s:5.1f} s "
              f"{collect_mb:6.0f} MB")
    print("  target: <= 256 MB each (version 2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=5_000)
    parser.add_argument("--template", type=Path,
                        help="a fact bundle to copy (default: scan a lab server; needs root)")
    args = parser.parse_args()
    os.environ.setdefault("EGOV_AUDIT_LANG", "en")
    print(f"machine: {machine()}")
    work = Path(tempfile.mkdtemp(prefix="egov-bench-bundles-"))
    try:
        template = json.loads(args.template.read_text()) if args.template \
            else lab_bundle(work)
        samples()
        print(f"Fleets of a lab server's fact bundle ({args.hosts // 10} and {args.hosts} "
              "hosts; a third with gaps, one in fifty unreachable):")
        large = per_host(work, args.hosts, template)
        sign_and_collect(work, large)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
