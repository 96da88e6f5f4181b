"""The one Ansible execution adapter: every playbook egov-audit runs (the collection of a scan, the
preview and the change of `fix --apply`, any future collector) goes through `run_playbook`, so that
timeouts, the host-key policy, a private Ansible home and the wrapping of errors are decided in one
place. The only module that imports ansible_runner (slow to import: only commands that run
Ansible pay for it)."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import sys
import sysconfig
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .collection import assemble
from .errors import CollectionError, EgovAuditError, Message
from .gates.filein import read_bytes
from .gates.fileout import write_output
from .paths import data_dir

if TYPE_CHECKING:
    from .inventory.model import WorkerNode

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


def tool_folders() -> list[Path]:
    """Where the scripts of the packages this Python runs are: beside the interpreter (a
    virtualenv, pipx), then its install scheme's scripts folder, then the user scheme's
    (`pip install --user` puts ansible-core's in ~/.local/bin, often not on PATH)."""
    folders = [Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))]
    with contextlib.suppress(KeyError):
        folders.append(Path(sysconfig.get_path("scripts",
                                               sysconfig.get_preferred_scheme("user"))))
    return list(dict.fromkeys(folders))


def ansible_playbook() -> Path:
    """ansible-playbook of the ansible-core this Python runs, else the one on PATH."""
    for folder in tool_folders():
        if (folder / "ansible-playbook").is_file():
            return folder / "ansible-playbook"
    on_path = shutil.which("ansible-playbook")
    if on_path is None:
        raise CollectionError(Message(
            "ansible-playbook not found beside {python}, in {folders} or on PATH (install "
            "ansible-core)", python=sys.executable,
            folders=", ".join(str(f) for f in tool_folders()[1:])))
    return Path(on_path)


def _private_home(private: Path, known_hosts: Path, error_cls: type[EgovAuditError]) -> Path:
    """A home folder for one run whose ~/.ssh/known_hosts is `known_hosts` (OpenSSH, which
    the host collection uses, takes its home from the password database, not from HOME)."""
    home = private / "home"
    (home / ".ssh").mkdir(parents=True, mode=0o700)
    data = read_bytes(known_hosts, str(known_hosts), error_cls, 16 * 1024 * 1024)
    write_output(home / ".ssh" / "known_hosts", data, mode=0o600, error_cls=error_cls)
    return home


def _flags(settings: RunSettings) -> str:
    return " ".join(flag for flag, wanted in (("--check", settings.check),
                                              ("--diff", settings.diff)) if wanted)


def run_playbook(playbook: Path, inventory: Path, settings: RunSettings,
                 on_event: EventHandler, error_cls: type[EgovAuditError] = CollectionError
                 ) -> RunOutcome:
    """Run one playbook against one inventory; `on_event` sees every event (host verdicts)."""
    import ansible_runner  # heavy: imported only when Ansible runs

    private = Path(tempfile.mkdtemp(prefix="egov-audit-runner-"))
    binary = ansible_playbook()
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
    flags = _flags(settings)

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


# -- a job on a worker node: ansible-runner's streaming protocol (transmit on the controller,
# `ansible-runner worker` on the node, process back here), the protocol AWX execution nodes speak
# through Receptor; carried here over SSH ------------------------------------------------------

# what a worker node's job carries of the playbooks folder: the collection play and its plugins
_WORKER_PROJECT = ("collect.yml", "library", "module_utils", "action_plugins")
_SSH_STDERR_LIMIT = 64 * 1024


@dataclass(frozen=True)
class NodeOutcome:
    status: str  # successful | failed | error ... as ansible-runner says; "unreachable": no stream
    explanation: str  # why the job ended as it did, in one line (empty when it ran through)


def _drain(stream: Any, kept: list[bytes]) -> None:
    """Read a pipe to its end (a writer never blocks on it), keeping its first bytes."""
    size = 0
    for chunk in iter(lambda: stream.read(4096), b""):
        if size < _SSH_STDERR_LIMIT:
            kept.append(chunk)
            size += len(chunk)


def _ssh_command(node: WorkerNode, connect_timeout: int) -> list[str]:
    """ssh to the node, host key checked against the known hosts, no prompt, no forwarding;
    the node runs `ansible-runner worker`, which reads the job from stdin."""
    command = ["ssh", "-T", "-x", "-a", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
               "-o", f"ConnectTimeout={connect_timeout}", "-o", "ServerAliveInterval=15",
               "-o", "ServerAliveCountMax=4", "-o", "LogLevel=ERROR", "-p", str(node.port)]
    if node.user:
        command += ["-l", node.user]
    if node.identity_file:
        command += ["-i", node.identity_file, "-o", "IdentitiesOnly=yes"]
    if node.known_hosts:
        command += ["-o", f"UserKnownHostsFile={node.known_hosts}"]
    runner = shlex.quote(node.runner)
    # ansible-playbook is found beside an ansible-runner given by its path (a virtualenv)
    remote = f"exec {runner} worker" if "/" not in node.runner else \
        f'PATH={shlex.quote(os.path.dirname(node.runner))}:"$PATH" exec {runner} worker'
    return [*command, "--", node.host, remote]


def run_on_node(node: WorkerNode, playbook: Path, inventory: Mapping[str, Any],
                settings: RunSettings, on_event: EventHandler, deadline: float,
                with_collection: bool = False) -> NodeOutcome:
    """Run `playbook` on a worker node against `inventory` (Ansible's JSON form, only the
    node's hosts); `on_event` sees every event as it streams back. The job carries the
    collection play and its plugins, or (`with_collection`: a remediation playbook) the playbook
    with this release's egov.audit collection beside it, where Ansible looks first. Never
    raises for the node's own failures (unreachable, a job that errs, a stream cut midway, no
    end after `deadline` seconds): they are the outcome."""
    # only when a playbook runs
    import subprocess
    import threading

    # ansible-runner: only when a playbook runs
    import ansible_runner

    work = Path(tempfile.mkdtemp(prefix="egov-audit-node-"))  # mode 0700
    private = work / "job-data"  # what the node receives
    try:
        project = private / "project"
        project.mkdir(parents=True)
        if with_collection:
            shutil.copy2(playbook, project / playbook.name)
            assemble(project / "collections", __version__)
        for name in () if with_collection else _WORKER_PROJECT:
            source = playbook.parent / name
            if source.is_dir():
                shutil.copytree(source, project / name,
                                ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, project / name)
        shutil.copy2(data_dir("playbooks").parent / "ansible.cfg", project / "ansible.cfg")
        env = {"ANSIBLE_HOST_KEY_CHECKING": str(settings.host_key_checking),
               "ANSIBLE_TIMEOUT": str(settings.connect_timeout),
               "ANSIBLE_RETRY_FILES_ENABLED": "False", "ANSIBLE_NOCOLOR": "1",
               "ANSIBLE_PIPELINING": "True", "ANSIBLE_INTERPRETER_PYTHON": "auto_silent"}
        if settings.task_timeout is not None:
            env["ANSIBLE_TASK_TIMEOUT"] = str(settings.task_timeout)
        job = work / "job"
        with open(job, "wb") as out:  # the job as the node receives it
            ansible_runner.run(streamer="transmit", _output=out, private_data_dir=str(private),
                               playbook=playbook.name, inventory=dict(inventory),
                               forks=settings.forks, extravars=dict(settings.extravars),
                               envvars=env, quiet=True, cmdline=_flags(settings) or None,
                               settings={"suppress_ansible_output": True})
        status: dict[str, Any] = {}

        def on_status(data: dict[str, Any], runner_config: Any) -> None:
            status.update(data)

        events = 0

        def handler(event: dict[str, Any]) -> bool:
            nonlocal events
            events += 1
            on_event(event)
            return False  # nothing kept on disk: the callers keep what they need

        with open(job, "rb") as job_input:
            ssh = subprocess.Popen(_ssh_command(node, settings.connect_timeout),
                                   stdin=job_input, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
            assert ssh.stdout is not None and ssh.stderr is not None
            stderr: list[bytes] = []
            reader = threading.Thread(target=_drain, args=(ssh.stderr, stderr), daemon=True)
            reader.start()
            # a node that hangs is cut off: its stream then ends like a dropped link's
            fired = threading.Event()

            def cut_off() -> None:
                fired.set()
                ssh.kill()

            watchdog = threading.Timer(deadline, cut_off)
            watchdog.start()
            try:
                processor = ansible_runner.run(streamer="process", _input=ssh.stdout,
                                               private_data_dir=str(work / "results"),
                                               event_handler=handler, status_handler=on_status,
                                               quiet=True)  # reads the stream to its end
            finally:
                watchdog.cancel()
            ssh.stdout.close()
            rc = ssh.wait()
            reader.join(timeout=5)
        said = " ".join(b"".join(stderr).decode("utf-8", "replace").split())[:500]
        outcome = str(status.get("status") or processor.status or "error")
        explanation = " ".join(str(status.get("job_explanation") or "").split())[:500]
        if fired.is_set():
            return NodeOutcome("timeout", f"no end of the job within {deadline:.0f} s: cut off")
        if rc == 255 and not events:  # ssh itself failed: the node was never reached
            return NodeOutcome("unreachable", said or "ssh to the worker node failed")
        if outcome not in ("successful", "failed"):
            return NodeOutcome(outcome, "; ".join(t for t in (explanation, said) if t)
                               or f"the worker node's job ended {outcome}")
        return NodeOutcome(outcome, "")
    finally:
        shutil.rmtree(work, ignore_errors=True)
