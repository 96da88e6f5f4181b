from __future__ import annotations

import pytest

from egov_audit.policy import PolicySet, load_policies


@pytest.fixture(scope="session")
def policy() -> PolicySet:
    return load_policies()
