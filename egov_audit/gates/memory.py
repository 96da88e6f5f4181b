"""What a document will cost in memory, told before it is built. A JSON or YAML text becomes
Python objects many times its size, and a hostile one is built for it: 60 MB of `[{},{},...]`
is twenty million dicts, 1.9 GB. The readers count the arrays, objects and values of a text in
their C-speed structural scan, estimate the memory they would take, and refuse the text when
that is more than this process may still use (its address-space limit, `ulimit -v`, or the
machine's available memory), with the file named, before one object is made. What the
estimate misses is caught as a MemoryError by the batch loops, one item at a time."""

from __future__ import annotations

import resource

# what CPython spends, at most and with what a reader adds, on one array or object and on one
# other value (a dict with its hash table and the list of pairs the strict reader checks; a
# str, int or float object and its slot): measured on the worst documents
# (benchmarks/bench_memory.py), rounded up
PER_CONTAINER = 100
PER_VALUE = 64
BASE = 64 * 1024  # the reader's own working memory, whatever the document
PER_BYTE = 6  # the text itself: raw bytes, decoded str, the structural scan's copies
_PAGE = resource.getpagesize()


def estimate(size: int, containers: int, values: int) -> int:
    """Bytes a document of `size` bytes with these counts may take once built."""
    return BASE + size * PER_BYTE + containers * PER_CONTAINER + values * PER_VALUE


def _vm_size() -> int:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[0]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _available_on_machine() -> int | None:
    try:
        with open("/proc/meminfo", "rb") as meminfo:
            for line in meminfo:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def available() -> int | None:
    """Bytes this process may still allocate: the smaller of what its address-space limit
    leaves and what the machine has available; None when neither can be told."""
    limits: list[int] = []
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limits.append(max(0, soft - _vm_size()))
    machine = _available_on_machine()
    if machine is not None:
        limits.append(machine)
    return min(limits) if limits else None


def shortfall(need: int) -> tuple[int, int] | None:
    """(needed MB, available MB) when `need` bytes are more than may be allocated, else None."""
    have = available()
    if have is None or need <= have:
        return None
    return need // 2**20 + 1, have // 2**20
