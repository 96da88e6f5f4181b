"""Re-scoring stored bundles against newer policies, offline."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

from .audit import AuditRequest, reevaluate
from .bundle import bundle_from_dict
from .checks.context import AuditOptions
from .checks.vocabulary import load_catalogue
from .diff import BundleDiff, Rescored, diff_bundles
from .errors import EgovAuditError, Message, ReportError
from .inputs import unpack, workdir
from .policy import PolicySet
from .store import open_store


def _stored_bundle(body: bytes) -> dict[str, Any]:
    """A stored bundle body back through the bundle gate: the database may be old, copied from
    elsewhere or tampered with, and one bad row must not stop the others."""
    from .bundle import check_bundle_data
    from .gates.jsonin import StrictJsonError, loads

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
    from .inputs import check_inputs

    old = bundle_from_dict(data)
    inputs = check_inputs(data["inputs"])
    with workdir() as tmp:
        inventory, evidence = unpack(inputs, Path(tmp))
        request = AuditRequest(
            [inventory], baseline=data["baseline"], level=data["level"],
            options=AuditOptions.from_dict(data.get("options")))
        result = reevaluate(request, evidence, policy)
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
