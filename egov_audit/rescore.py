"""Re-scoring stored bundles against newer policies, offline."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .audit import AuditRequest
from .checks.context import AuditOptions
from .checks.vocabulary import load_catalogue
from .diff import BundleDiff, Rescored, diff_bundles
from .errors import EgovAuditError
from .inputs import check_inputs, unpack, workdir
from .models import Bundle
from .pipeline import Run
from .policy import PolicySet
from .store import open_store
from .store.results import stored_bundle
from .workers import default_workers, in_order


def _rescore_one(old: Bundle, packed: Mapping[str, Any], policy: PolicySet) -> BundleDiff:
    inputs = check_inputs(packed)
    with workdir() as tmp:
        inventory, evidence = unpack(inputs, Path(tmp))
        request = AuditRequest(
            [inventory], baseline=old.baseline, level=old.level,
            options=AuditOptions.from_dict(dict(old.options)))
        # one catalogue for every agency: loaded once, by rescore
        result = Run(request, policy).reevaluate(evidence)
    return diff_bundles(old, result.bundles[0])


def rescore(db: str, policies: Path, models: Path | None,
            workers: int | None = None) -> list[Rescored]:
    """Each agency's latest stored bundle re-evaluated against `policies`, the agencies spread
    over `workers` processes (default: one per core), each reading its agency's bundle itself
    (one at a time: memory is one bundle a worker). An agency whose bundle or inputs are
    unusable is reported with the reason; the others go on."""
    policy = load_catalogue(policies, models)
    with open_store(db, create=False) as store:
        latest = store.execute(
            "SELECT id, agency, finished_at FROM bundles b WHERE key_id <> '' AND "
            "finished_utc = (SELECT MAX(finished_utc) FROM bundles WHERE agency = b.agency "
            "AND key_id <> '') ORDER BY agency").fetchall()

    def one(row: tuple[int, str, str]) -> Rescored:
        bundle_id, agency, finished = row
        try:
            with open_store(db, create=False) as store:
                (body,) = store.execute("SELECT body FROM bundles WHERE id = ?",
                                        (bundle_id,)).fetchone()
            old, inputs = stored_bundle(bytes(body))
            del body
            if not inputs:
                return Rescored(agency, finished, None,
                                "signed without its inputs (egov-audit sign --inventory)")
            return Rescored(agency, finished, _rescore_one(old, inputs, policy))
        except EgovAuditError as exc:
            return Rescored(agency, finished, None, exc.one_line(), failed=True)
        except MemoryError:  # this agency's bundle only: the others are still re-scored
            return Rescored(agency, finished, None, "out of memory while re-scoring it",
                            failed=True)

    return list(in_order(one, [tuple(row) for row in latest], workers or default_workers()))
