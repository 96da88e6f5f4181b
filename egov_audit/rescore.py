"""Re-scoring stored bundles against newer policies, offline."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .audit import AuditRequest, evaluate, validate
from .bundle import bundle_from_dict
from .checks.context import AuditOptions
from .diff import BundleDiff, diff_bundles
from .inputs import unpack, workdir
from .policy import load_policies
from .store import open_store


@dataclass(frozen=True)
class Rescored:
    agency: str
    finished_at: str
    diff: BundleDiff | None
    reason: str = ""  # why it could not be re-scored


def rescore(db: str, policies: Path, models: Path | None) -> list[Rescored]:
    policy = load_policies(policies, models)
    out: list[Rescored] = []
    with open_store(db) as store:
        latest = store.execute(
            "SELECT agency, finished_at, body FROM bundles b WHERE finished_at = (SELECT "
            "MAX(finished_at) FROM bundles WHERE agency = b.agency) ORDER BY agency").fetchall()
    for agency, finished, body in latest:
        data: dict[str, Any] = json.loads(zlib.decompress(bytes(body)))
        inputs = data.get("inputs")
        if not inputs:
            out.append(Rescored(agency, finished, None,
                                "signed without its inputs (egov-audit sign --inventory)"))
            continue
        old = bundle_from_dict(data)
        with workdir() as tmp:
            inventory, evidence = unpack(inputs, Path(tmp))
            request = AuditRequest(
                [inventory], baseline=data["baseline"], level=data["level"],
                options=AuditOptions(bool(data.get("options", {}).get(
                    "documentation_as_public"))))
            result = evaluate(request, evidence, policy) if evidence is not None \
                else validate(request, policy)
        new = result.bundles[0]
        out.append(Rescored(agency, finished, diff_bundles(old, new)))
    return out


def render(items: list[Rescored], fmt: str, lang: str) -> str:
    from .report.diff import render_json, render_text

    if fmt == "json":
        diffs = json.loads(render_json([i.diff for i in items if i.diff], lang))
        skipped = [{"agency": i.agency, "reason": i.reason} for i in items if not i.diff]
        return json.dumps({**diffs, "not_rescored": skipped}, ensure_ascii=False,
                          indent=2) + "\n"
    parts = [render_text([i.diff], lang) for i in items if i.diff]
    parts += [f"{i.agency}: not re-scored: {i.reason}\n" for i in items if not i.diff]
    return "\n".join(parts) if parts else "no bundle stored\n"
