"""The lab tier: real hosts, routers, UPSes and sensors on this machine (root only). Each module
starts the lab it needs with `start_lab`, which stops it when the module ends, whether its
tests passed or not."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from egov_audit import lab as lab_module
from tests.helpers import machine_network

StartLab = Callable[..., lab_module.Lab]


@pytest.fixture(scope="module")
def start_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartLab]:
    """`start_lab(name, hosts, links=(), keeps_network=False)`: the module's lab, started in a
    state folder of its own. Every lab it started is stopped at the end of the module; with
    `keeps_network`, the machine's own links, routes and firewall are then checked to be as
    they were (the routers and sensors live in network namespaces the lab made)."""
    started: list[tuple[Path, dict[str, Any] | None]] = []

    def start(name: str, hosts: Sequence[lab_module.LabHost],
              links: Sequence[lab_module.LabLink] = (),
              keeps_network: bool = False) -> lab_module.Lab:
        state = tmp_path_factory.mktemp(name) / "state"
        started.append((state, machine_network() if keeps_network else None))
        return lab_module.up(tuple(hosts), state, tuple(links))

    try:
        yield start
    finally:
        for state, before in reversed(started):
            lab_module.down(state)
            if before is not None:
                assert machine_network() == before
