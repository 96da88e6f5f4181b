"""Benchmark of the readers' peak memory on the worst inputs an attacker can send (issue 29):
each case runs in a new process, which prints its own peak resident size (ru_maxrss) beside
the size of the input and, for JSON, the strict reader's estimate.

- strict JSON reader: 20 MB documents of the densest shapes (empty objects, empty arrays,
  zeros, two-letter strings, one-key objects, nested arrays) read with the memory estimate
  switched off, against the estimate it would have made: the estimate must never be below the
  peak;
- `collect` of a batch with a 120 MB `[{},{},...]` bundle among good ones, under a 3 GB
  address-space limit: the hog refused from its count, the good ones stored, the peak;
- the registry reader on a valid file at the size limit (64 MB of records);
- the YAML reader on a 16 MB flow sequence of zeros (the inventory size limit).

    .venv/bin/python benchmarks/bench_memory.py [--json-mb 20] [--hog-mb 120]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SHAPES = {"empty objects": b"{},", "empty arrays": b"[],", "zeros": b"0,",
          "two-letter strings": b'"ab",', "one-key objects": b'{"a":0},', "nested": b"[[[0]]],"}

_PEAK = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)"

_JSON = """
import sys
from egov_audit.gates import jsonin, memory
raw = open(sys.argv[1], "rb").read()
_, containers, values = jsonin._skeleton(raw)
print(memory.estimate(len(raw), containers, values))
jsonin.shortfall = lambda need: None  # measured, not refused
value = jsonin.loads(raw)
""" + _PEAK

_REGISTRY = """
import sys
from pathlib import Path
from egov_audit.network.registry import read_registry
print(read_registry(Path(sys.argv[1])).count("ipv4"))
""" + _PEAK

_YAML = """
import sys
from pathlib import Path
from egov_audit.errors import InventoryError
from egov_audit.yamlsource import load_yaml
try:
    load_yaml(Path(sys.argv[1]), sys.argv[1], InventoryError)
    print("read")
except InventoryError as exc:
    print("refused: " + exc.message[:90])
""" + _PEAK


def _child(code: str, *args: str, limit: int | None = None) -> list[str]:
    prefix = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))\n" \
        if limit else ""
    proc = subprocess.run([sys.executable, "-c", prefix + code, *args], capture_output=True,
                          text=True, check=False, cwd=REPO, timeout=3600)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {proc.stderr[-1500:]}")
    return proc.stdout.split()


def _mb(value: float) -> str:
    return f"{value / 2**20:,.0f} MB"


def _dense(path: Path, unit: bytes, megabytes: int) -> Path:
    count = megabytes * 2**20 // len(unit)
    with path.open("wb") as out:
        out.write(b"[")
        for _ in range(count // 100_000):
            out.write(unit * 100_000)
        out.write(unit.rstrip(b",") + b"]")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json-mb", type=int, default=20)
    parser.add_argument("--hog-mb", type=int, default=120)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="egov-bench-memory-") as tmp:
        work = Path(tmp)
        print(f"strict JSON reader, {args.json_mb} MB documents (estimate off, measured):")
        for name, unit in SHAPES.items():
            path = _dense(work / "doc.json", unit, args.json_mb)
            estimate, peak = map(int, _child(_JSON, str(path)))
            print(f"  {name:20} peak {_mb(peak):>9} ({peak / path.stat().st_size:5.1f}x the "
                  f"file)  estimate {_mb(estimate):>9}  estimate/peak {estimate / peak:.2f}")
        hog = _dense(work / "hog.json", b"{},", args.hog_mb)
        print(f"collect of 3 good bundles and a {args.hog_mb} MB [{{}},...] bundle, under a 3 GB "
              "limit:")
        good = _signed_bundles(work)
        code = ("import sys; from egov_audit.cli import main; sys.argv[0] = 'egov-audit'\n"
                "try:\n    main()\nexcept SystemExit as exc:\n    print('exit', exc.code)\n"
                + _PEAK)
        out = _child(code, "collect", *map(str, [good[0], hog, good[1], good[2]]), "--db",
                     str(work / "n.db"), "--keys", str(work / "registry"), "--lang", "en",
                     limit=3 * 2**30)
        print(f"  stored {out.count('stored')}, exit {out[out.index('exit') + 1]}, peak "
              f"{_mb(int(out[-1]))}")
        if out.count("stored") != 3:
            raise SystemExit(f"the good bundles were not all stored: {' '.join(out)[-600:]}")
        from benchmarks.gen_registry import generate

        registry = work / "registry.txt"
        lines = 600_000  # about 31 MB (the generator's filler runs out past 620,000 lines)
        generate(registry, lines=lines)
        _, peak = _child(_REGISTRY, str(registry))
        print(f"registry reader, a valid {_mb(registry.stat().st_size)} file ({lines:,} lines):"
              f" peak {_mb(int(peak))} ({int(peak) / registry.stat().st_size:.1f}x)")
        flow = work / "flow.yml"
        flow.write_text("a: [" + "0," * (8 * 2**20 - 4) + "0]\n")
        said = _child(_YAML, str(flow))
        print(f"YAML reader, a {_mb(flow.stat().st_size)} flow sequence of zeros: "
              f"{' '.join(said[:-1])}; peak {_mb(int(said[-1]))}")


def _signed_bundles(work: Path) -> list[Path]:
    """The three sample agencies' bundles, signed; their keys in work/registry."""
    registry = work / "registry"
    registry.mkdir()
    out = []
    for agency in ("song-lam", "bo-hts", "ha-son"):
        for argv in (["keygen", "--agency", agency, "--out", str(work / "keys")],
                     ["validate", str(REPO / "inventories" / agency), "-f", "json", "-o",
                      str(work / f"{agency}.json"), "--fail-on", "none"],
                     ["sign", str(work / f"{agency}.json"), "--key",
                      str(work / "keys" / f"{agency}.key")]):
            subprocess.run([sys.executable, "-m", "egov_audit", *argv], check=True, cwd=REPO,
                           capture_output=True)
        (registry / f"{agency}.pub").write_bytes((work / "keys" / f"{agency}.pub").read_bytes())
        out.append(work / f"{agency}.signed.json")
    json.loads(out[0].read_text())  # readable
    return out


if __name__ == "__main__":
    main()
