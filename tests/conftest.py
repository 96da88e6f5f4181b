from __future__ import annotations

import os

import pytest

from egov_audit.checks.vocabulary import load_catalogue
from egov_audit.policy import PolicySet


@pytest.fixture(scope="session")
def policy() -> PolicySet:
    return load_catalogue()


@pytest.fixture(scope="session")
def postgres():  # type: ignore[no-untyped-def]
    """A real PostgreSQL server (Debian's package; `make test` installs it as root)."""
    from tests import pg

    if not pg.available() and os.geteuid() != 0:  # as root (CI) they are installed: no skip
        pytest.skip("PostgreSQL binaries missing (make test installs them as root; CI is root)")
    server = pg.PostgresServer()
    try:
        yield server
    finally:
        server.stop()
