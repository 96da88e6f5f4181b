"""Benchmark of the RPKI evidence (issue 34): reading a national-size VRP file (a ROA for each of
Vietnam's delegations in the synthetic registry file of APNIC's size, gen_registry.py, written as
rpki-client writes its JSON) side by side with reading a registry statistics file of the same
number of records (those same delegations), interleaved rounds, medians; then route origin
validation of each agency's blocks against it.

    python benchmarks/bench_rpki.py [--rounds 5] [--agencies 700] [--lines 100000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_validate import machine  # noqa: E402
from benchmarks.gen_registry import generate as generate_registry  # noqa: E402
from egov_audit.ipnet import format_addr, parse_net  # noqa: E402
from egov_audit.network.registry import read_registry  # noqa: E402
from egov_audit.network.rpki import read_vrps  # noqa: E402

DELEGATED = ("allocated", "assigned")


def national_files(registry: Path, vn_registry: Path, vrps: Path) -> int:
    """From the APNIC-size file: Vietnam's delegations as a registry file of their own, and a VRP
    file with a ROA for each (origin: an ASN of the holder's, as an agency's own ROA names)."""
    lines = registry.read_text().splitlines()
    vn = [line for line in lines if line.startswith("apnic|VN|")
          and line.split("|")[6] in DELEGATED]
    counts = {kind: sum(1 for r in vn if r.split("|")[2] == kind)
              for kind in ("asn", "ipv4", "ipv6")}
    head = [f"2.3|apnic|20261201|{len(vn)}|19830613|20261130|+1000",
            *(f"apnic|*|{kind}|*|{n}|summary" for kind, n in counts.items())]
    vn_registry.write_text("\n".join([*head, *vn]) + "\n")
    roas = []
    for number, record in enumerate(vn):
        _, _, kind, start, value, *_ = record.split("|")
        if kind == "asn":
            continue
        length = 32 - (int(value).bit_length() - 1) if kind == "ipv4" else int(value)
        prefix = parse_net(f"{start}/{length}")
        # the agencies' two blocks come first, in their order: agency i's origin is 64496 + i % 16
        roas.append({"asn": 64496 + (number // 2) % 16,
                     "prefix": f"{format_addr(prefix.version, prefix.first)}/{length}",
                     "maxLength": length, "ta": "apnic", "expires": 1798761600})
    # rpki-client's layout: the metadata, then one ROA a line
    body = ",\n".join("\t\t" + json.dumps(r) for r in roas)
    metadata = json.dumps({"buildmachine": "bench", "buildtime": "2026-12-01T06:00:00Z",
                           "roas": len(roas), "vrps": len(roas), "uniquevrps": len(roas)})
    vrps.write_text(f'{{\n\t"metadata": {metadata},\n\t"roas": [\n{body}\n\t],\n'
                    '\t"bgpsec_keys": [],\n\t"nonfunc_cas": [],\n\t"aspas": []\n}\n')
    return len(roas)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--agencies", type=int, default=700)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()

    print(f"machine: {machine()}")
    data = HERE / ".data"
    registry = data / "delegated-apnic-extended-synthetic"
    generate_registry(registry, args.agencies, args.lines)
    vn_registry, vrp_file = data / "delegated-apnic-extended-vn", data / "vrps-vn.json"
    roas = national_files(registry, vn_registry, vrp_file)
    records = read_registry(vn_registry).records
    print(f"Vietnam's delegations: registry file {records} records, "
          f"{vn_registry.stat().st_size / 1e6:.2f} MB; VRP file {roas} ROAs, "
          f"{vrp_file.stat().st_size / 1e6:.2f} MB")
    blocks = [parse_net(f"{20 + i // 256}.{i % 256}.0.0/16") for i in range(args.agencies)]
    blocks += [parse_net(f"2001:db8:{i:x}::/48") for i in range(args.agencies)]

    registry_reads, vrp_reads, validations = [], [], []
    states: dict[str, int] = {}
    for _ in range(args.rounds):
        start = time.perf_counter()
        read_registry(vn_registry)
        registry_reads.append(time.perf_counter() - start)

        start = time.perf_counter()
        vrps = read_vrps(vrp_file)
        vrp_reads.append(time.perf_counter() - start)

        start = time.perf_counter()
        states = {}
        for index, block in enumerate(blocks):  # agency i's IPv4 block, then its IPv6 block
            state = vrps.validate(block, 64496 + index % args.agencies % 16).state
            states[state] = states.get(state, 0) + 1
        validations.append(time.perf_counter() - start)

    registry_read, vrp_read, validation = (statistics.median(t) for t in
                                           (registry_reads, vrp_reads, validations))
    print(f"read and check the registry file:  median {registry_read * 1000:.1f} ms")
    print(f"read and check the VRP file:       median {vrp_read * 1000:.1f} ms "
          f"(ratio to the registry file {vrp_read / registry_read:.2f}; the target: 2 at most)")
    print(f"validate {len(blocks)} blocks (RFC 6811): median {validation * 1000:.1f} ms "
          f"({validation / len(blocks) * 1e6:.1f} µs a block); states {states}")


if __name__ == "__main__":
    main()
