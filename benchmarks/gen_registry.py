"""Generate a synthetic registry statistics file of the size APNIC publishes (about 100,000
records, `delegated-apnic-extended-latest` format): the 700 generated agencies' resources (see
gen_national.py) among filler delegations of the region, available and reserved space, comments,
summaries. Deterministic. Used by bench_registry.py.

    python benchmarks/gen_registry.py OUT_FILE [--agencies 700] [--lines 100000]
"""

from __future__ import annotations

import argparse
import ipaddress
from pathlib import Path

COUNTRIES = ["AU", "CN", "JP", "IN", "ID", "KR", "VN", "TH", "PH", "MY", "SG", "NZ", "BD", "HK"]
STATUSES = ["allocated", "allocated", "assigned", "available", "reserved"]


def _record(kind: str, start: str, value: int, cc: str, date: str, status: str,
            holder: str) -> str:
    if status in ("available", "reserved"):
        cc, date, holder = ("", "", "") if status == "available" else ("ZZ", date, "")
    return f"apnic|{cc}|{kind}|{start}|{value}|{date}|{status}|{holder}"


def generate(out: Path, agencies: int = 700, lines: int = 100_000) -> int:
    records: list[str] = []
    for i in range(agencies):  # the generated plan's blocks: 20.x.y.0/16 and 2001:db8:i::/48
        holder = f"A9AG{i:04d}"
        a, b = 20 + i // 256, i % 256
        records.append(_record("ipv4", f"{a}.{b}.0.0", 65536, "VN", "20190315", "allocated",
                               holder))
        records.append(_record("ipv6", f"2001:db8:{i:x}::", 48, "VN", "20190315", "allocated",
                               holder))
    for j in range(16):  # the plan's ASNs, 64496-64511
        records.append(_record("asn", str(64496 + j), 1, "VN", "20190315", "allocated",
                               f"A9AG{j:04d}"))
    filler = max(0, lines - len(records) - 12)
    v4 = int(ipaddress.IPv4Address("1.0.0.0"))
    n4 = n6 = 0
    for k in range(filler):
        cc = COUNTRIES[k % len(COUNTRIES)]
        status = STATUSES[k % len(STATUSES)]
        date = f"{2000 + k % 26}{1 + k % 12:02d}{1 + k % 28:02d}"
        holder = f"A9{k % 40000:06X}"
        if k % 20 < 10:  # half IPv4, /22s upwards from 1.0.0.0 (below the agencies' 20/8)
            start = str(ipaddress.IPv4Address(v4 + n4 * 1024))
            n4 += 1
            records.append(_record("ipv4", start, 1024, cc, date, status, holder))
        elif k % 20 < 17:
            records.append(_record("ipv6", f"{0x2400 + n6 // 65536:x}:{n6 % 65536:x}::", 32,
                                   cc, date, status, holder))
            n6 += 1
        else:
            records.append(_record("asn", str(131072 + k), 1, cc, date, status, holder))
    counts = {kind: sum(1 for r in records if r.split("|")[2] == kind)
              for kind in ("asn", "ipv4", "ipv6")}
    head = [f"2.3|apnic|20261201|{len(records)}|19830613|20261130|+1000",
            "# synthetic, for benchmarks: the format of delegated-apnic-extended-latest",
            *(f"apnic|*|{kind}|*|{n}|summary" for kind, n in counts.items())]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join([*head, *records]) + "\n")
    return len(head) + len(records)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--agencies", type=int, default=700)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    print(generate(args.out, args.agencies, args.lines), "lines")
