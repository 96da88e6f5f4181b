"""Benchmark of evaluating a large agency's saved evidence (issue 31 targets): `egov-audit
evaluate` of 50,000 hosts' fact bundles within 4x of merely `json.load`-ing the same bundles on
one process, at least 1.7x faster with two worker processes than with one, in at most 500 MB
(the peak resident memory of each is printed).

The bundles are a real lab server's (profile `server`: the machine's own package lists, apt's
cache on), scanned once at the start (root: the lab), or `--template FILE` (any fact bundle).
Each host gets it with its own name and address, a third of them with gaps and one in fifty
unreachable, written as the collection writes them (indented, keys sorted). Each measurement
is a new process, interleaved round by round: json.load of every bundle, then `evaluate -f
json -o` (the result bundle written as it is made). Beside it, the same at a tenth of the hosts,
and the same tenth kept in memory (`-f json` to a pipe, the path of the other formats), to show
what grows with the hosts and what does not; and what evaluate cannot skip: the evidence gate
alone (strict reader, schema, digest; a new process) and encoding the results alone (json.dumps
of the tenth's bundle).

    sudo .venv/bin/python benchmarks/bench_evaluate.py [--hosts 50000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_validate import machine  # noqa: E402

LOAD_ALL = """
import json, os, sys
folder = sys.argv[1]
for name in sorted(os.listdir(folder)):
    with open(os.path.join(folder, name), "rb") as handle:
        json.load(handle)
"""

# the part of the floor evaluate cannot skip: every bundle through the gate evidence passes
# (bounded read, strict JSON reader, the fact-bundle schema, the digest results name)
STRICT_ALL = """
import hashlib, os, sys
from pathlib import Path
from egov_audit.gates.filein import read_bytes
from egov_audit.gates.jsonin import loads
from egov_audit.schemas import is_valid
folder = Path(sys.argv[1])
for name in sorted(os.listdir(folder)):
    raw = read_bytes(folder / name, name, ValueError, 1 << 24)
    assert is_valid(loads(raw), "fact-bundle")
    hashlib.sha256(raw).hexdigest()
"""


# evaluate on one process under cProfile: where the time goes, what a target left open needs
PROFILE = """
import cProfile, io, pstats, sys
from egov_audit.cli import main
profile = cProfile.Profile()
profile.enable()
try:
    main(sys.argv[1:])
except SystemExit:
    pass
profile.disable()
out = io.StringIO()
pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(18)
sys.stderr.write("@@profile@@" + out.getvalue())
"""


def profile(command: list[str]) -> str:
    """The top of one process's profile (internal time) for `egov-audit` `command[1:]`."""
    proc = subprocess.run([sys.executable, "-c", PROFILE, *command[1:]], capture_output=True,
                          text=True, check=False)
    text = proc.stderr.split("@@profile@@", 1)[-1]
    table = text[text.find("   ncalls"):]
    return "\n".join("    " + line.replace(str(REPO) + "/", "")[:150]
                     for line in table.splitlines() if line.strip())


def lab_bundle(work: Path) -> dict[str, Any]:
    """One real server's fact bundle, scanned from a lab host of profile `server`."""
    from egov_audit import lab

    host = lab.LabHost("srv00", "127.0.8.10", "server", "servers", "application")
    started = lab.up((host,), work / "lab")
    try:
        evidence = work / "lab-evidence"
        proc = subprocess.run([str(Path(sys.executable).parent / "egov-audit"), "scan",
                               str(started.inventory), "--evidence", str(evidence), "-f", "json",
                               "-o", str(work / "lab.json"), "--fail-on", "none"],
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr[-2000:]
        bundle: dict[str, Any] = json.loads((evidence / "srv00.json").read_text())
        assert bundle["status"] == "collected", bundle.get("reason")
        return bundle
    finally:
        lab.down(started.state)


def _retarget(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_retarget(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _retarget(v, old, new) for k, v in value.items()}
    return value


def write_fleet(work: Path, hosts: int, template: dict[str, Any]) -> tuple[Path, Path]:
    """An inventory of `hosts` servers and a bundle for each, as the collection writes them."""
    inventory = work / "inv"
    shutil.copytree(REPO / "tests/fixtures/inventories/compliant", inventory)
    evidence = work / "evidence"
    evidence.mkdir()
    old_name = template["host"]
    lines = ["all:", "  hosts:"]
    for i in range(hosts):
        name, address = f"srv{i:05d}", f"10.50.10.{i % 250 + 1}"
        lines.append(f"    {name}: {{zone: servers, role: application, ansible_host: {address}}}")
        if i % 50 == 49:
            bundle: dict[str, Any] = {
                "schema": template["schema"], "host": name, "status": "unreachable",
                "reason": "ssh: connect to host: Connection timed out",
                "collected_at": template["collected_at"]}
        else:
            bundle = _retarget(template, old_name, name)
            bundle["host"] = name
            facts = bundle["facts"]
            for interface in facts.get("interfaces", []):
                if interface.get("name") == "eth0":
                    interface["addresses"] = [f"{address}/24"]
            if i % 3 == 0:  # typical gaps
                facts["sshd"]["permitrootlogin"] = "yes"
                facts["firewall"]["active"] = False
                facts["login_defs"]["pass_max_days"] = 99999
        (evidence / f"{name}.json").write_text(
            json.dumps(bundle, ensure_ascii=False, indent=2, sort_keys=True))
    (inventory / "hosts.yml").write_text("\n".join(lines) + "\n")
    return inventory, evidence


def measured(command: list[str]) -> tuple[float, float]:
    """Seconds and peak resident memory (MB) of one new process (its output to /dev/null)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read() if proc.stderr else b""
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, (command[:4], stderr[-2000:])
    return seconds, usage.ru_maxrss / 1024


def tail_scores(path: Path) -> dict[str, Any]:
    """The scores of a streamed bundle, read from its end (not the whole 1.5 GB file)."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - (32 << 20)))
        tail = handle.read().decode("utf-8", "replace")
    start = tail.rindex('"scores":') + len('"scores":')
    start += len(tail[start:]) - len(tail[start:].lstrip())  # a small bundle is indented
    scores: dict[str, Any] = json.JSONDecoder().raw_decode(tail, start)[0]
    return scores


def encoding(bundle: Path, rounds: int = 3) -> float:
    """Seconds the version 2 writer takes for a result bundle's results (the median of
    `rounds`): what writing the results costs with no evaluation at all."""
    from egov_audit.bundle import read_result_set, write_bundle

    (whole,) = read_result_set(bundle).bundles
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        write_bundle(io.BytesIO(), whole)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(hosts: int, rounds: int, template: dict[str, Any], work: Path) -> None:
    tenth = max(1, hosts // 10)
    fleets = {n: write_fleet(work / f"fleet{n}", n, template) for n in (hosts, tenth)}
    size = sum(p.stat().st_size for p in fleets[hosts][1].iterdir())
    exe = str(Path(sys.executable).parent / "egov-audit")
    env_python = [sys.executable, "-c", LOAD_ALL]
    times: dict[str, list[tuple[float, float]]] = {}

    def evaluate(n: int, out: Path | None, workers: int = 1) -> list[str]:
        inventory, evidence = fleets[n]
        command = [exe, "evaluate", str(inventory), "--evidence", str(evidence),
                   "--documentation-as-public", "-f", "json", "--fail-on", "none",
                   "--workers", str(workers)]
        return command + (["-o", str(out)] if out else [])

    for _ in range(rounds):
        for name, command in (("load", [*env_python, str(fleets[hosts][1])]),
                              ("strict", [sys.executable, "-c", STRICT_ALL,
                                          str(fleets[hosts][1])]),
                              ("stream", evaluate(hosts, work / "big.json")),
                              ("stream2", evaluate(hosts, work / "big2.json", workers=2)),
                              ("load10", [*env_python, str(fleets[tenth][1])]),
                              ("stream10", evaluate(tenth, work / "small.json")),
                              ("kept10", evaluate(tenth, None))):
            times.setdefault(name, []).append(measured(command))

    def med(name: str) -> tuple[float, float]:
        return (statistics.median(t for t, _ in times[name]),
                max(m for _, m in times[name]))

    results = sum(tail_scores(work / "big.json")["counts"].values())
    assert (work / "big.json").stat().st_size == (work / "big2.json").stat().st_size
    load, stream, strict = med("load"), med("stream"), med("strict")
    stream2 = med("stream2")
    encode = encoding(work / "small.json")
    load10, stream10, kept10 = med("load10"), med("stream10"), med("kept10")
    print(f"{hosts} hosts' fact bundles ({size / 1e6:.0f} MB, a real lab server's, a third with "
          f"gaps, 1 in 50 unreachable), {rounds} interleaved rounds, medians, peak memory:")
    print(f"  json.load of every bundle:            {load[0]:6.2f} s  {load[1]:6.0f} MB")
    print(f"  egov-audit evaluate -f json -o FILE --workers 1:  {stream[0]:6.2f} s  "
          f"{stream[1]:6.0f} MB  ratio {stream[0] / load[0]:.2f} (target <= 4), {results} "
          f"results, {(work / 'big.json').stat().st_size / 1e6:.0f} MB bundle")
    print(f"  the same, --workers 2:  {stream2[0]:6.2f} s  {stream2[1]:6.0f} MB (the largest "
          f"of its processes)  {stream[0] / stream2[0]:.2f}x faster than one (target >= 1.7)")
    print(f"  of which it cannot skip: the evidence gate (strict reader, schema, digest) alone "
          f"{strict[0]:.2f} s, ratio {strict[0] / load[0]:.2f}")
    print(f"  the same at {tenth} hosts:")
    print(f"  json.load of every bundle:            {load10[0]:6.2f} s  {load10[1]:6.0f} MB")
    print(f"  egov-audit evaluate -f json -o FILE:  {stream10[0]:6.2f} s  {stream10[1]:6.0f} MB"
          f"  ratio {stream10[0] / load10[0]:.2f}")
    print(f"  evaluate -f json to a pipe (kept):    {kept10[0]:6.2f} s  {kept10[1]:6.0f} MB")
    print(f"  writing those hosts' results alone (the version 2 writer): {encode:.2f} s, ratio "
          f"{encode / load10[0]:.2f} to their json.load")
    print(f"  where one process spends its time at {tenth} hosts (cProfile, internal time; "
          f"the profiler slows it):")
    print(profile(evaluate(tenth, work / "profiled.json")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--template", type=Path,
                        help="a fact bundle to copy (default: scan a lab server; needs root)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    work = Path(tempfile.mkdtemp(prefix="egov-bench-evaluate-"))
    try:
        template = json.loads(args.template.read_text()) if args.template \
            else lab_bundle(work)
        run(args.hosts, args.rounds, template, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
