"""The one Ansible execution adapter: every playbook egov-audit runs (the collection of a scan, the
preview and the change of `fix --apply`, any future collector) goes through `run_playbook`, so that
timeouts, the host-key policy, a private Ansible home and the wrapping of errors are decided in one
place. The only module that imports ansible_runner (slow to import: only commands that run
Ansible pay for it)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .collection import assemble
from .errors import CollectionError, EgovAuditError, Message
from .paths import data_dir

EventHandler = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class RunSettings:
    host_key_checking: bool = True  # off only on the operator's explicit, loud request
    forks: int = 10
    limit: str | None = None
    connect_timeout: int = 15  # seconds to open a connection
    task_timeout: int | None = None  # seconds a task may take on a host (None: no limit)
    check: bool = False  # --check: nothing changes on the hosts
    diff: bool = False
    extravars: Mapping[str, Any] = field(default_factory=dict)
    # the SSH host keys of network devices: network_cli (paramiko) reads ~/.ssh/known_hosts
    # only, so the run gets a private home holding this file there
    known_hosts: Path | None = None


@dataclass(frozen=True)
class RunOutcome:
    rc: int
    status: str  # successful | failed | timeout | canceled | error
    tail: str  # the last meaningful line ansible-playbook printed, for a run that failed whole


def _tail(runner: Any) -> str:
    try:
        lines = [line.strip() for line in runner.stdout.read().splitlines() if line.strip()]
    except (OSError, AttributeError, ValueError):
        return ""
    return " ".join(lines[-1].split())[:300] if lines else ""


def _binary() -> Path:
    """ansible-playbook installed beside this Python (a virtualenv is often not on PATH)."""
    beside = Path(sys.executable).parent / "ansible-playbook"
    if beside.exists():
        return beside
    on_path = shutil.which("ansible-playbook")
    if on_path is None:
        raise CollectionError(Message("ansible-playbook not found (install ansible-core)"))
    return Path(on_path)


def _private_home(private: Path, known_hosts: Path, error_cls: type[EgovAuditError]) -> Path:
    """A home folder for one run whose ~/.ssh/known_hosts is `known_hosts` (OpenSSH, which
    the host collection uses, takes its home from the password database, not from HOME)."""
    from .gates.filein import read_bytes
    from .gates.fileout import write_output

    home = private / "home"
    (home / ".ssh").mkdir(parents=True, mode=0o700)
    data = read_bytes(known_hosts, str(known_hosts), error_cls, 16 * 1024 * 1024)
    write_output(home / ".ssh" / "known_hosts", data, mode=0o600, error_cls=error_cls)
    return home


def run_playbook(playbook: Path, inventory: Path, settings: RunSettings,
                 on_event: EventHandler, error_cls: type[EgovAuditError] = CollectionError
                 ) -> RunOutcome:
    """Run one playbook against one inventory; `on_event` sees every event (host verdicts)."""
    import ansible_runner  # heavy: imported only when Ansible runs

    private = Path(tempfile.mkdtemp(prefix="egov-audit-runner-"))
    binary = _binary()
    # the playbooks `fix` writes name the egov.audit roles: this release's collection comes
    # first, then whatever collections the operator has (the ansible package's are always seen)
    collections = os.pathsep.join([str(private / "collections"),
                                   os.environ.get("ANSIBLE_COLLECTIONS_PATH",
                                                  "/usr/share/ansible/collections")])
    env = {
        "ANSIBLE_HOST_KEY_CHECKING": str(settings.host_key_checking),
        "ANSIBLE_TIMEOUT": str(settings.connect_timeout),
        "ANSIBLE_HOME": str(private / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(private / "tmp"),
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_PERSISTENT_CONTROL_PATH_DIR": str(private / "cp"),
        "ANSIBLE_SSH_CONTROL_PATH_DIR": str(private / "cp"),
        "ANSIBLE_CONFIG": str(data_dir("playbooks").parent / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": collections,
        "PATH": f"{binary.parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    if settings.task_timeout is not None:
        env["ANSIBLE_TASK_TIMEOUT"] = str(settings.task_timeout)
    if settings.known_hosts is not None:
        env["HOME"] = str(_private_home(private, settings.known_hosts, error_cls))
    flags = " ".join(flag for flag, wanted in (("--check", settings.check),
                                               ("--diff", settings.diff)) if wanted)

    def handler(event: dict[str, Any]) -> bool:
        on_event(event)
        return False  # events are not kept on disk: the callers keep the verdicts they need

    try:
        assemble(private / "collections", __version__)
        runner = ansible_runner.run(
            private_data_dir=str(private), playbook=str(playbook.resolve()),
            inventory=str(inventory.resolve()), limit=settings.limit, forks=settings.forks,
            extravars=dict(settings.extravars) or None, envvars=env, cmdline=flags or None,
            event_handler=handler, quiet=True, suppress_env_files=True,
            settings={"suppress_ansible_output": True})
        tail = _tail(runner)
    except EgovAuditError:
        raise
    except Exception as exc:  # ansible-runner raises its own types for setup problems
        raise error_cls(Message("cannot run Ansible: {exc}", exc=exc)) from None
    finally:
        shutil.rmtree(private, ignore_errors=True)
    return RunOutcome(int(runner.rc or 0), str(runner.status), tail)
