"""PID 1 of the lab internet (see portals.py): runs in fresh network and PID namespaces, gives
its dummy interface the lab's addresses, starts NSD, Unbound and nginx on the configurations
portals.py wrote, serves the fault portals itself, and takes everything down on SIGTERM.

    python -m egov_audit.lab.internet FOLDER"""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

_GARBAGE = b"220 this is not TLS\r\n" + bytes(range(256)) * 4


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=10)


def _addresses(portals: list[dict[str, object]], *servers: str) -> None:
    # all on the loopback (kernels in containers may lack the dummy driver); no route leads
    # anywhere else
    _run("ip", "link", "set", "lo", "up")
    served = [p for p in portals if p["serve"] != "dns_only"]
    for address in (*servers, *(str(p["ipv4"]) for p in served)):
        _run("ip", "address", "add", f"{address}/32", "dev", "lo")
    for portal in served:
        if portal["ipv6"]:
            _run("ip", "-6", "address", "add", f"{portal['ipv6']}/128", "dev", "lo", "nodad")


def _inspector(folder: Path, spec: dict[str, object]) -> subprocess.Popen[bytes]:
    """The inspector's machine: a network namespace of its own (held by a sleeping process),
    joined to this internet by a veth pair, with a default route into it. The probe runs
    there, so the portals' addresses are not its own (as on a real inspector's machine), and
    its own loopback and addresses are where a hostile DNS answer would aim."""
    holder = subprocess.Popen(["unshare", "--net", "--", "sleep", "infinity"])
    mine = Path("/proc/self/ns/net").resolve()
    deadline = time.monotonic() + 5
    while Path(f"/proc/{holder.pid}/ns/net").resolve() == mine:
        if time.monotonic() > deadline:
            raise RuntimeError("the inspector's namespace did not appear")
        time.sleep(0.01)
    inside = ("nsenter", "-t", str(holder.pid), "-n", "--")
    near, far = (str(a) for a in spec["inspector_link"])  # type: ignore[attr-defined]
    near6, far6 = (str(a) for a in spec["inspector_link6"])  # type: ignore[attr-defined]
    _run("ip", "link", "add", "probe0", "type", "veth", "peer", "name", "probe1")
    _run("ip", "link", "set", "probe1", "netns", str(holder.pid))
    _run("ip", "address", "add", f"{near}/30", "dev", "probe0")
    _run("ip", "-6", "address", "add", f"{near6}/64", "dev", "probe0", "nodad")
    _run("ip", "link", "set", "probe0", "up")
    _run(*inside, "ip", "link", "set", "lo", "up")
    _run(*inside, "ip", "address", "add", f"{far}/30", "dev", "probe1")
    _run(*inside, "ip", "-6", "address", "add", f"{far6}/64", "dev", "probe1", "nodad")
    for address in spec["inspector_extra"]:  # type: ignore[attr-defined]
        _run(*inside, "ip", "address", "add", f"{address}/32", "dev", "lo")
    _run(*inside, "ip", "link", "set", "probe1", "up")
    _run(*inside, "ip", "route", "add", "default", "via", near)
    _run(*inside, "ip", "-6", "route", "add", "default", "via", near6)
    (folder / "inspector.nspid").write_text(str(holder.pid))
    return holder


def _listen(address: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    sock.listen(64)
    return sock


def _serve(sock: socket.socket, fault: str, banner: bytes) -> None:
    held: list[socket.socket] = []  # the silent server keeps its connections open, mute
    while True:
        conn, _ = sock.accept()
        if fault == "silent":
            held.append(conn)
            continue
        with contextlib.suppress(OSError):
            if fault == "reset":  # an abortive close: the client sees a TCP reset
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, bytes([1, 0, 0, 0] + [0] * 4))
            elif fault == "garbage":
                conn.recv(4096)
                conn.sendall(_GARBAGE)
            elif fault == "smtp":
                conn.sendall(banner)
        conn.close()


def main(folder: Path) -> int:
    spec = json.loads((folder / "portals.json").read_text())
    portals = spec["portals"]
    _addresses(portals, spec["resolver"], *spec["dns_servers"])
    inspector = _inspector(folder, spec)
    listeners = []
    for portal in portals:
        fault = portal["serve"]
        if fault in ("silent", "reset", "garbage"):
            listeners.append((_listen(portal["ipv4"], 443), fault, b""))
        elif fault == "smtp":
            banner = f"220 {portal['name']} ESMTP egov-audit lab\r\n".encode()
            for address in (portal["ipv4"], portal["ipv6"]):
                if address:
                    listeners.append((_listen(address, 25), "smtp", banner))
    for sock, fault, banner in listeners:
        threading.Thread(target=_serve, args=(sock, fault, banner), daemon=True).start()
    daemons = [
        subprocess.Popen(["/usr/sbin/nsd", "-d", "-c", str(folder / "nsd-registry.conf")]),
        subprocess.Popen(["/usr/sbin/nsd", "-d", "-c", str(folder / "nsd-agency.conf")]),
        subprocess.Popen(["/usr/sbin/unbound", "-d", "-c", str(folder / "unbound.conf")]),
        subprocess.Popen(["/usr/sbin/nginx", "-e", str(folder / "nginx.log"),
                          "-c", str(folder / "nginx.conf"), "-g", "daemon off;"]),
    ]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    deadline = time.monotonic() + 20
    waiting = [(spec["resolver"], 53), *((a, 53) for a in spec["dns_servers"]),
               ("198.18.5.10", 443)]
    while waiting and time.monotonic() < deadline and not stop.is_set():
        if any(d.poll() is not None for d in daemons):
            print("a daemon exited:", [d.args for d in daemons if d.poll() is not None],
                  flush=True)
            break
        address, port = waiting[0]
        kind = socket.SOCK_DGRAM if port == 53 else socket.SOCK_STREAM
        try:
            if kind == socket.SOCK_STREAM:
                socket.create_connection((address, port), timeout=0.5).close()
            else:  # a DNS server is up when it answers a query
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                    udp.settimeout(0.5)
                    udp.sendto(b"\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
                               b"\x07example\x00\x00\x06\x00\x01", (address, port))
                    udp.recv(512)
            waiting.pop(0)
        except OSError:
            time.sleep(0.1)
    if not waiting:
        (folder / "ready").write_text("ready\n")
        print("lab internet ready", flush=True)
        while not stop.is_set() and all(d.poll() is None for d in daemons):
            stop.wait(0.5)
    for daemon in (*daemons, inspector):
        with contextlib.suppress(OSError):
            daemon.terminate()
    for daemon in daemons:
        with contextlib.suppress(subprocess.TimeoutExpired):
            daemon.wait(5)
    return 0 if not waiting else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
