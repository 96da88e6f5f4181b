"""`POST /api/v1/bundles`: an agency submits a signed bundle (version 1 or 2, gzip or not). The
signature, checked against the key registry in the store, is its authentication: the body goes
through the same gate as `collect` (egov_audit.store.intake). The upload is spooled to a file
as it arrives, capped in size, and no database connection is held while a slow client sends;
the answer comes only after the transaction that stores it is committed (a 201 is durable).

Answers: 201 stored, 200 already stored, 409 stale (older than the agency's latest: a replay),
422 refused with its reason, 413 too large, 503 (with Retry-After) if the store cannot be
reached: nothing was stored, send it again."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from ..errors import EgovAuditError
from ..i18n import said_in
from ..store import Stale, Store, Submission, prepare, store_incoming
from .auth import PUBLIC, Visitor, guard

CHUNK = 256 * 1024


def _refusal(status: int, code: str, exc: EgovAuditError | None = None,
             text: tuple[str, str] | None = None) -> JSONResponse:
    if exc is not None:
        reason = {"vi": said_in(exc.message, "vi"), "en": said_in(exc.message, "en")}
    else:
        assert text is not None
        reason = {"vi": text[0], "en": text[1]}
    return JSONResponse({"outcome": code, "reason": reason}, status_code=status)


def _submit(store: Store, path: Path) -> Submission:
    registry = store.key_registry()
    return store_incoming(store, prepare(path, registry), registry)


@guard(PUBLIC)
async def submit_bundle(request: Request, visitor: Visitor) -> Response:
    service = request.app.state.service
    limit = service.settings.max_bundle_bytes
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return _too_large(limit)
    spool = Path(tempfile.mkstemp(prefix="egov-intake-", suffix=".bundle",
                                  dir=service.settings.spool)[1])
    try:
        received = 0
        with spool.open("wb") as out:
            try:
                async for chunk in request.stream():
                    received += len(chunk)
                    if received > limit:
                        return _too_large(limit)
                    out.write(chunk)
            except ClientDisconnect:
                return Response(status_code=400)
        if received == 0:
            return _refusal(422, "refused", text=("Không có dữ liệu.", "The body is empty."))
        try:
            submission: Submission = await service.read(lambda store: _submit(store, spool))
        except Stale as exc:
            return _refusal(409, "stale", exc)
        except EgovAuditError as exc:
            if service.unavailable(exc):
                raise
            return _refusal(422, "refused", exc)
    finally:
        os.unlink(spool)
    status = 201 if submission.outcome == "stored" else 200
    body: dict[str, Any] = {"outcome": submission.outcome, "agency": submission.agency,
                            "finished_at": submission.finished_at}
    return JSONResponse(body, status_code=status)


def _too_large(limit: int) -> JSONResponse:
    mib = limit // (1024 * 1024)
    return _refusal(413, "too_large", text=(f"Gói kết quả lớn hơn giới hạn {mib} MiB.",
                                            f"The bundle is larger than the {mib} MiB limit."))
