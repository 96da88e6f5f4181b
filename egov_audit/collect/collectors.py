"""The collectors, by the name an evidence kind gives (`EvidenceKind.collector`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .interface import Collector


def _ansible() -> Collector:
    # ansible-runner and its playbooks load only for a scan: validate and evaluate never run it
    from .ansible import AnsibleCollector

    return AnsibleCollector()


COLLECTORS: Mapping[str, Callable[[], Collector]] = {"ansible": _ansible}
