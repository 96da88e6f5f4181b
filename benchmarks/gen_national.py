"""Generate a national plan: N agency inventories with P prefixes in all (blocks + zone subnets),
deterministic, with a few planted overlaps inside and across agencies. Each agency also holds a
/24 of the specialized data network (TSLCD, private space allocated centrally) with two subnets
inside it: NET-IP-05 compares those across agencies too. Used by bench_validate.py.

    python benchmarks/gen_national.py OUT_DIR [--agencies 700] [--prefixes 100000]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

KINDS = ["perimeter", "dmz", "internal_server", "database", "internal", "wireless", "management"]


def _agency(root: Path, index: int, subnets_per_agency: int, plant_overlap: bool) -> int:
    code = f"agency-{index:04d}"
    inv = root / code
    (inv / "group_vars/all").mkdir(parents=True)
    a, b = 20 + index // 256, index % 256
    v4_block = f"{a}.{b}.0.0/16"
    v6_block = f"2001:db8:{index:x}::/48"
    zones = []
    count = 0
    per_zone = max(1, -(-subnets_per_agency // len(KINDS)))  # ceiling: at least the target
    for z, kind in enumerate(KINDS):
        subnets = []
        for s in range(per_zone):
            n = z * per_zone + s
            if n % 2 == 0:
                subnets.append(f"{a}.{b}.{n // 2 % 256}.0/24")
            else:
                subnets.append(f'"2001:db8:{index:x}:{n:x}::/64"')
            count += 1
        zones.append(f"    - {{name: z{z}, kind: {kind}, vlan: {z + 10}, separated_by: firewall, "
                     f"subnets: [{', '.join(subnets)}]}}")
    tslcd = f"172.{16 + index // 256}.{index % 256}"
    zones[4] = zones[4].replace("subnets: [", f"subnets: [{tslcd}.0/26, {tslcd}.64/26, ")
    count += 2
    blocks = [f"    - {{prefix: {v4_block}, allocated_by: VNNIC}}",
              f'    - {{prefix: "{v6_block}", allocated_by: VNNIC}}',
              f"    - {{prefix: {tslcd}.0/24, allocated_by: TSLCD}}"]
    if index % 100 == 13:  # the specialized network's space handed out twice
        blocks.append(f"    - {{prefix: 172.{16 + (index + 1) // 256}.{(index + 1) % 256}.0/24, "
                      "allocated_by: TSLCD}")
    if plant_overlap:  # a block copied from the next agency's plan
        blocks.append(f"    - {{prefix: {20 + (index + 1) // 256}.{(index + 1) % 256}.128.0/17, "
                      "allocated_by: VNPT}")
    count += len(blocks)
    (inv / "group_vars/all/agency.yml").write_text(
        f"agency:\n  code: {code}\n  name: {{vi: \"Đơn vị {index}\", en: \"Agency {index}\"}}\n"
        f"  kind: {'province' if index % 3 else 'ministry'}\n  baseline: tcvn-11930-2017\n"
        f"  level: {2 + index % 3}\n")
    (inv / "group_vars/all/network.yml").write_text(
        f"network:\n  asn: {64496 + index % 16}\n  address_blocks:\n" + "\n".join(blocks)
        + "\n  zones:\n" + "\n".join(zones)
        + "\n  uplinks:\n    - {kind: internet, provider: VNPT}\n"
        "    - {kind: tslcd, provider: CPO}\n"
        "  services:\n    soc: {connected: true}\n    lgsp: {ngsp_connected: true}\n")
    (inv / "group_vars/all/server_rooms.yml").write_text(
        "server_rooms:\n  - id: main\n    location: {basement: false, top_floor: false}\n"
        "    fire: {automatic_detection: true, automatic_suppression: true}\n"
        "    cctv: {installed: true, retention_days: 90}\n")
    (inv / "hosts.yml").write_text(
        "all:\n  hosts:\n"
        f"    web01: {{zone: z1, role: web_portal, ansible_host: {a}.{b}.1.10}}\n"
        f"    db01: {{zone: z3, role: database, ansible_host: {a}.{b}.5.10}}\n")
    return count


def generate(out: Path, agencies: int = 700, prefixes: int = 100_000) -> int:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    # three blocks and two TSLCD subnets per agency, the rest subnets
    per_agency = max(1, -(-prefixes // agencies) - 5)
    total = 0
    for i in range(agencies):
        total += _agency(out, i, per_agency, plant_overlap=i % 100 == 7)
    return total


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--agencies", type=int, default=700)
    parser.add_argument("--prefixes", type=int, default=100_000)
    args = parser.parse_args()
    print(generate(args.out, args.agencies, args.prefixes), "prefixes")
