"""Benchmark of reading router configurations (issue 14): 1,000 Cisco IOS backups of about
2,000 lines each, parsed into network fact bundles (secrets removed, TTP template, every fact
with its line), against a plain read of the same files (bytes, decoded, split into lines), side
by side in one run, rounds interleaved.

    .venv/bin/python benchmarks/bench_network.py [--devices 1000] [--rounds 3]

Then the same bundles are evaluated: every control that reads device configurations (the
NETDEV-* management plane of each device, and the declared plan against all of them: zone
subnets on interfaces, firewall separation, BGP) for an agency that declares the 1,000 routers,
at level 5."""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.bench_validate import machine  # noqa: E402
from egov_audit.network.parse import network_fact_bundle  # noqa: E402

REPO = HERE.parent


def agency_with_devices(folder: Path, names: list[str]) -> Path:
    """The compliant test agency, declaring these routers."""
    import yaml

    shutil.copytree(REPO / "tests" / "fixtures" / "inventories" / "compliant", folder)
    hosts = yaml.safe_load((folder / "hosts.yml").read_text())
    hosts["all"]["children"]["network_devices"]["hosts"] = {
        name: {"role": "router", "ansible_network_os": "cisco.ios.ios"} for name in names}
    (folder / "hosts.yml").write_text(yaml.safe_dump(hosts))
    return folder


def evaluate_devices(inventory: Path, bundles: dict[str, dict[str, Any]]) -> tuple[float, int]:
    """Seconds to evaluate every device-reading control, and how many results it gave."""
    from egov_audit.checks.context import AuditOptions, CheckContext
    from egov_audit.checks.evaluate import evaluate_agency, reads
    from egov_audit.checks.vocabulary import load_catalogue
    from egov_audit.inventory import load_inventory
    from egov_audit.network.backups import DeviceBackup
    from egov_audit.network.evidence import device_evidence
    from egov_audit.network.kinds import DEVICE_CONFIG

    policy = load_catalogue()
    loaded = load_inventory(inventory, known_roles=set(policy.model("network")["roles"]))
    devices = {name: device_evidence(DeviceBackup(name, name, bundle))
               for name, bundle in bundles.items()}
    ctx = CheckContext(loaded, policy, loaded.agency.baseline, 5, AuditOptions(True),
                       found={DEVICE_CONFIG.name: devices})
    controls = [c for c in policy.controls if DEVICE_CONFIG.name in reads(c)]
    start = time.perf_counter()
    results = evaluate_agency(ctx, controls)
    return time.perf_counter() - start, len(results)


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
        plain, parsed, evaluated = [], [], []
        inventory = agency_with_devices(work / "agency", [f.stem for f in files])
        count = 0
        for _ in range(args.rounds):
            start = time.perf_counter()
            for path in files:
                path.read_bytes().decode("utf-8").splitlines()
            plain.append(time.perf_counter() - start)
            start = time.perf_counter()
            bundles = {path.stem: network_fact_bundle(path.stem, path.read_bytes(), str(path),
                                                      "2026-12-01T00:00:00Z")
                       for path in files}
            parsed.append(time.perf_counter() - start)
            seconds, count = evaluate_devices(inventory, bundles)
            evaluated.append(seconds)
        print(f"machine: {machine()}")
        print(f"{len(files)} IOS backups, {lines / len(files):.0f} lines each on average, "
              f"{args.rounds} rounds, medians:")
        p, q = statistics.median(plain), statistics.median(parsed)
        print(f"  plain read (bytes, decode, split lines):   {p:.3f} s")
        print(f"  network fact bundles (redact, parse, lines): {q:.2f} s "
              f"({1000 * q / len(files):.1f} ms a device)")
        e = statistics.median(evaluated)
        print(f"  evaluate the device controls ({count:,} results): {e:.2f} s "
              f"({1000 * e / len(files):.1f} ms a device)")
        print(f"  ratio, parse / plain read: {q / p:.0f}; parse + evaluate / plain read: "
              f"{(q + e) / p:.0f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
