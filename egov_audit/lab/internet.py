"""PID 1 of the lab internet (see portals.py): runs in fresh network and PID namespaces, gives
its dummy interface the lab's addresses, starts Knot DNS, Unbound and nginx on the configurations
portals.py wrote, serves the fault portals itself, and takes everything down on SIGTERM.

    python -m egov_audit.lab.internet FOLDER"""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from . import dns as lab_dns

_GARBAGE = b"220 this is not TLS\r\n" + bytes(range(256)) * 4


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=10)


def _addresses(portals: list[dict[str, object]], *servers: str) -> None:
    """Every address the lab serves on (servers' IPv4 and IPv6, portals'), on the loopback."""
    # all on the loopback (kernels in containers may lack the dummy driver); no route leads
    # anywhere else
    _run("ip", "link", "set", "lo", "up")
    served = [p for p in portals if p["serve"] != "dns_only"]
    for address in (*servers, *(str(p["ipv4"]) for p in served)):
        if ":" in address:
            _run("ip", "-6", "address", "add", f"{address}/128", "dev", "lo", "nodad")
        else:
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


def _smtp(sock: socket.socket, folder: Path, name: str, starttls: bool) -> None:
    """A mail exchanger's first steps (RFC 5321, 3207): greeting, EHLO (offering STARTTLS or
    not), STARTTLS into TLS 1.2+ with the lab's certificate for `name`, QUIT. It takes no mail:
    the probe sends none. Postfix is a machine service (its own user, queue and chroot under
    /var/spool): this speaks just what a sending server and the probe see."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if starttls:
        context.load_cert_chain(folder / f"{name}.crt", folder / f"{name}.key")

    def one(conn: socket.socket) -> None:
        stream: socket.socket = conn
        conn.settimeout(10)
        with contextlib.suppress(OSError, ssl.SSLError):
            stream.sendall(f"220 {name} ESMTP egov-audit lab\r\n".encode())
            buffered = b""
            while True:
                while b"\r\n" not in buffered and len(buffered) < 4096:
                    chunk = stream.recv(4096)
                    if not chunk:
                        return
                    buffered += chunk
                line, _, buffered = buffered.partition(b"\r\n")
                verb = line[:10].split(b" ")[0].upper()
                if verb in (b"EHLO", b"HELO"):
                    offered = starttls and not isinstance(stream, ssl.SSLSocket)
                    stream.sendall(f"250-{name}\r\n250-SIZE 10240000\r\n".encode()
                                   + (b"250-STARTTLS\r\n" if offered else b"")
                                   + b"250 8BITMIME\r\n")
                elif verb == b"STARTTLS" and starttls and not isinstance(stream, ssl.SSLSocket):
                    stream.sendall(b"220 2.0.0 Ready to start TLS\r\n")
                    stream = context.wrap_socket(conn, server_side=True)
                    buffered = b""
                elif verb == b"QUIT":
                    stream.sendall(b"221 2.0.0 Bye\r\n")
                    return
                else:
                    stream.sendall(b"502 5.5.2 Not in this lab\r\n")

    _each_connection(sock, one)


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
        conn.close()


_HTTP_OK = (b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: close\r\n"
            b"Strict-Transport-Security: max-age=31536000\r\n\r\nlab portal\n")


def _answer_http(read: Callable[[int], bytes], write: Callable[[bytes], object]) -> None:
    request = b""
    while b"\r\n\r\n" not in request and len(request) < 8192:
        chunk = read(4096)
        if not chunk:
            return
        request += chunk
    write(_HTTP_OK)


def _each_connection(sock: socket.socket, handle: Callable[[socket.socket], None]) -> None:
    """Accept for ever, each connection handled on a thread of its own, then closed."""
    def closing(conn: socket.socket) -> None:
        try:
            handle(conn)
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    while True:
        conn, _ = sock.accept()
        threading.Thread(target=closing, args=(conn,), daemon=True).start()


def _legacy_tls(sock: socket.socket, folder: Path, name: str) -> None:
    """An old portal, as many government portals still are: SSL 3.0 to TLS 1.2, RC4, 3DES and
    RSA key exchange beside AES. tlslite-ng, a TLS stack in pure Python, can still offer what
    this machine's OpenSSL 3 cannot."""
    # tlslite-ng: only in the lab internet's old portal (a test dependency)
    from tlslite.api import HandshakeSettings, TLSConnection, X509CertChain, parsePEMKey

    chain = X509CertChain()
    chain.parsePemList((folder / f"{name}.crt").read_text())
    key = parsePEMKey((folder / f"{name}.key").read_text(), private=True)
    settings = HandshakeSettings()
    settings.minVersion, settings.maxVersion = (3, 0), (3, 3)
    settings.cipherNames = ["aes128gcm", "aes256gcm", "aes128", "aes256", "3des", "rc4"]
    settings.keyExchangeNames = ["rsa", "ecdhe_rsa", "dhe_rsa"]

    def one(conn: socket.socket) -> None:
        tls = TLSConnection(conn)
        with contextlib.suppress(Exception):  # a refused or broken handshake: next client
            conn.settimeout(10)
            tls.handshakeServer(certChain=chain, privateKey=key, settings=settings)
            _answer_http(tls.recv, tls.write)

    _each_connection(sock, one)


def _reset_old(sock: socket.socket, folder: Path, name: str) -> None:
    """A current portal (TLS 1.2 and 1.3) whose front resets the connection on any older
    hello, as some load balancers do: a refusal, not a server that does not answer."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(folder / f"{name}.crt", folder / f"{name}.key")

    def one(conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            conn.settimeout(10)
            head = b""
            deadline = time.monotonic() + 5
            while len(head) < 11 and time.monotonic() < deadline:
                head = conn.recv(11, socket.MSG_PEEK)
                if not head:
                    break
            # a TLS record (22: handshake) holding a ClientHello of version 3.3 (TLS 1.2, and
            # 1.3's hello) or later: anything else is cut off with a TCP reset
            if len(head) < 11 or head[0] != 22 or (head[9], head[10]) < (3, 3):
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, bytes([1, 0, 0, 0] + [0] * 4))
            else:
                with context.wrap_socket(conn, server_side=True) as tls:
                    _answer_http(tls.recv, tls.sendall)

    _each_connection(sock, one)


def main(folder: Path) -> int:
    spec = json.loads((folder / "portals.json").read_text())
    portals = spec["portals"]
    _addresses(portals, spec["resolver"], *spec["dns_servers"], *spec["dns_servers6"])
    inspector = _inspector(folder, spec)
    listeners = []
    for portal in portals:
        fault = portal["serve"]
        if fault in ("silent", "reset", "garbage"):
            listeners.append((_listen(portal["ipv4"], 443), fault, b""))
        elif fault in ("smtp", "smtp_tls"):
            for address in (portal["ipv4"], portal["ipv6"]):
                if address:
                    threading.Thread(target=_smtp, args=(_listen(address, 25), folder,
                                                         portal["name"], fault == "smtp_tls"),
                                     daemon=True).start()
    for sock, fault, banner in listeners:
        threading.Thread(target=_serve, args=(sock, fault, banner), daemon=True).start()
    for portal in portals:
        server = {"legacy": _legacy_tls, "reset_old": _reset_old}.get(portal["serve"])
        if server is not None:
            threading.Thread(target=server, args=(_listen(portal["ipv4"], 443), folder,
                                                  portal["name"]), daemon=True).start()
    daemons = [
        *(subprocess.Popen(lab_dns.knot_command(folder, server))
          for server in spec["dns_servers"]),
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
