"""Benchmark of the portal probe (issue 16): 700 agencies' portals (one each,
p0000.bench.example ...) served by the lab internet's nginx on four addresses (many names on a
few servers, as hosting providers serve agencies), their zone signed, resolved through the lab's
validating Unbound. Root only: everything runs inside the lab internet's own namespace.

Side by side, interleaved rounds, medians:
- per portal: `egov-audit probe` of a sample of portals one at a time (DNS with DNSSEC, IPv4
  and IPv6, every TLS version's suites and every certificate by sslyze, https and http GETs),
  against sslyze's own scan of the same portal (its CLI, the same scan commands), and one plain
  TLS handshake with `openssl s_client` to the same server and name (a process each, as a
  script would run it): the ratio; and against one verified handshake in-process (Python's
  ssl, no process start): the probe's cost in handshakes;
- one mail domain (bo-hts's: SPF by pyspf, DMARC, DKIM, MTA-STS, its exchanger's STARTTLS with
  every version and certificate by sslyze, TLSA) against sslyze's own STARTTLS scan of its
  exchanger (the CLI, `--starttls smtp`): the ratio;
- all 700 portals with `egov-audit probe` (the CLI, evaluation and report included) at the
  documented concurrency: the wall time and the time per portal.

    sudo .venv/bin/python benchmarks/bench_probe.py [--portals 700] [--sample 40] [--rounds 3]
                                                    [--concurrency 16]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_validate import machine  # noqa: E402
from benchmarks.gen_national import generate as generate_plan  # noqa: E402
from egov_audit.lab import portals as internet_lab  # noqa: E402


def _declare(plan: Path, count: int) -> list[Path]:
    """Each generated agency declares one portal of the benchmark zone."""
    inventories = sorted(p for p in plan.iterdir() if p.is_dir())[:count]
    for index, inventory in enumerate(inventories):
        network = inventory / "group_vars" / "all" / "network.yml"
        network.write_text(network.read_text().rstrip("\n") + "\n  portals:\n"
                           f'    - {{kind: web_portal, url: "https://'
                           f'{internet_lab.bench_name(index)}/"}}\n')
    return inventories


def _inside(internet: internet_lab.Internet, *command: str,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **internet.environment()}
    proc = subprocess.run([*internet.command(), *command], capture_output=True, text=True,
                          env=env, check=False, cwd=REPO, timeout=3600)
    if check and proc.returncode not in (0, 1):
        raise SystemExit(f"{command[:4]} failed: {proc.stderr[-1500:]}")
    return proc


_PER_PORTAL = """
import json, sys, time
from pathlib import Path
from egov_audit.inventory import load_inventory
from egov_audit.portal.probe import ProbeOptions, probe
import socket, ssl
options = ProbeOptions(sys.argv[1], Path(sys.argv[2]), 5.0, 1, allow_private=True,
                       trust_anchor=Path(sys.argv[2]).parent / "root.key")
portals = [load_inventory(Path(p)).network.portals[0] for p in sys.argv[4:]]
servers = sys.argv[3].split(",")
times, plain, statuses = [], [], set()
context = ssl.create_default_context(cafile=sys.argv[2])
for portal, server in zip(portals, servers):
    started = time.perf_counter()
    statuses.add(probe(portal, options)["status"])
    times.append(time.perf_counter() - started)
    started = time.perf_counter()  # the floor in-process: one verified handshake, no more
    with context.wrap_socket(socket.create_connection((server, 443)),
                             server_hostname=portal.host):
        pass
    plain.append(time.perf_counter() - started)
print(json.dumps({"times": times, "plain": plain, "statuses": sorted(statuses)}))
"""

# sslyze's own scan of the same portal, as its users run it (the CLI, a process each): every
# version's suites, the certificates, the curves, renegotiation, compression and 0-RTT: what
# the probe asks of it
_SSLYZE = """
import json, subprocess, sys, time
times = []
for name, address in zip(sys.argv[2::2], sys.argv[3::2]):
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sslyze", "--sslv2", "--sslv3", "--tlsv1",
                           "--tlsv1_1", "--tlsv1_2", "--tlsv1_3", "--certinfo",
                           "--elliptic_curves", "--reneg", "--compression", "--early_data",
                           "--certinfo_ca_file", sys.argv[1], f"{name}:443{{{address}}}"],
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    times.append(time.perf_counter() - started)
    assert done.returncode == 0 and b"SCANS COMPLETED" in done.stdout, done.stdout[-600:]
print(json.dumps({"times": times}))
"""

_MAIL = """
import json, subprocess, sys, time
from pathlib import Path
from egov_audit.inventory import load_inventory
from egov_audit.portal.probe import ProbeOptions, probe
options = ProbeOptions(sys.argv[1], Path(sys.argv[2]), 5.0, 1, allow_private=True,
                       trust_anchor=Path(sys.argv[2]).parent / "root.key")
portal = next(p for p in load_inventory(Path(sys.argv[3])).network.portals if not p.is_web)
times, own = [], []
for _ in range(int(sys.argv[6])):
    started = time.perf_counter()
    found = probe(portal, options)
    times.append(time.perf_counter() - started)
    assert found["facts"]["mail"]["exchangers"][0]["starttls"], found
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sslyze", "--starttls", "smtp", "--sslv2",
                           "--sslv3", "--tlsv1", "--tlsv1_1", "--tlsv1_2", "--tlsv1_3",
                           "--certinfo", "--certinfo_ca_file", sys.argv[2],
                           f"{sys.argv[4]}:25{{{sys.argv[5]}}}"],
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    own.append(time.perf_counter() - started)
    assert done.returncode == 0 and b"SCANS COMPLETED" in done.stdout, done.stdout[-600:]
print(json.dumps({"times": times, "sslyze": own}))
"""

_HANDSHAKES = """
import json, subprocess, sys, time
times = []
for name, address in zip(sys.argv[1::2], sys.argv[2::2]):
    started = time.perf_counter()
    done = subprocess.run(["openssl", "s_client", "-connect", f"{address}:443", "-servername",
                           name], stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    times.append(time.perf_counter() - started)
    assert b"BEGIN CERTIFICATE" in done.stdout or done.returncode == 0, done.stderr[-300:]
print(json.dumps({"times": times}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--portals", type=int, default=700)
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench_probe needs root: the lab internet is a network namespace")

    print(f"machine: {machine()}")
    plan = HERE / ".data" / "probe-plan"
    generate_plan(plan, args.portals, args.portals * 8)
    inventories = _declare(plan, args.portals)
    with tempfile.TemporaryDirectory(prefix="egov-bench-probe-") as tmp:
        started = time.perf_counter()
        internet = internet_lab.up(Path(tmp) / "state", bench=args.portals)
        print(f"lab internet with {args.portals} portal names up in "
              f"{time.perf_counter() - started:.1f} s")
        try:
            sample = inventories[:args.sample]
            names = [internet_lab.bench_name(i) for i in range(len(sample))]
            servers = [internet_lab.BENCH_SERVERS[i % len(internet_lab.BENCH_SERVERS)].ipv4
                       for i in range(len(sample))]
            pairs = [x for pair in zip(names, servers, strict=True) for x in pair]
            probe_each: list[float] = []
            in_process: list[float] = []
            handshake: list[float] = []
            sslyze: list[float] = []
            everything: list[float] = []
            mail_each: list[float] = []
            mail_sslyze: list[float] = []
            for round_number in range(args.rounds):
                got = json.loads(_inside(internet, sys.executable, "-c", _PER_PORTAL,
                                         internet_lab.RESOLVER, str(internet.ca_file),
                                         ",".join(servers), *map(str, sample)).stdout)
                assert got["statuses"] == ["collected"], got["statuses"]
                probe_each.append(statistics.median(got["times"]))
                in_process.append(statistics.median(got["plain"]))
                got = json.loads(_inside(internet, sys.executable, "-c", _MAIL,
                                         internet_lab.RESOLVER, str(internet.ca_file),
                                         str(REPO / "inventories" / "bo-hts"),
                                         internet_lab.MX.name, internet_lab.MX.ipv4,
                                         str(max(3, args.sample // 8))).stdout)
                mail_each.append(statistics.median(got["times"]))
                mail_sslyze.append(statistics.median(got["sslyze"]))
                got = json.loads(_inside(internet, sys.executable, "-c", _HANDSHAKES,
                                         *pairs).stdout)
                handshake.append(statistics.median(got["times"]))
                got = json.loads(_inside(internet, sys.executable, "-c", _SSLYZE,
                                         str(internet.ca_file), *pairs).stdout)
                sslyze.append(statistics.median(got["times"]))
                out = Path(tmp) / f"evidence-{round_number}"
                started = time.perf_counter()
                proc = _inside(internet, sys.executable, "-m", "egov_audit", "probe",
                               *map(str, inventories), "--evidence", str(out),
                               "--concurrency", str(args.concurrency), "-f", "json", "-o",
                               str(Path(tmp) / "probe.json"), "--fail-on", "none",
                               "--documentation-as-public", "--allow-private", "--lang", "en")
                everything.append(time.perf_counter() - started)
                assert f"{args.portals} probed" in proc.stderr, proc.stderr[-800:]
                print(f"  round {round_number + 1}: probe {probe_each[-1] * 1000:.1f} ms, "
                      f"handshake in-process {in_process[-1] * 1000:.1f} ms, "
                      f"s_client {handshake[-1] * 1000:.1f} ms, sslyze CLI "
                      f"{sslyze[-1] * 1000:.1f} ms, mail {mail_each[-1] * 1000:.1f} ms, "
                      f"sslyze STARTTLS {mail_sslyze[-1] * 1000:.1f} ms, "
                      f"all {everything[-1]:.1f} s")
        finally:
            internet_lab.down(Path(tmp) / "state")
    each, shake, total, floor, own = (statistics.median(v) for v in (
        probe_each, handshake, everything, in_process, sslyze))
    print(f"one portal, everything probed: {each * 1000:.1f} ms (median of {args.sample} "
          f"portals, {args.rounds} rounds)")
    print(f"one plain TLS handshake, openssl s_client: {shake * 1000:.1f} ms")
    print(f"ratio probe / s_client handshake: {each / shake:.2f}")
    print(f"sslyze's own scan of the same portal (its CLI: every version's suites, the "
          f"certificates, curves, renegotiation, compression, 0-RTT): {own * 1000:.1f} ms; "
          f"ratio probe / sslyze: {each / own:.2f}")
    print(f"one verified TLS handshake in-process (Python ssl, the floor without a process "
          f"start): {floor * 1000:.1f} ms; ratio probe / that: {each / floor:.1f}")
    mail, mail_own = statistics.median(mail_each), statistics.median(mail_sslyze)
    print(f"one mail domain, everything probed (SPF, DMARC, DKIM, MTA-STS, STARTTLS with every "
          f"version and certificate, TLSA): {mail * 1000:.1f} ms; sslyze's own STARTTLS scan "
          f"of its exchanger: {mail_own * 1000:.1f} ms; ratio probe / sslyze: "
          f"{mail / mail_own:.2f}")
    print(f"{args.portals} agencies' portals, egov-audit probe --concurrency "
          f"{args.concurrency}: {total:.1f} s ({total / args.portals * 1000:.1f} ms a portal, "
          f"the CLI, evaluation and report included)")


if __name__ == "__main__":
    main()
