"""Starting and stopping the lab: namespaces, sshd, the routers' links, the inventory it
writes for its hosts (`up`, `down`). Root only."""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import Message, UsageError
from . import portals as lab_portals
from .hosts import DEFAULT_STATE, SERVERS, SNMP_SECRETS, SNMP_USER, LabHost, LabLink


@dataclass(frozen=True)
class Lab:
    state: Path
    hosts: tuple[LabHost, ...]

    @property
    def inventory(self) -> Path:
        return self.state / "inventory"

    @property
    def sockets(self) -> Path:
        return control_dir(self.state)

    @property
    def key(self) -> Path:
        return self.state / "id_ed25519"


def _require_root() -> None:
    if os.geteuid() != 0:
        raise UsageError(Message("egov-audit lab needs root (it creates namespaces and mounts)"))
    for tool in ("unshare", "ssh-keygen"):
        if shutil.which(tool) is None:
            raise UsageError(Message("egov-audit lab needs {tool}", tool=tool))
    if not Path("/usr/sbin/sshd").exists():
        raise UsageError(Message("egov-audit lab needs openssh-server (/usr/sbin/sshd)"))


def _data(name: str) -> Path:
    return Path(str(resources.files(__package__).joinpath(name)))


def _banner(ip: str, port: int) -> bool:
    try:
        with socket.create_connection((ip, port), timeout=1) as conn:
            return conn.recv(4) == b"SSH-"
    except OSError:
        return False


def up(hosts: tuple[LabHost, ...] = SERVERS, state: Path = DEFAULT_STATE,
       links: tuple[LabLink, ...] = (), portals: bool = False) -> Lab:
    """Start the lab hosts (and the links between routers) and write an egov-audit inventory
    for them; with `portals`, the lab internet too (lab/portals.py)."""
    _require_root()
    if (state / "lab.json").exists():
        raise UsageError(Message("a lab is already up in {state} (egov-audit lab down first)",
                                 state=state))
    for host in hosts:
        if host.start and _banner(host.ip, host.port):
            raise UsageError(Message("{ip}:{port} is already in use", ip=host.ip, port=host.port))
    state.mkdir(parents=True, exist_ok=True)
    lab = Lab(state, hosts)
    lab.sockets.mkdir(mode=0o700, exist_ok=True)
    if not lab.key.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "egov-audit-lab",
                        "-f", str(lab.key)], check=True)
    boot = _data("boot.sh")
    (state / "lab.json").write_text(json.dumps([asdict(h) for h in hosts], indent=2))
    started: list[LabHost] = []
    failed: list[str] = []  # what kept a host from starting: the whole lab is taken down
    for host in hosts:
        if not host.start:
            continue
        directory = state / "hosts" / host.name
        shutil.rmtree(directory, ignore_errors=True)
        (directory / "cow").mkdir(parents=True)
        ssh_dir = directory / "root" / ".ssh"  # the profile copies it for a non-root user
        ssh_dir.mkdir(parents=True)
        (ssh_dir / "authorized_keys").write_text(lab.key.with_suffix(".pub").read_text())
        if host.frr_config:
            (directory / "frr.conf").write_text(host.frr_config)
        if host.is_facility:
            (directory / "mib.txt").write_text("".join(f"{oid} {kind} {value}\n"
                                                       for oid, kind, value in host.mib))
            (directory / "mode").write_text(host.fault if host.fault != "wrong_password"
                                            else "")
            (directory / "snmp-user").write_text(
                f'createUser {SNMP_USER} SHA-256 "{SNMP_SECRETS["EGOV_LAB_SNMP_AUTH"]}" '
                f'AES "{SNMP_SECRETS["EGOV_LAB_SNMP_PRIV"]}"\n')
            for name in ("mib.txt", "mode", "snmp-user"):
                os.chmod(directory / name, 0o600)
        if host.profile == "nftfw":
            (directory / "nftables.nft").write_text(host.nft_ruleset)
            (directory / "interfaces").write_text(
                "".join(f"{name} {address}\n" for name, address in host.interfaces))
        if host.is_worker and host.fault == "cut":
            runner = directory / "root" / CUT_RUNNER.name
            runner.write_text(_CUT_RUNNER.format(bin=Path(sys.prefix) / "bin"))
            os.chmod(runner, 0o755)
        os.chmod(directory / "root", 0o700)
        os.chmod(ssh_dir, 0o700)
        os.chmod(ssh_dir / "authorized_keys", 0o600)
        _launch(host, state, boot)
        started.append(host)
    # links between routers first, then each host's own link to the machine (its boot waits
    # for that address): a router's FRRouting starts with every interface already there
    failed += _link_routers(state, started, links)
    for host in started:
        if host.netns:
            wiring = _wire(host, int((state / "hosts" / host.name / "unshare.pid").read_text()))
            if wiring:
                failed.append(wiring)
    # every host boots at once: on two slow cores, two hundred of them take longer than one
    # host's fixed wait (a third of a second each, on top of 30 s, shared by all)
    known_hosts, unbooted = _await(started, state)
    # a host that did not boot is started once more, alone (a boot among two hundred on two
    # cores can lose a race once); only one that fails again stops the lab. Hosts in a network
    # namespace are wired to it: they are not started again
    again = [host for host in started if host.name in unbooted and not host.netns]
    for host in again:
        _stop(state / "hosts" / host.name)
        shutil.rmtree(state / "hosts" / host.name / "cow", ignore_errors=True)
        (state / "hosts" / host.name / "cow").mkdir()
        _launch(host, state, boot)
    if again:
        more, unbooted_again = _await(again, state)
        known_hosts += more
        unbooted = {name: why for name, why in unbooted.items()
                    if name not in {h.name for h in again}} | unbooted_again
    failed += [f"{name}: {why}" for name, why in unbooted.items()]
    (state / "known_hosts").write_text("\n".join(known_hosts) + "\n")
    _write_inventory(lab)
    _write_ssh_config(lab)
    if portals and not failed:
        try:
            lab_portals.up(state)
        except RuntimeError as exc:
            failed.append(str(exc))
    if failed:
        down(state)
        raise UsageError(Message("lab hosts failed to start: {hosts}", hosts="; ".join(failed)))
    return lab


def _launch(host: LabHost, state: Path, boot: Path) -> None:
    """Start one host: its boot script in new namespaces, its console in its folder."""
    directory = state / "hosts" / host.name
    with open(directory / "console.log", "wb") as console:
        proc = subprocess.Popen(
            ["unshare", "--mount", "--uts", "--ipc", "--pid", *(["--net"] * host.netns),
             "--fork", "--kill-child", "--mount-proc", "--propagation", "private",
             "/bin/bash", str(boot), host.name, host.ip, str(host.port), str(directory),
             str(_data(f"profiles/{host.profile}.sh")), "1" if host.netns else "0",
             host.scenario, ":".join(_worker_binds(state) if host.is_worker else ())],
            stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
            start_new_session=True)
    (directory / "unshare.pid").write_text(str(proc.pid))


def _await(hosts: list[LabHost], state: Path) -> tuple[list[str], dict[str, str]]:
    """Wait for each host's SSH banner: the known_hosts lines of those that booted, and why
    each other one did not (its boot ended, with its console's last words, or timed out)."""
    known_hosts: list[str] = []
    unbooted: dict[str, str] = {}
    deadline = time.monotonic() + 30 + len(hosts) / 3
    for host in hosts:
        directory = state / "hosts" / host.name
        upid = int((directory / "unshare.pid").read_text())
        ended = False
        while time.monotonic() < deadline and not _banner(host.ip, host.port):
            if not _alive(upid):
                ended = True
                break
            time.sleep(0.1)
        init = _child(upid)
        if init is not None:
            (directory / "init.pid").write_text(str(init))
            (directory / "mntns").write_text(os.readlink(f"/proc/{init}/ns/mnt"))
        if init is None or not _banner(host.ip, host.port):
            log = (directory / "console.log").read_text(errors="replace")[-400:]
            why = "its boot ended" if ended else "no SSH banner in time"
            unbooted[host.name] = f"{why}: {' '.join(log.split())}".rstrip(": ")
            continue
        key = Path(f"/proc/{init}/root/etc/ssh/ssh_host_ed25519_key.pub").read_text().split()
        address = host.ip if host.port == 22 else f"[{host.ip}]:{host.port}"
        known_hosts.append(f"{address} {key[0]} {key[1]}")
    return known_hosts, unbooted


# a worker node whose link drops (fault "cut"): its runner passes the job's stream on until the
# first host's bundle, then stops, as a connection cut midway would
CUT_RUNNER = Path("/root/egov-lab-cut-runner")
_CUT_RUNNER = """#!/bin/bash
PATH={bin}:$PATH
{bin}/ansible-runner "$@" | while IFS= read -r line; do
  printf '%s\\n' "$line"
  if [[ $line == *'"runner_on_ok"'* && $line == *egov_bundle* ]]; then exit 0; fi
done
"""


def _worker_binds(state: Path) -> list[str]:
    """What a worker node must see of the machine that its own /tmp and /root would hide: the
    lab's folder and SSH sockets folder (its hosts' key, known_hosts and control sockets, at
    the paths the inventory gives) and this Python environment (ansible-runner, Ansible, the
    Python under them)."""
    paths = (str(state.resolve()), str(control_dir(state)), sys.prefix, sys.base_prefix)
    return [path for path in dict.fromkeys(paths) if path.startswith(("/tmp/", "/root/"))]


def _wire(host: LabHost, unshare_pid: int) -> str | None:
    """Join a host's own network namespace to the machine: a veth pair on a /30 and a default
    route back through the machine (boot.sh waits for the address before starting sshd).
    Returns what went wrong, if anything."""
    init = _child(unshare_pid)
    if init is None:
        return None  # it died at once: up() reports its console
    ip = shutil.which("ip") or "/usr/sbin/ip"
    inside = ["nsenter", "-t", str(init), "-n", ip]
    for command in ([ip, "link", "add", host.link, "type", "veth", "peer", "name", "eth0",
                     "netns", str(init)],
                    [ip, "address", "add", f"{host.peer}/30", "dev", host.link],
                    [ip, "link", "set", host.link, "up"],
                    [*inside, "link", "set", "lo", "up"],
                    [*inside, "address", "add", f"{host.ip}/30", "dev", "eth0"],
                    [*inside, "link", "set", "eth0", "up"],
                    [*inside, "route", "add", "default", "via", host.peer]):
        proc = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
        if proc.returncode != 0:
            return f"{host.name}: {' '.join(command[-6:])}: {proc.stderr.strip()}"
    return None


def _link_routers(state: Path, started: list[LabHost], links: tuple[LabLink, ...]) -> list[str]:
    """Create each link inside the first router's namespace with its peer inside the second's:
    no end of it is ever in the machine's namespace."""
    failed: list[str] = []
    inits = {}
    for host in started:
        init = _child(int((state / "hosts" / host.name / "unshare.pid").read_text()))
        if init is not None:
            inits[host.name] = init
    ip = shutil.which("ip") or "/usr/sbin/ip"
    for link in links:
        if link.a not in inits or link.b not in inits:
            failed.append(f"{link.a}-{link.b}: a router did not start")
            continue
        a = ["nsenter", "-t", str(inits[link.a]), "-n", ip]
        b = ["nsenter", "-t", str(inits[link.b]), "-n", ip]
        for command in ([*a, "link", "add", link.a_if, "type", "veth", "peer", "name",
                         link.b_if, "netns", str(inits[link.b])],
                        [*a, "address", "add", link.a_ip, "dev", link.a_if],
                        [*a, "link", "set", link.a_if, "up"],
                        [*b, "address", "add", link.b_ip, "dev", link.b_if],
                        [*b, "link", "set", link.b_if, "up"]):
            proc = subprocess.run(command, capture_output=True, text=True, timeout=10,
                                  check=False)
            if proc.returncode != 0:
                failed.append(f"{link.a}-{link.b}: {' '.join(command[5:])}: "
                              f"{proc.stderr.strip()}")
                break
    return failed


def _child(pid: int) -> int | None:
    for _ in range(50):
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return None
        if children:
            return int(children[0])
        time.sleep(0.05)
    return None


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def control_dir(state: Path) -> Path:
    """Where ssh keeps the lab's control sockets. A socket path has at most 107 bytes and ssh
    adds 58 to the folder (cm-, a 40-character hash, a temporary suffix): a deep state folder
    (pytest's, say) gets a short one in /tmp instead."""
    if len(str(state)) <= 40:
        return state

    return Path("/tmp") / f"egov-lab-cm-{hashlib.sha256(str(state).encode()).hexdigest()[:10]}"


def down(state: Path = DEFAULT_STATE) -> list[str]:
    """Stop every lab host (only the processes the lab started) and delete the state."""
    _require_root()
    stopped: list[str] = []
    if lab_portals.down(state):
        stopped.append("internet")
    hosts_dir = state / "hosts"
    for sock in control_dir(state).glob("cm-*"):
        subprocess.run(["ssh", "-o", f"ControlPath={sock}", "-O", "exit", "lab"],
                       capture_output=True, check=False, timeout=10)
    for directory in sorted(hosts_dir.iterdir()) if hosts_dir.is_dir() else []:
        _stop(directory)
        stopped.append(directory.name)
    for host in _declared(state):
        if host.netns:  # gone with its namespace already, unless the host never started
            subprocess.run(["ip", "link", "delete", host.link], capture_output=True,
                           check=False, timeout=10)
    if control_dir(state) != state:
        shutil.rmtree(control_dir(state), ignore_errors=True)
    shutil.rmtree(state, ignore_errors=True)
    return stopped


def _stop(directory: Path) -> None:
    """Stop one host (only the processes the lab started for it)."""
    init = _read_pid(directory / "init.pid")
    upid = _read_pid(directory / "unshare.pid")
    ns = (directory / "mntns").read_text() if (directory / "mntns").exists() else None
    if init and ns and _alive(init):
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/{init}/ns/mnt") == ns:
                # PID 1 of the host: the kernel kills every process left in it
                os.kill(init, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and ((init and _alive(init)) or
                                           (upid and _alive(upid))):
        time.sleep(0.05)
    if upid and _alive(upid):
        with contextlib.suppress(OSError):
            os.kill(upid, signal.SIGKILL)  # --kill-child takes the host down with it
    with contextlib.suppress(ChildProcessError, OSError):
        if upid:
            os.waitpid(upid, os.WNOHANG)


def _declared(state: Path) -> list[LabHost]:
    try:
        return [LabHost(**h) for h in json.loads((state / "lab.json").read_text())]
    except (OSError, ValueError, TypeError):
        return []


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _machine_networks() -> list[str]:
    """The networks of the machine's own global addresses (what every lab host reports)."""
    try:
        out = subprocess.run(["ip", "-j", "address", "show"], capture_output=True, text=True,
                             timeout=10, check=True).stdout
        interfaces = json.loads(out)
    except (OSError, subprocess.SubprocessError, ValueError):
        return []
    networks: list[str] = []
    for iface in interfaces:
        if str(iface.get("ifname", "")).startswith("egl"):
            continue  # a lab host's own veth link, not one of the machine's networks
        for info in iface.get("addr_info", []):
            try:
                net = ipaddress.ip_interface(f"{info['local']}/{info['prefixlen']}").network
            except (KeyError, ValueError):
                continue
            if not (net.is_loopback or net.is_link_local) and str(net) not in networks:
                networks.append(str(net))
    return networks


def direct_inventory(lab: Lab, dest: Path) -> Path:
    """A copy of the lab's inventory at `dest` in which every host is collected from this
    controller: no worker node (to compare a scan through nodes with a direct one)."""
    shutil.copytree(lab.inventory, dest)
    (dest / "group_vars" / "all" / "workers.yml").unlink(missing_ok=True)
    document = json.loads((dest / "hosts.yml").read_text())
    for host_vars in document["all"]["hosts"].values():
        host_vars.pop("egov_worker", None)
    (dest / "hosts.yml").write_text(json.dumps(document, indent=2) + "\n")
    return dest


def _write_ssh_config(lab: Lab) -> None:
    """For `ssh -F STATE/ssh_config portal01` and testinfra: keys pinned, one master per host."""
    lines = []
    for host in lab.hosts:
        lines += [f"Host {host.name}", f"  HostName {host.ip}", f"  Port {host.port}"]
    lines += ["Host *", "  User root", f"  IdentityFile {lab.key}", "  IdentitiesOnly yes",
              f"  UserKnownHostsFile {lab.state / 'known_hosts'}", "  StrictHostKeyChecking yes",
              "  BatchMode yes", "  LogLevel ERROR", "  ControlMaster auto",
              "  ControlPersist 60s", f"  ControlPath {lab.sockets}/cm-%C", "  ConnectTimeout 10"]
    (lab.state / "ssh_config").write_text("\n".join(lines) + "\n")


def _write_inventory(lab: Lab) -> None:
    """An egov-audit inventory of the lab agency: a province at level 3 whose zones hold the
    hosts' loopback addresses. Host keys are pinned in known_hosts: host key checking stays on."""
    inv = lab.inventory
    (inv / "group_vars" / "all").mkdir(parents=True, exist_ok=True)
    ssh_args = (f"-o UserKnownHostsFile={lab.state / 'known_hosts'} -o StrictHostKeyChecking=yes "
                f"-o ControlMaster=auto -o ControlPersist=60s "
                f"-o ControlPath={lab.sockets}/cm-%C -o ConnectTimeout=10")
    # a host on the machine's own network stack: fixing its firewall would change the machine's
    hosts = {h.name: {"zone": h.zone, "role": h.role, "ansible_host": h.ip,
                      "ansible_port": h.port, "ansible_python_interpreter": h.python,
                      "ansible_user": h.user, **({} if h.netns else
                                                 {"egov_fix_skip": ["HOST-FW-01"]}),
                      **({"egov_worker": h.worker} if h.worker else {})}
             for h in lab.hosts if not h.is_router and not h.is_facility}
    workers = [{"name": h.name, "host": h.ip, "port": h.port, "user": "root",
                "runner": str(CUT_RUNNER if h.fault == "cut"
                              else Path(sys.prefix) / "bin" / "ansible-runner"),
                "identity_file": str(lab.key), "known_hosts": str(lab.state / "known_hosts")}
               for h in lab.hosts if h.is_worker]
    if workers:
        (inv / "group_vars" / "all" / "workers.yml").write_text(
            json.dumps({"workers": workers}, indent=2) + "\n")
    routers = {h.name: {"role": h.role, "ansible_host": h.ip, "ansible_port": h.port,
                        # a Linux firewall is read over plain SSH (nft, ip), as root
                        **({"ansible_connection": "ssh", "ansible_user": "root",
                            "ansible_network_os": "egov.audit.nftables"}
                           if h.profile == "nftfw" else {})}
               for h in lab.hosts if h.is_router and h.in_inventory}
    machine = _machine_networks()
    inventory: dict[str, Any] = {
        "vars": {"ansible_user": "root", "ansible_ssh_private_key_file": str(lab.key),
                 "ansible_ssh_common_args": ssh_args},
        "hosts": hosts}
    if routers:
        # network_cli over paramiko: it checks host keys against ~/.ssh/known_hosts, which
        # `egov-audit scan --known-hosts STATE/known_hosts` provides for the run
        inventory["children"] = {"network_devices": {"hosts": routers, "vars": {
            "ansible_connection": "ansible.netcommon.network_cli",
            "ansible_network_os": "egov.audit.frr", "ansible_user": "netops",
            "ansible_network_cli_ssh_type": "paramiko"}}}
    facility = {h.name: {"role": h.role, "server_room": h.server_room, "ansible_host": h.ip,
                         **({"snmp_auth_password": "{{ lookup('env', 'EGOV_LAB_SNMP_AUTH_OLD') }}"}
                            if h.fault == "wrong_password" else {})}
                for h in lab.hosts if h.is_facility}
    if facility:
        inventory.setdefault("children", {})["facility_devices"] = {"hosts": facility, "vars": {
            "snmp_user": SNMP_USER, "snmp_auth_protocol": "SHA-256", "snmp_priv_protocol": "AES",
            "snmp_auth_password": "{{ lookup('env', 'EGOV_LAB_SNMP_AUTH') }}",
            "snmp_priv_password": "{{ lookup('env', 'EGOV_LAB_SNMP_PRIV') }}",
            "egov_snmp_timeout": 2}}
        (lab.state / "facility.env").write_text(
            "".join(f"{name}={value}\n" for name, value in SNMP_SECRETS.items()))
        os.chmod(lab.state / "facility.env", 0o600)
        rooms = sorted({h.server_room for h in lab.hosts if h.is_facility})
        (inv / "group_vars" / "all" / "server_rooms.yml").write_text(json.dumps({
            "server_rooms": [{"id": room, "environment": {"inlet_temp_c": 22, "humidity_pct": 50},
                              "power": {"ups_installed": True, "ups_covers_core": True,
                                        "ups_runtime_min": 30}} for room in rooms]},
            indent=2) + "\n")
    (inv / "hosts.yml").write_text(json.dumps({"all": inventory}, indent=2) + "\n")
    (inv / "group_vars" / "all" / "agency.yml").write_text(json.dumps({"agency": {
        "code": "lab", "name": {"vi": "Đơn vị thử nghiệm (lab)", "en": "Lab agency"},
        "kind": "province", "baseline": "tcvn-11930-2017", "level": 3}}, ensure_ascii=False,
        indent=2) + "\n")
    # with routers: the agency's own AS and VNNIC block, as edge01 runs and announces them
    asn, own = (64501, [{"prefix": "198.51.100.0/24", "allocated_by": "VNNIC"}]) if routers \
        else (None, [])
    (inv / "group_vars" / "all" / "network.yml").write_text(json.dumps({"network": {
        "asn": asn,
        "address_blocks": [*own, {"prefix": "127.0.0.0/8", "allocated_by": "internal"},
                           *({"prefix": n, "allocated_by": "internal"} for n in machine)],
        "zones": [
            {"name": "dmz", "kind": "dmz", "subnets": ["127.0.1.0/28"], "separated_by": "firewall"},
            {"name": "servers", "kind": "internal_server", "subnets": ["127.0.1.16/29",
                                                                       "127.0.1.32/27"],
             "separated_by": "firewall"},
            {"name": "db", "kind": "database", "subnets": ["127.0.1.28/30"],
             "separated_by": "firewall"},
            {"name": "mgmt", "kind": "management", "subnets": ["127.0.1.48/28", *machine],
             "separated_by": "firewall", "internet_access": False},
        ]}}, indent=2) + "\n")
