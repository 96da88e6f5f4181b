"""The lab's verdicts, this tree beside another (a worktree of the commit before a refactoring):
one lab started, scanned by each tree into its own evidence folder, then each tree's evaluation
compared result by result. A refactoring that changes no verdict prints "identical" and exits
0; otherwise each difference is listed and it exits 1. Root only (the lab).

    git worktree add /tmp/base <commit>
    sudo .venv/bin/python tools/lab_verdicts_side_by_side.py --base /tmp/base

The lab's verdicts depend on the machine it runs on (its packages, its network), so they are
compared between trees on one machine at one time, never against a file kept from elsewhere;
the sample agencies' verdicts are held still by tests/integration/test_verdicts_unchanged.py."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from egov_audit import lab as lab_module  # noqa: E402


def _scan(tree: Path, inventory: Path, evidence: Path) -> dict[str, str]:
    """`scan` with `tree`'s egov-audit: each (control, target)'s status."""
    env = {**os.environ, "PYTHONPATH": str(tree), "EGOV_AUDIT_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "egov_audit", "scan", str(inventory),
                           "--evidence", str(evidence), "--timeout", "20", "-f", "json",
                           "--fail-on", "none"], capture_output=True, text=True, env=env,
                          cwd=tree, check=False, timeout=900)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: scan failed: {done.stderr[-2000:]}")
    return {f"{r['control']} {r['target']}": r["status"]
            for r in json.loads(done.stdout)["results"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, required=True, help="the other tree")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="egov-side-by-side-") as work:
        state = Path(work) / "state"
        started = lab_module.up(lab_module.SERVERS + lab_module.FAULTS, state)
        try:
            this = _scan(REPO, started.inventory, Path(work) / "this")
            base = _scan(args.base.resolve(), started.inventory, Path(work) / "base")
        finally:
            lab_module.down(state)
    differ = sorted(k for k in this.keys() | base.keys() if this.get(k) != base.get(k))
    print(f"{len(this)} results here, {len(base)} in {args.base}: "
          + ("identical" if not differ else f"{len(differ)} differ"))
    for key in differ:
        print(f"  {key}: {base.get(key, '-')} -> {this.get(key, '-')}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
