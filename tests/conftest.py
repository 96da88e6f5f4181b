from __future__ import annotations

import atexit
import gc
import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

from egov_audit.checks.vocabulary import load_catalogue
from egov_audit.policy import PolicySet

# The tests speak English unless they ask for Vietnamese (--lang vi, or EGOV_AUDIT_LANG=vi in
# a subprocess's environment): egov-audit's own default is Vietnamese, and its messages and
# reports follow the language. Set before any test runs the CLI, in process or as a subprocess.
os.environ["EGOV_AUDIT_LANG"] = "en"
# egov-audit's cache (compiled catalogues and schema code) in a folder of this test run, not
# the user's ~/.cache: the CLI's subprocesses inherit it; tests of the cache choose their own
if "EGOV_AUDIT_CACHE_DIR" not in os.environ:
    os.environ["EGOV_AUDIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="egov-audit-test-cache-")
    atexit.register(shutil.rmtree, os.environ["EGOV_AUDIT_CACHE_DIR"], ignore_errors=True)


@pytest.fixture(autouse=True)
def _gc_state_is_put_back() -> Iterator[None]:
    """Code that pauses the garbage collector (the CLI, evaluation) must put it back: a test
    that leaves it off would change the memory and speed of every test after it."""
    before = (gc.isenabled(), gc.get_threshold())
    yield
    after = (gc.isenabled(), gc.get_threshold())
    if after != before:
        gc.enable() if before[0] else gc.disable()
        gc.set_threshold(*before[1])
        pytest.fail(f"garbage collector left as {after}, was {before}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the PostgreSQL server is marked `postgres` (make test-fast skips it)."""
    for item in items:
        if "postgres" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


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
