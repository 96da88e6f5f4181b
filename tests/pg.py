"""A throwaway PostgreSQL server for the tests: Debian's binaries, a cluster in a temporary
directory, listening only on a Unix socket there. Started once per test session."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def available() -> bool:
    return _bin("initdb") is not None and _bin("pg_ctl") is not None


class PostgresServer:
    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="egov-pg-"))
        self.data = self.base / "data"
        self.socket = self.base / "socket"
        self.socket.mkdir()
        self.port = 54329
        self.user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.base, "postgres", "postgres")
            shutil.chown(self.socket, "postgres", "postgres")
            os.chmod(self.base, 0o755)
            self.user = ["runuser", "-u", "postgres", "--"]
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        assert initdb and pg_ctl
        subprocess.run([*self.user, initdb, "-D", str(self.data), "-U", "postgres",
                        "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], check=True,
                       capture_output=True)
        subprocess.run([*self.user, pg_ctl, "-D", str(self.data), "-w", "-l",
                        str(self.base / "log"), "-o",
                        f"-k {self.socket} -p {self.port} -c listen_addresses='' "
                        "-c fsync=off -c max_connections=50", "start"],
                       check=True, capture_output=True)
        self.counter = 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.socket}&port={self.port}"

    def new_database(self) -> str:
        import psycopg

        self.counter += 1
        name = f"egov_{self.counter}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def restart(self) -> None:
        """Stopped at once (every connection cut, as a crash or a failover does) and started
        again."""
        pg_ctl = str(_bin("pg_ctl"))
        subprocess.run([*self.user, pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
                       check=True, capture_output=True)
        subprocess.run([*self.user, pg_ctl, "-D", str(self.data), "-w", "-l",
                        str(self.base / "log"), "-o",
                        f"-k {self.socket} -p {self.port} -c listen_addresses='' "
                        "-c fsync=off -c max_connections=50", "start"],
                       check=True, capture_output=True)

    def stop(self) -> None:
        pg_ctl = _bin("pg_ctl")
        subprocess.run([*self.user, str(pg_ctl), "-D", str(self.data), "-m", "immediate",
                        "stop"], capture_output=True, check=False)
        shutil.rmtree(self.base, ignore_errors=True)
