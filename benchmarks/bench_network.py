"""Benchmark of reading router configurations (issue 14): 1,000 Cisco IOS backups of about
2,000 lines each, parsed into network fact bundles (secrets removed, TTP template, every fact
with its line), against a plain read of the same files (bytes, decoded, split into lines), side
by side in one run, rounds interleaved.

    .venv/bin/python benchmarks/bench_network.py [--devices 1000] [--rounds 3]

Evaluating the facts against the network controls comes with the controls."""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.bench_validate import machine  # noqa: E402
from egov_audit.network.parse import network_fact_bundle  # noqa: E402


def ios_backup(index: int, interfaces: int = 290) -> str:
    """A realistic edge router: management plane, many interfaces, ACLs, BGP, secrets."""
    out = ["version 17.9", f"hostname edge{index:04d}", "service password-encryption",
           f"enable secret 9 $9$secret{index}", f"username admin privilege 15 secret 9 $9$a{index}",
           "ip ssh version 2", "no ip http server", "ip http secure-server", "aaa new-model",
           f"snmp-server community c{index} RO", "logging host 10.50.90.5",
           "ntp server 10.50.90.6", "banner motd ^C Authorized only ^C", "!"]
    for i in range(interfaces):
        out += [f"interface GigabitEthernet1/0/{i}", f" description access port {i}",
                f" ip address 10.{index % 250}.{i % 250}.1 255.255.255.0",
                f" ip access-group ACL{i % 40} in", " no shutdown", "!"]
    for i in range(40):
        out += [f"ip access-list extended ACL{i}",
                f" 10 permit tcp 10.0.{i}.0 0.0.0.255 any eq 443",
                " 20 permit udp any any eq 53", " 30 deny ip any any log", "!"]
    out += ["router bgp 64512", " bgp router-id 10.0.0.1",
            " neighbor 192.0.2.1 remote-as 64500", " neighbor 192.0.2.1 password 7 0822bgp",
            " neighbor 198.51.100.1 remote-as 64501", " address-family ipv4",
            "  network 203.0.113.0 mask 255.255.255.0", " exit-address-family", "!",
            "line vty 0 4", " transport input ssh", " access-class MGMT in", "!", "end"]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="egov-bench-network-"))
    try:
        for index in range(args.devices):
            (work / f"edge{index:04d}.cfg").write_text(ios_backup(index))
        files = sorted(work.glob("*.cfg"))
        lines = sum(len(f.read_text().splitlines()) for f in files)
        plain, parsed = [], []
        for _ in range(args.rounds):
            start = time.perf_counter()
            for path in files:
                path.read_bytes().decode("utf-8").splitlines()
            plain.append(time.perf_counter() - start)
            start = time.perf_counter()
            for path in files:
                network_fact_bundle(path.stem, path.read_bytes(), str(path), "now")
            parsed.append(time.perf_counter() - start)
        print(f"machine: {machine()}")
        print(f"{len(files)} IOS backups, {lines / len(files):.0f} lines each on average, "
              f"{args.rounds} rounds, medians:")
        p, q = statistics.median(plain), statistics.median(parsed)
        print(f"  plain read (bytes, decode, split lines):   {p:.3f} s")
        print(f"  network fact bundles (redact, parse, lines): {q:.2f} s "
              f"({1000 * q / len(files):.1f} ms a device)")
        print(f"  ratio: {q / p:.0f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
