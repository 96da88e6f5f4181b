"""`fix --apply`: the remediation playbook previewed in check mode, applied once confirmed, the
changed hosts scanned again. Each host is fixed from where the scan reached it: straight from
this controller, or through the worker node its segment names (`egov_worker`), which runs the
play as an ansible-runner job with this release's egov.audit collection beside it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .audit import AuditRequest
from .checks.context import AuditOptions
from .collect.interface import CollectOptions, RemoteGroup
from .errors import UsageError
from .models import Status
from .pipeline import Run
from .policy import PolicySet
from .runner import RunSettings, run_on_node, run_playbook

if TYPE_CHECKING:
    from .fix import PreparedFix


@dataclass(frozen=True)
class RunReport:
    changed: dict[str, list[str]]  # host -> task names that changed
    failed: dict[str, list[str]]  # host -> "task: reason"
    unreachable: dict[str, str]
    rc: int


def run_fix_playbook(playbook: Path, inventory: Path, check: bool,
                     host_key_checking: bool = True, forks: int = 10,
                     remote: Sequence[RemoteGroup] = ()) -> RunReport:
    """Run a remediation playbook through the Ansible execution adapter (check mode: nothing
    changes): the hosts of `remote` on their worker nodes, at the same time as the others
    here. A node that cannot be reached leaves its hosts unreachable, with its reason."""
    changed: dict[str, list[str]] = {}
    failed: dict[str, list[str]] = {}
    unreachable: dict[str, str] = {}
    heard: set[str] = set()
    lock = threading.Lock()  # worker nodes' events arrive on their own threads

    def on_event(event: dict[str, Any], only: frozenset[str] | None = None) -> None:
        data = event.get("event_data") or {}
        host, task = data.get("host"), str(data.get("task", ""))
        kind = event.get("event")
        res = data.get("res") or {}
        if not host or (only is not None and host not in only):
            return  # a node speaks for its own hosts only
        with lock:
            heard.add(host)
            if kind == "runner_on_ok" and res.get("changed"):
                changed.setdefault(host, []).append(task)
            elif kind == "runner_on_failed" and not data.get("ignore_errors"):
                reason = " ".join(str(res.get("msg", "failed")).split())[:300]
                failed.setdefault(host, []).append(f"{task}: {reason}")
            elif kind == "runner_on_unreachable":
                unreachable[host] = " ".join(str(res.get("msg", "")).split())[:300]

    remote_hosts = sorted({host for group in remote for host in group.hosts})
    settings = RunSettings(host_key_checking=host_key_checking, forks=forks, check=check,
                           diff=True, limit=":".join(["all", *(f"!{h}" for h in remote_hosts)])
                           if remote_hosts else None)

    def on_node(group: RemoteGroup) -> None:
        mine = frozenset(group.hosts)
        rounds = -(-len(group.hosts) // max(1, forks))
        try:
            outcome = run_on_node(group.node, playbook, group.inventory,
                                  replace(settings, limit=None),
                                  lambda event: on_event(event, mine),
                                  120 + settings.connect_timeout + rounds * 600,
                                  with_collection=True)
            status, why = outcome.status, outcome.explanation
        except Exception as exc:  # the job could not even be prepared here: its hosts only
            status, why = "error", " ".join(str(exc).split())[:300]
        if status in ("successful", "failed"):
            return
        with lock:
            for host in group.hosts:
                if host not in heard or status == "unreachable":
                    unreachable.setdefault(host, f"worker node {group.node.name}: {why}"[:300])

    nodes = [threading.Thread(target=on_node, args=(group,), daemon=True) for group in remote]
    for node in nodes:
        node.start()
    rc = 0
    try:
        run = run_playbook(playbook, inventory, settings, on_event, UsageError)
        rc = run.rc
    finally:
        for node in nodes:
            node.join()
    return RunReport(changed, failed, unreachable, rc)


@dataclass(frozen=True)
class HostChange:
    host: str
    failing_before: int
    failing_after: int


@dataclass(frozen=True)
class ApplyOutcome:
    preview: RunReport
    confirmed: bool
    applied: RunReport | None = None
    score_before: float | None = None
    score_after: float | None = None
    hosts: tuple[HostChange, ...] = ()

    @property
    def ok(self) -> bool:
        return self.applied is None or not (self.applied.failed or self.applied.unreachable)


def apply_fixes(prepared: PreparedFix, playbook: Path, policy: PolicySet,
                confirm: Callable[[RunReport], bool], host_key_checking: bool = True
                ) -> ApplyOutcome:
    """Preview in check mode, ask `confirm` (which shows the preview), apply, then re-scan the
    hosts that changed and compare their failing controls and the score."""
    # what only an apply needs (the worker nodes' grouping): a plan without --apply loads none
    from .collect.selection import remote_groups

    bundle = prepared.plan.bundle
    request = AuditRequest([prepared.inventory], baseline=bundle.baseline, level=bundle.level,
                           options=AuditOptions.from_dict(bundle.options))
    run = Run(request, policy, prepared.inventories)
    remote = remote_groups(run.inventory(), sorted(prepared.plan.hosts))
    preview = run_fix_playbook(playbook, prepared.inventory, check=True,
                               host_key_checking=host_key_checking, remote=remote)
    if not confirm(preview):
        return ApplyOutcome(preview, confirmed=False)
    applied = run_fix_playbook(playbook, prepared.inventory, check=False,
                               host_key_checking=host_key_checking, remote=remote)
    changed_hosts = sorted(h for h in prepared.plan.hosts if applied.changed.get(h))
    if not changed_hosts:
        return ApplyOutcome(preview, True, applied)

    assert prepared.evidence is not None
    rescan = CollectOptions(limit=",".join(changed_hosts), host_key_checking=host_key_checking)
    after, _ = run.scan(prepared.evidence, rescan)
    new = after.bundles[0]

    def failing(results: Sequence[Any], host: str) -> int:
        return sum(1 for r in results if r.target == host and r.status is Status.FAIL)

    return ApplyOutcome(preview, True, applied, bundle.scores.overall, new.scores.overall,
                        tuple(HostChange(h, failing(bundle.results, h), failing(new.results, h))
                              for h in changed_hosts))
