"""Re-scoring stored bundles against newer policies, offline."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

from .audit import AuditRequest
from .bundle import bundle_from_dict, check_bundle_data
from .checks.context import AuditOptions
from .checks.vocabulary import load_catalogue
from .diff import BundleDiff, Rescored, diff_bundles
from .errors import EgovAuditError, Message, ReportError
from .gates.jsonin import StrictJsonError, loads
from .inputs import check_inputs, unpack, workdir
from .pipeline import Run
from .policy import PolicySet
from .store import open_store


def _stored_bundle(body: bytes) -> dict[str, Any]:
    """A stored bundle body back through the bundle gate: the database may be old, copied from
    elsewhere or tampered with, and one bad row must not stop the others."""
    try:
        raw = zlib.decompress(body)
    except zlib.error as exc:
        raise ReportError(Message("stored bundle is not readable: {exc}", exc=exc)) from None
    try:
        data = loads(raw)
    except StrictJsonError as exc:
        raise ReportError(Message("stored bundle is not valid JSON: {message}",
                                  message=exc.message)) from None
    return check_bundle_data(data, "stored bundle")


def _rescore_one(data: dict[str, Any], policy: PolicySet) -> BundleDiff:
    old = bundle_from_dict(data)
    inputs = check_inputs(data["inputs"])
    with workdir() as tmp:
        inventory, evidence = unpack(inputs, Path(tmp))
        request = AuditRequest(
            [inventory], baseline=data["baseline"], level=data["level"],
            options=AuditOptions.from_dict(data.get("options")))
        # one catalogue for every agency: loaded once, by rescore
        result = Run(request, policy).reevaluate(evidence)
    return diff_bundles(old, result.bundles[0])


def rescore(db: str, policies: Path, models: Path | None) -> list[Rescored]:
    """Each agency's latest stored bundle re-evaluated against `policies`. An agency whose
    bundle or inputs are unusable is reported with the reason; the others go on."""
    policy = load_catalogue(policies, models)
    out: list[Rescored] = []
    with open_store(db, create=False) as store:
        latest = store.execute(
            "SELECT agency, finished_at, body FROM bundles b WHERE finished_utc = (SELECT "
            "MAX(finished_utc) FROM bundles WHERE agency = b.agency) ORDER BY agency").fetchall()
    for agency, finished, body in latest:
        try:
            data = _stored_bundle(bytes(body))
            if not data.get("inputs"):
                out.append(Rescored(agency, finished, None,
                                    "signed without its inputs (egov-audit sign --inventory)"))
                continue
            out.append(Rescored(agency, finished, _rescore_one(data, policy)))
        except EgovAuditError as exc:
            out.append(Rescored(agency, finished, None, exc.one_line(), failed=True))
        except MemoryError:  # this agency's bundle only: the others are still re-scored
            out.append(Rescored(agency, finished, None, "out of memory while re-scoring it",
                                failed=True))
    return out
