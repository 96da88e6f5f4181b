"""The national service as users meet it: `egov-audit serve` in its own process on the loopback,
started, waited for, stopped or killed by the tests (tests/browser, tests/integration)."""

from __future__ import annotations

import copy
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.helpers import run_cli

PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    """One instance of the service on 127.0.0.1 (its log in `log`)."""

    def __init__(self, db: str, log: Path, *extra: str) -> None:
        self.db, self.log = db, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "egov_audit", "serve", "--db", db, "--port",
                 str(self.port), "--lang", "en", *extra],
                stdout=out, stderr=subprocess.STDOUT,
                env={**os.environ, "EGOV_AUDIT_DEBUG": ""})
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("the service did not start:\n" +
                                     log.read_text(errors="replace")[-3000:])
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)


def prepare_store(db: str, work: Path, agencies: tuple[str, ...]) -> None:
    """Accounts (an administrator, an inspector, one account per agency) and the agencies'
    keys, through the real `serve user` and `serve key` commands."""
    def cli(*args: str, stdin: str | None = None) -> None:
        if stdin is None:
            proc = run_cli("serve", "--db", db, *args, timeout=120)
        else:
            proc = subprocess.run([sys.executable, "-m", "egov_audit", "serve", "--db", db,
                                   *args], input=stdin, capture_output=True, text=True,
                                  timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr

    cli("user", "add", "root", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    cli("user", "add", "thanh-tra", "--role", "inspector", "--password-stdin",
        stdin=PASSWORD + "\n")
    for agency in agencies:
        cli("user", "add", f"{agency}-it", "--role", "agency", "--agency", agency,
            "--password-stdin", stdin=PASSWORD + "\n")
        cli("key", "add", agency, str(work / f"{agency}.pub"))


REGIONS = ("Tây Bắc", "Đông Bắc", "Đồng bằng sông Hồng", "Bắc Trung Bộ", "Duyên hải Nam Trung Bộ",
           "Tây Nguyên", "Đông Nam Bộ", "Đồng bằng sông Cửu Long")


def synthetic_agencies(document: dict[str, Any], count: int, out: Path,
                       finished: datetime | None = None) -> list[tuple[str, Path, str]]:
    """`count` agencies made from one real bundle (a version 1 document): each its own code,
    name, region and Ed25519 key, the bundle signed with it. (code, bundle file, public PEM)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from egov_audit.sign import sign

    out.mkdir(parents=True, exist_ok=True)
    when = (finished or datetime.now(UTC)).isoformat(timespec="seconds")
    made = []
    for index in range(count):
        code = f"dv-{index:04d}"
        data = copy.deepcopy(document)
        data.pop("signature", None)
        data["agency"] = {**data["agency"], "code": code,
                          "name": {"vi": f"Đơn vị thử {index}", "en": f"Test agency {index}"},
                          "region": REGIONS[index % len(REGIONS)]}
        data["finished_at"] = when
        key = Ed25519PrivateKey.generate()
        path = out / f"{code}.json"
        path.write_text(json.dumps(sign(data, key)))
        pem = key.public_key().public_bytes(Encoding.PEM,
                                            PublicFormat.SubjectPublicKeyInfo).decode()
        made.append((code, path, pem))
    return made
