"""The Ansible collector: runs playbooks/collect.yml through ansible-runner. The only module that
imports ansible_runner (slow to import: only `scan` pays for it)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import CollectionError
from ..paths import data_dir
from .evidence import COLLECTED, FAILED, UNREACHABLE, now, read_bundle, record_failure
from .interface import CollectionReport, CollectOptions, HostOutcome, ProgressFn

PLAYBOOKS = data_dir("playbooks")
COLLECT_TASK = "Gather the facts the host controls need (changes nothing, returns no secret)"


def _tail(runner: Any) -> str:
    """The last meaningful line ansible-playbook printed (for a run that failed as a whole)."""
    try:
        lines = [line.strip() for line in runner.stdout.read().splitlines() if line.strip()]
    except (OSError, AttributeError, ValueError):
        return ""
    return " ".join(lines[-1].split())[:300] if lines else ""


def _reason(event_data: dict[str, Any]) -> str:
    res = event_data.get("res") or {}
    message = res.get("msg") or res.get("module_stderr") or res.get("stderr") or "failed"
    return " ".join(str(message).split())[:500]


class AnsibleCollector:
    name = "ansible"

    def __init__(self, playbook: Path | None = None) -> None:
        self.playbook = playbook or PLAYBOOKS / "collect.yml"

    def collect(self, inventory: Path, hosts: Sequence[str], evidence_dir: Path,
                options: CollectOptions, progress: ProgressFn | None = None
                ) -> CollectionReport:
        import ansible_runner  # heavy: imported only when a scan runs

        if not self.playbook.is_file():
            raise CollectionError("collection playbook not found", file=str(self.playbook))
        evidence_dir.mkdir(parents=True, exist_ok=True)
        private = Path(tempfile.mkdtemp(prefix="egov-audit-runner-"))
        run_started = now()
        outcomes: dict[str, HostOutcome] = {}

        def settle(outcome: HostOutcome) -> None:
            if outcome.host in outcomes:
                return
            outcomes[outcome.host] = outcome
            if outcome.status != COLLECTED:
                # recorded at once: a scan killed later keeps what it learned
                record_failure(evidence_dir, outcome.host, outcome.status, outcome.reason,
                               keep_collected_since=run_started)
            if progress:
                progress(outcome)

        def on_event(event: dict[str, Any]) -> bool:
            data = event.get("event_data") or {}
            host = data.get("host")
            kind = event.get("event")
            if not host:
                return False
            if kind == "runner_on_unreachable":
                settle(HostOutcome(host, UNREACHABLE, _reason(data)))
            elif kind == "runner_on_failed" and not data.get("ignore_errors"):
                settle(HostOutcome(host, FAILED, _reason(data)))
            elif kind == "runner_on_ok" and data.get("task") == COLLECT_TASK:
                settle(HostOutcome(host, COLLECTED))
            return False  # events are not kept on disk: we only need the verdicts

        env = {
            "ANSIBLE_HOST_KEY_CHECKING": str(options.host_key_checking),
            "ANSIBLE_TIMEOUT": str(options.connect_timeout),
            "ANSIBLE_TASK_TIMEOUT": str(options.timeout),
            "ANSIBLE_HOME": str(private / "ansible-home"),
            "ANSIBLE_LOCAL_TEMP": str(private / "tmp"),
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_PERSISTENT_CONTROL_PATH_DIR": str(private / "cp"),
            "ANSIBLE_SSH_CONTROL_PATH_DIR": str(private / "cp"),
            "ANSIBLE_CONFIG": str(PLAYBOOKS.parent / "ansible.cfg"),
        }
        # the ansible-playbook installed beside this Python (a virtualenv is often not on PATH)
        bin_dir = Path(sys.executable).parent
        binary = bin_dir / "ansible-playbook"
        if not binary.exists():
            on_path = shutil.which("ansible-playbook")
            if on_path is None:
                raise CollectionError("ansible-playbook not found (install ansible-core)")
            binary = Path(on_path)
        env["PATH"] = f"{binary.parent}{os.pathsep}{os.environ.get('PATH', '')}"
        started = time.monotonic()
        try:
            runner = ansible_runner.run(
                private_data_dir=str(private), playbook=str(self.playbook),
                inventory=str(inventory.resolve()), limit=options.limit, forks=options.forks,
                extravars={"egov_evidence_dir": str(evidence_dir.resolve())}, envvars=env,
                event_handler=on_event, quiet=True,
                suppress_env_files=True, settings={"suppress_ansible_output": True})
            tail = _tail(runner)
        except Exception as exc:  # ansible-runner raises its own types for setup problems
            raise CollectionError(f"cannot start ansible-runner: {exc}") from None
        finally:
            shutil.rmtree(private, ignore_errors=True)
        # rc 2: some host failed, 4: some host unreachable: reported per host, not an error
        if not outcomes and runner.rc not in (0, 2, 4):
            raise CollectionError(f"the collection run failed (rc {runner.rc}): {tail}")
        if runner.status not in ("successful", "failed"):
            raise CollectionError(f"the collection run ended {runner.status} (rc {runner.rc})")
        # hosts without any verdict event (for instance a run that stopped): trust the files
        for host in hosts:
            if host in outcomes:
                continue
            path = evidence_dir / f"{host}.json"
            found = read_bundle(path) if path.exists() else None
            if found is not None and found.collected and found.collected_at >= run_started:
                settle(HostOutcome(host, COLLECTED))
            else:
                settle(HostOutcome(host, FAILED, "no result from the collection run"))
        ordered = [outcomes[h] for h in hosts if h in outcomes]
        return CollectionReport(tuple(ordered), time.monotonic() - started)
