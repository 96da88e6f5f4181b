"""The national service as users meet it: `egov-audit serve` in its own process on the loopback,
started, waited for, stopped or killed by the tests (tests/browser, tests/integration)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

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
