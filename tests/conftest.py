from __future__ import annotations

import atexit
import gc
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

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


# the tiers are folders (tests/unit, tests/integration, tests/lab, tests/browser); the markers
# follow the folders, for selection (make test-fast deselects lab, browser, postgres and slow)
TIER_MARKS = {"lab": pytest.mark.lab, "browser": pytest.mark.browser}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test is marked with its folder's tier; one that uses the PostgreSQL server is marked
    `postgres`. A lab or browser test outside its folder is refused: the folders stay true."""
    tests = Path(__file__).parent
    for item in items:
        parts = item.path.relative_to(tests).parts
        tier = TIER_MARKS.get(parts[0]) if len(parts) > 1 else None
        if tier is not None:
            item.add_marker(tier)
        for name in TIER_MARKS:
            if item.get_closest_marker(name) and parts[0] != name:
                raise pytest.UsageError(f"{item.nodeid}: a {name} test belongs in tests/{name}/")
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
