"""Benchmark of the registry evidence (issue 15): reading a registry statistics file of the real
one's size (about 100,000 records, synthetic: gen_registry.py) and checking 700 agencies against
it (NET-REG-01..04 per agency, NET-REG-05 across all), side by side with a plain line count of the
same file, interleaved rounds, medians:

    python benchmarks/bench_registry.py [--rounds 5] [--agencies 700] [--lines 100000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_validate import machine  # noqa: E402
from benchmarks.gen_national import generate as generate_plan  # noqa: E402
from benchmarks.gen_registry import generate as generate_registry  # noqa: E402
from egov_audit.audit import _gc_paused  # noqa: E402
from egov_audit.checks.context import AuditOptions, CheckContext, NationalContext  # noqa: E402
from egov_audit.checks.registry import (  # noqa: E402
    national_registry_holders,
    registry_asn,
    registry_blocks,
    registry_one_holder,
    registry_provider_blocks,
)
from egov_audit.checks.vocabulary import load_catalogue  # noqa: E402
from egov_audit.inventory import load_inventory  # noqa: E402
from egov_audit.network.kinds import REGISTRY_FILE  # noqa: E402
from egov_audit.network.registry import read_registry  # noqa: E402

CHECKS = {"NET-REG-01": registry_asn, "NET-REG-02": registry_blocks,
          "NET-REG-03": registry_one_holder, "NET-REG-04": registry_provider_blocks}


def line_count(path: Path) -> int:
    """The floor: read the file line by line and count (no parsing at all)."""
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--agencies", type=int, default=700)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()

    print(f"machine: {machine()}")
    plan = HERE / ".data" / "registry-plan"
    generate_plan(plan, args.agencies, 20_000)
    registry_file = HERE / ".data" / "delegated-apnic-extended-synthetic"
    lines = generate_registry(registry_file, args.agencies, args.lines)
    size = registry_file.stat().st_size
    print(f"registry file: {lines} lines, {size / 1e6:.1f} MB; {args.agencies} agencies")

    policy = load_catalogue()
    controls = {c.id: c for c in policy.controls}
    options = AuditOptions(documentation_as_public=True)
    contexts = [CheckContext(inv, policy, inv.agency.baseline, inv.agency.level, options)
                for inv in (load_inventory(p, set(policy.model("network")["roles"]))
                            for p in sorted(plan.iterdir()) if p.is_dir())]

    counts, wcs, reads, audits = [], [], [], []
    statuses: dict[str, int] = {}
    for _ in range(args.rounds):
        start = time.perf_counter()
        assert line_count(registry_file) == lines
        counts.append(time.perf_counter() - start)

        start = time.perf_counter()
        subprocess.run(["wc", "-l", str(registry_file)], check=True, capture_output=True)
        wcs.append(time.perf_counter() - start)

        start = time.perf_counter()
        read_registry(registry_file)
        reads.append(time.perf_counter() - start)

        with _gc_paused():
            start = time.perf_counter()
            registry = read_registry(registry_file)
            statuses = {}
            for ctx in contexts:
                ctx.with_found(REGISTRY_FILE, registry)
                for control_id, check in CHECKS.items():
                    for finding in check(ctx, controls[control_id], {}):
                        statuses[finding.status.value] = statuses.get(finding.status.value, 0) + 1
            national = national_registry_holders(
                NationalContext(contexts, policy, options, registry), controls["NET-REG-05"], {})
            audits.append(time.perf_counter() - start)
        assert national[0].status.value == "fail"  # the generated plan shares its 16 ASNs

    count, wc, read, audit = (statistics.median(t) for t in (counts, wcs, reads, audits))
    print(f"results per round: {statuses} + national {national[0].status.value}")
    print(f"plain line count (Python, line by line): median {count * 1000:.1f} ms")
    print(f"`wc -l` as a command:                    median {wc * 1000:.1f} ms")
    print(f"read and check the registry file:        median {read:.3f} s "
          f"(ratio to the line count {read / count:.0f})")
    print(f"read it and check {len(contexts)} agencies:        median {audit:.3f} s "
          f"(ratio to the line count {audit / count:.0f})")


if __name__ == "__main__":
    main()
