"""The deployment as shipped: deploy/nginx-egov-audit.conf (its ports, certificate paths and
include replaced, nothing else) in front of two instances of `egov-audit serve`, TLS with a
certificate of a CA made here. An agency submits over HTTPS with `submit --ca-file` (and is
refused without it: the certificate is checked), an inspector's session works through the
proxy (its Secure cookie over TLS), and with one instance killed the site still answers."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from egov_audit.store import open_store
from tests.helpers import REPO, run_cli, signed_samples
from tests.service import PASSWORD, Served, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = [pytest.mark.slow,
              # as root (CI), make test installs nginx: a missing one then fails, never skips
              pytest.mark.skipif(os.geteuid() != 0 and not Path(NGINX).exists(),
                                 reason="needs nginx (make test installs it as root)")]


def _certificates(out: Path) -> tuple[Path, Path, Path]:
    """A CA, and a certificate for 127.0.0.1 it signed: (ca.pem, cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def name(text: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("egov-audit test CA"))
          .issuer_name(name("egov-audit test CA")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now)
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                       False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = out / "ca.pem", out / "cert.pem", out / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


def _site(ports: tuple[int, int], https: int, http: int, cert: Path, key: Path) -> str:
    """The shipped site with this machine's ports and paths: nothing else changed."""
    text = (REPO / "deploy" / "nginx-egov-audit.conf").read_text()
    replacements = {
        "server 127.0.0.1:8081": f"server 127.0.0.1:{ports[0]}",
        "server 127.0.0.1:8082": f"server 127.0.0.1:{ports[1]}",
        "listen 80;": f"listen 127.0.0.1:{http};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "/etc/ssl/egov-audit/fullchain.pem": str(cert),
        "/etc/ssl/egov-audit/privkey.pem": str(key),
        "/etc/nginx/egov-audit-proxy.conf": str(REPO / "deploy" / "nginx-egov-audit-proxy.conf"),
    }
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture
def site(tmp_path: Path) -> Iterator[dict[str, Any]]:
    work = tmp_path
    signed = signed_samples(work, ("song-lam",))
    db = str(work / "national.db")
    from egov_audit.serve.auth import hash_password

    with open_store(db) as store:
        store.add_key("song-lam", (work / "song-lam.pub").read_text(), "test")
        store.add_account("thanh-tra", "inspector", None, hash_password(PASSWORD), "test")
    instances = [Served(db, work / "a.log"), Served(db, work / "b.log")]
    ca, cert, key = _certificates(work)
    https, http = free_port(), free_port()
    (work / "site.conf").write_text(_site((instances[0].port, instances[1].port), https, http,
                                          cert, key))
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / folder).mkdir()
    temp = "".join(f"{kind}_temp_path {work / folder};\n" for kind, folder in (
        ("client_body", "body"), ("proxy", "proxy"), ("fastcgi", "fastcgi"), ("uwsgi", "uwsgi"),
        ("scgi", "scgi")))
    (work / "nginx.conf").write_text(
        f"worker_processes 1;\npid {work}/nginx.pid;\nerror_log {work}/error.log;\n"
        "daemon off;\nevents {}\nhttp {\naccess_log off;\n" + temp +
        f"include {work}/site.conf;\n}}\n")
    check = subprocess.run([NGINX, "-t", "-c", str(work / "nginx.conf")], capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0, check.stderr
    nginx = subprocess.Popen([NGINX, "-c", str(work / "nginx.conf")], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", https), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and nginx.poll() is None, \
                    (work / "error.log").read_text() if (work / "error.log").exists() else ""
                time.sleep(0.1)
        yield {"url": f"https://127.0.0.1:{https}", "http": f"http://127.0.0.1:{http}",
               "ca": ca, "signed": signed, "instances": instances, "db": db}
    finally:
        nginx.terminate()
        nginx.wait(20)
        for instance in instances:
            instance.stop()


def test_behind_the_shipped_nginx_site(site: dict[str, Any]) -> None:
    import httpx2

    url, bundle = site["url"], str(site["signed"]["song-lam"])
    unverified = run_cli("submit", url, bundle, "--retries", "0", "--lang", "en")
    assert unverified.returncode == 2 and "TLS" in unverified.stderr  # a CA it does not know
    stored = run_cli("submit", url, bundle, "--ca-file", str(site["ca"]), "--lang", "en")
    assert stored.returncode == 0 and stored.stdout.startswith("stored "), stored.stderr

    plain = httpx2.get(site["http"] + "/nation", follow_redirects=False)
    assert plain.status_code == 301 and plain.headers["location"].startswith("https://")

    trusted = ssl.create_default_context(cafile=str(site["ca"]))
    with httpx2.Client(base_url=url, verify=trusted) as client:
        page = client.get("/login")
        assert page.headers["strict-transport-security"].startswith("max-age=")
        token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        login = client.post("/login", data={"csrf": token, "account": "thanh-tra",
                                            "password": PASSWORD}, follow_redirects=False)
        assert login.status_code == 303, login.text
        nation = client.get("/nation")
        assert nation.status_code == 200 and "/agency/song-lam" in nation.text
        # one instance gone: the other answers every request, the session still good
        site["instances"][0].kill()
        for _ in range(6):
            assert client.get("/nation").status_code == 200
    with open_store(site["db"]) as store:
        actions = [(e.action, e.detail) for e in store.audit_log()]
    # the address a login is counted by is the client's, as nginx forwarded it
    assert ("login", "127.0.0.1") in actions
