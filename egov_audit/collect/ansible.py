"""The Ansible collector: runs playbooks/collect.yml through the Ansible execution adapter
(egov_audit/runner.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import CollectionError, Message
from ..evidence.folder import write_bundle
from ..evidence.host_facts import read_bundle, record_failure
from ..evidence.job_events import COLLECT_TASK, event_reason, host_verdict
from ..evidence.model import COLLECTED, FAILED, UNREACHABLE, now
from ..facility.evidence import (
    FACILITY_DIR,
    FACILITY_TASK,
    read_facility_bundle,
    record_facility_failure,
)
from ..network.evidence import (
    DEVICE_TASK,
    DEVICES_DIR,
    read_device_bundle,
    record_device_failure,
)
from ..paths import data_dir
from ..runner import RunSettings, run_on_node, run_playbook
from ..times import is_at_or_after
from .interface import CollectionReport, CollectOptions, HostOutcome, ProgressFn, RemoteGroup

PLAYBOOKS = data_dir("playbooks")


class AnsibleCollector:
    name = "ansible"

    def __init__(self, playbook: Path | None = None) -> None:
        self.playbook = playbook or PLAYBOOKS / "collect.yml"

    def collect(self, inventory: Path, hosts: Sequence[str], evidence_dir: Path,
                options: CollectOptions, progress: ProgressFn | None = None
                ) -> CollectionReport:
        if not self.playbook.is_file():
            raise CollectionError(Message("collection playbook not found"), file=str(self.playbook))
        evidence_dir.mkdir(parents=True, exist_ok=True)
        run_started = now()
        devices = set(options.devices)
        facility = set(options.facility)
        outcomes: dict[str, HostOutcome] = {}
        lock = threading.RLock()  # worker nodes' events arrive on their own threads

        def settle(outcome: HostOutcome) -> None:
            with lock:
                record(outcome)

        def record(outcome: HostOutcome) -> None:
            if outcome.host in outcomes:
                return
            outcomes[outcome.host] = outcome
            if outcome.status != COLLECTED:
                # recorded at once: a scan killed later keeps what it learned
                if outcome.host in devices:
                    record_device_failure(evidence_dir / DEVICES_DIR, outcome.host,
                                          outcome.status, outcome.reason,
                                          keep_collected_since=run_started)
                elif outcome.host in facility:
                    record_facility_failure(evidence_dir / FACILITY_DIR, outcome.host,
                                            outcome.status, outcome.reason,
                                            keep_collected_since=run_started)
                else:
                    record_failure(evidence_dir, outcome.host, outcome.status, outcome.reason,
                                   keep_collected_since=run_started)
            if progress:
                progress(outcome)

        def on_event(event: dict[str, Any]) -> None:
            data = event.get("event_data") or {}
            host = data.get("host")
            kind = event.get("event")
            if not host:
                return
            if kind == "runner_on_unreachable":
                settle(HostOutcome(host, UNREACHABLE, event_reason(data)))
            elif kind == "runner_on_failed" and not data.get("ignore_errors"):
                settle(HostOutcome(host, FAILED, event_reason(data)))
            elif kind == "runner_on_ok" and \
                    data.get("task") in (COLLECT_TASK, DEVICE_TASK, FACILITY_TASK):
                settle(HostOutcome(host, COLLECTED))

        # hosts behind worker nodes are collected there, at the same time as the others here
        remote_hosts = {host for group in options.remote for host in group.hosts}
        direct = [host for host in hosts if host not in remote_hosts]
        settings = RunSettings(
            host_key_checking=options.host_key_checking, forks=options.forks,
            limit=",".join(direct) if remote_hosts else options.limit,
            connect_timeout=options.connect_timeout, task_timeout=options.timeout,
            extravars={"egov_evidence_dir": str(evidence_dir.resolve())},
            known_hosts=options.known_hosts)
        started = time.monotonic()
        nodes = [threading.Thread(target=self._collect_on_node,
                                  args=(group, settings, evidence_dir, settle), daemon=True)
                 for group in options.remote]
        for node in nodes:
            node.start()
        try:
            if direct:
                run = run_playbook(self.playbook, inventory, settings, on_event)
                # rc 2: some host failed, 4: some host unreachable: reported per host
                if not any(host in outcomes for host in direct) and run.rc not in (0, 2, 4):
                    raise CollectionError(Message("the collection run failed (rc {rc}): {tail}",
                                                  rc=run.rc, tail=run.tail))
                if run.status not in ("successful", "failed"):
                    raise CollectionError(Message("the collection run ended {status} (rc {rc})",
                                                  status=run.status, rc=run.rc))
        finally:
            for node in nodes:
                node.join()
        # hosts without any verdict event (for instance a run that stopped): trust the files
        for host in hosts:
            if host in outcomes:
                continue
            if host in devices:
                path = evidence_dir / DEVICES_DIR / f"{host}.json"
                found = read_device_bundle(path) if path.exists() else None
            elif host in facility:
                path = evidence_dir / FACILITY_DIR / f"{host}.json"
                found = read_facility_bundle(path) if path.exists() else None
            else:
                path = evidence_dir / f"{host}.json"
                found = read_bundle(path) if path.exists() else None
            if found is not None and found.collected and \
                    is_at_or_after(found.collected_at, run_started):
                settle(HostOutcome(host, COLLECTED))
            else:
                settle(HostOutcome(host, FAILED, "no result from the collection run"))
        ordered = [outcomes[h] for h in hosts if h in outcomes]
        return CollectionReport(tuple(ordered), time.monotonic() - started)

    def _collect_on_node(self, group: RemoteGroup, settings: RunSettings, evidence_dir: Path,
                         settle: Callable[[HostOutcome], None]) -> None:
        """One worker node's hosts: the job runs there, each bundle streams back in its event
        and is checked and written here as it comes; a node that fails or disconnects leaves
        the hosts it had not answered for not assessed, with its reason."""
        mine = set(group.hosts)
        name = group.node.name

        def on_event(event: dict[str, Any]) -> None:
            found = host_verdict(event)  # the same reading as of a run's saved job events
            if found is None or found.host not in mine:
                return  # a node speaks for its own hosts only
            if found.collected and found.data is not None:
                write_bundle(evidence_dir, found.data)
            settle(HostOutcome(found.host, found.status, found.reason))

        node_settings = replace(settings, limit=None, extravars={"egov_evidence_dir": ""})
        # the whole job's bound: every host's task timeout, forks at a time, and the start
        rounds = -(-len(group.hosts) // max(1, settings.forks))
        deadline = 120 + settings.connect_timeout + rounds * (settings.task_timeout or 600)
        try:
            outcome = run_on_node(group.node, self.playbook, group.inventory, node_settings,
                                  on_event, deadline)
            status, why = outcome.status, outcome.explanation
        except Exception as exc:  # the job could not even be prepared here: its hosts only
            status, why = "error", " ".join(str(exc).split())[:300]
        lost = UNREACHABLE if status == "unreachable" else FAILED
        for host in group.hosts:
            settle(HostOutcome(host, lost, f"worker node {name}: "
                                           f"{why or 'no result for this host'}"))
