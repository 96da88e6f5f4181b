"""Work spread over every core: an ordered map over forked worker processes.

`in_order(work, items, workers)` gives `work(item)` for each item, in the items' order, computed
by `workers` processes forked from this one: they inherit what the caller already loaded (the
catalogue, the inventory, the evidence folder's index), so only each item and its answer cross
between processes. At most two items a worker are in flight: a slow reader of the answers
holds a few of them, never all. With one worker, or one item, nothing is forked; nor in a
process that runs other threads (a fork copies their locks, held or not: a child could wait
forever on one), where the items are worked through here, one after the other.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

Item = TypeVar("Item")
Answer = TypeVar("Answer")

# what a forked worker runs: set by in_order just before it forks (a closure cannot be pickled,
# and need not be: the child has it already)
_WORK: Callable[[Any], Any] | None = None


def _run(item: Any) -> Any:
    assert _WORK is not None, "set before the workers were forked"
    return _WORK(item)


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Whether this process may fork workers safely: the platform forks, and no other thread
    runs (ansible-runner's, a test runner's) whose locks a child would inherit. Linux lists
    every thread of the process, those Python's threading module did not start included."""
    # multiprocessing: only when there is work to share (a cold validate never loads it)
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return threading.active_count() == 1


def in_order(work: Callable[[Item], Answer], items: Iterable[Item],
             workers: int) -> Iterator[Answer]:
    """`work(item)` for each item, in order, over `workers` forked processes. An exception in a
    worker is raised here, for its item."""
    pending = list(items)
    if workers <= 1 or len(pending) <= 1 or not can_fork():
        yield from map(work, pending)
        return
    for stream in (sys.stdout, sys.stderr):  # a child must not write what the parent buffered
        stream.flush()
    # process pools: only when there is work to share (a cold validate never loads them)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _WORK
    _WORK = work
    try:
        # forked at once, all of them, before the executor starts its own thread; a worker
        # that dies breaks the pool (BrokenProcessPool), never leaves this waiting
        with ProcessPoolExecutor(min(workers, len(pending)),
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            flying: deque[Future[Any]] = deque()
            queue = iter(pending)
            for item in queue:
                flying.append(pool.submit(_run, item))
                if len(flying) >= 2 * workers:
                    break
            while flying:
                answer = flying.popleft().result()
                for nxt in queue:  # the next one, if any
                    flying.append(pool.submit(_run, nxt))
                    break
                yield answer
    finally:
        _WORK = None
