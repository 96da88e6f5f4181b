"""Where an agency's results go as they are made, and the parts they are made in.

An agency's hosts are judged a pass at a time, the passes in worker processes (workers.py).
Each pass comes back as a `JudgedPart`: its results with waivers applied, their tally and
waiver counts, and what the sink makes of them, made in the worker (`ResultSink.prepare`: for a
bundle written as it goes, the rows' JSON text). The one process that writes then only adds
parts up, in the order of the passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from .models import Bundle, Result
from .score import ScoreTally
from .waivers import WaiverLedger

if TYPE_CHECKING:
    from .bundle import V2Writer


class ResultSink(Protocol):
    """Where an agency's results go as they are made."""

    def start(self, head: Bundle, expected: int) -> None:
        """The bundle as known before any result (agency, baseline, policy, start time), and
        about how many results will come."""

    def prepare(self, results: Sequence[Result]) -> Any:
        """What `add` takes for these results (waivers applied). It may run in a worker
        process: it reads nothing the sink learns as results come."""

    def add(self, prepared: Any) -> None:
        """The next results, as `prepare` made them."""


class KeptResults:
    """Results kept in memory, for a ResultSet."""

    def __init__(self) -> None:
        self.results: list[Result] = []

    def start(self, head: Bundle, expected: int) -> None:
        pass

    def prepare(self, results: Sequence[Result]) -> Sequence[Result]:
        return results

    def add(self, prepared: Sequence[Result]) -> None:
        self.results.extend(prepared)


class StreamedBundle:
    """Results written out as they come, as a version 2 bundle (the one `-f json` prints)."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._writer: V2Writer | None = None

    def start(self, head: Bundle, expected: int) -> None:
        from .bundle import V2Writer  # writes bundles: not loaded by a cold validate

        self._writer = V2Writer(self._out, head)

    def prepare(self, results: Sequence[Result]) -> Any:
        from .bundle import prepare_rows  # writes bundles: not loaded by a cold validate

        return prepare_rows(results)

    def add(self, prepared: Any) -> None:
        assert self._writer is not None, "start() comes first"
        self._writer.add_rows(prepared)

    def close(self, end: Bundle) -> None:
        assert self._writer is not None, "start() comes first"
        self._writer.close(end)


@dataclass(frozen=True)
class JudgedPart:
    """Some of an agency's results, judged (perhaps in a worker) and made ready for its sink."""

    prepared: Any
    tally: ScoreTally
    waived: Sequence[int]  # how many results each waiver waived
    controls: frozenset[str]  # the controls that gave results


def judged_part(results: Sequence[Result], ledger: WaiverLedger, sink: ResultSink,
                tally: ScoreTally) -> JudgedPart:
    """`results` with the agency's waivers applied, tallied into `tally` (a new one per
    part), as `sink` takes them."""
    part = ledger.part()
    waived = part.apply(results)
    tally.add(waived)
    return JudgedPart(sink.prepare(waived), tally, part.applied,
                      frozenset(r.control for r in waived))
