"""`collect` takes bundles in through store.take_in: read, checked and verified a few ahead in a
thread, in order, each bad one refused with its reason while the others go on, never more than a
few held at once (thousands of bundles of hundreds of MB each)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from egov_audit.sign import KeyRegistry, TrustError
from egov_audit.store import take_in
from tests.helpers import bundle_dict
from tests.integration.security.conftest import Agency


def test_in_order_bad_ones_refused_and_few_held(agency: Agency) -> None:
    data = bundle_dict(agency.signed.read_text())
    tampered = agency.write("tampered.json", {**data, "level": 1})
    result_set = agency.write("set.json", {"schema": "egov-audit/result-set@1", "bundles": [],
                                           "national": None})
    paths = [agency.signed, tampered, agency.signed, result_set, agency.signed] * 4
    drawn: list[Path] = []

    def lazily() -> Iterator[Path]:
        for path in paths:
            drawn.append(path)
            yield path

    seen = []
    for index, incoming in enumerate(take_in(lazily(), KeyRegistry.from_dir(agency.keys),
                                             ahead=2)):
        # the one being stored and at most two prepared behind it
        assert len(drawn) <= index + 3
        seen.append(incoming)
    assert [i.path for i in seen] == paths
    for incoming in seen:
        if incoming.path == agency.signed:
            assert incoming.refused is None and incoming.data == data and incoming.digest
            assert incoming.raw == agency.signed.read_bytes()
        else:
            assert isinstance(incoming.refused, TrustError) and incoming.data is None
    assert "changed after signing" in str(seen[1].refused)
    assert "a result set" in str(seen[3].refused)
