"""A small internet for public portals, inside one network namespace of its own: a
signed DNS hierarchy from its own root served by Knot DNS (dns.py), a validating resolver
(Unbound) whose only trust anchor is the lab root's key, HTTPS servers (nginx)
on IPv4 and IPv6 addresses with certificates from a CA the lab makes, and fault servers (a
portal that never answers, one that resets, one that speaks garbage, a name whose servers are
gone). Root only.

Nothing in it can reach the machine's network or beyond: the namespace has only its loopback,
which holds every address, and no route out; the probe runs inside it (`egov-audit lab exec`).
Every name is under the reserved `example.` domain and every address in the benchmarking and
documentation ranges (RFC 2544, 3849)."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import dns as lab_dns

RESOLVER = "198.18.5.53"
# the inspector's machine (where the probe runs): its end of the link into the lab internet,
# and an address on its loopback where a cloud's metadata service would answer
INSPECTOR_LINK = ("198.18.6.1", "198.18.6.2")
INSPECTOR_LINK6 = ("2001:db8:6::1", "2001:db8:6::2")
INSPECTOR_METADATA = "169.254.169.254"
NETNS_PID = "internet.pid"  # in the portals folder: PID 1 of the lab's internet


@dataclass(frozen=True)
class LabPortal:
    """One public name of the lab internet and what serves it."""

    name: str  # without the final dot
    ipv4: str
    ipv6: str = ""  # "" : no AAAA record
    # nginx profile: good | weak (TLS 1.0, every suite, a 1024-bit DH group, a 96-bit curve);
    # lax: good TLS but 0-RTT, weak headers and an expired security.txt;
    # legacy: SSL 3.0, RC4, 3DES (tlslite-ng); reset_old: TLS 1.2+ behind a front that resets
    # older hellos; a fault: silent | reset | garbage; dns_only: records only
    serve: str = "good"
    ipv6_served: bool = True  # False: an AAAA record, but nothing listens on it
    # valid | expired | wrong_name | dual (an expired RSA certificate and a sound ECDSA one,
    # which is what a default client is handed)
    cert: str = "valid"


# The sample agencies' portals (inventories/bo-hts, inventories/song-lam) and the faults.
PORTALS = (
    # bo-hts: everything as it should be: IPv4 and IPv6 in its own block, signed zone, TLS 1.2+,
    # HSTS, http redirected
    LabPortal("bohts.example", "198.18.5.10", "2001:db8:100:20::10"),
    # ... its public-service portal on a hosting provider's IPv6, outside the ministry's blocks
    LabPortal("dichvucong.bohts.example", "198.18.5.12", "2001:db8:ffff::12"),
    # song-lam (a zone without DNSSEC): its web portal on IPv4 only, an expired certificate,
    # TLS 1.0 and suites without forward secrecy, no HSTS, plain http served as such
    LabPortal("songlam.example", "198.18.5.11", serve="weak", cert="expired"),
    # ... its public-service portal sound, on IPv6 too (which its declaration does not say)
    LabPortal("dichvucong.songlam.example", "198.18.5.13", "2001:db8:200:20::13"),
    # ... its news portal: sound TLS, but a CSP allowing inline scripts, Referrer-Policy
    # unsafe-url, framing refused by X-Frame-Options only, a security.txt expired and without
    # Contact (the good portals send every header and a valid file; the weak one none, and no
    # security.txt)
    LabPortal("tintuc.songlam.example", "198.18.5.24", serve="lax"),
    # DNSSEC told apart (lab/dns.py): a zone signed with no DS in its parent (an island:
    # provably insecure), and one bogus zone for each reason: signatures expired, not yet
    # valid, a DS matching no key, the portal's records unsigned, the DS's algorithm wrong
    LabPortal("www.dao.example", "198.18.5.15"),
    LabPortal("www.saiky.example", "198.18.5.14"),
    LabPortal("www.som.example", "198.18.5.19"),
    LabPortal("www.lech.example", "198.18.5.20"),
    LabPortal("www.thieuky.example", "198.18.5.21"),
    LabPortal("www.thuattoan.example", "198.18.5.22"),
    # an unsigned agency zone under a registry that signs with NSEC3 opt-out: provably
    # insecure by the opted-out span that covers its delegation
    LabPortal("www.khongky.test", "198.18.5.23"),
    # TLS that the machine's OpenSSL cannot offer, told by sslyze: an old portal on SSL 3.0
    # with RC4 and 3DES; one holding a sound ECDSA certificate (what a default client is
    # handed) and an expired RSA one (what older clients get); one that resets every hello
    # older than TLS 1.2
    LabPortal("cu.example", "198.18.5.16", serve="legacy"),
    LabPortal("hai.example", "198.18.5.17", cert="dual"),
    LabPortal("tuchoi.example", "198.18.5.18", serve="reset_old"),
    # faults: never answers TLS, resets, speaks garbage; a name whose DNS servers are gone
    LabPortal("cham.example", "198.18.5.71", serve="silent"),
    LabPortal("ngat.example", "198.18.5.72", serve="reset"),
    LabPortal("rac.example", "198.18.5.73", serve="garbage"),
    LabPortal("www.mat.example", "198.18.5.74"),
    # a name that points at the probing machine itself: never probed
    LabPortal("loop.example", "127.0.0.1", serve="dns_only"),
)
# Names whose records aim at the inspector's own machine, its cloud's metadata or nowhere, in
# every notation (tests/lab/test_portal_lab.py: none of them is ever contacted)
HOSTILE = (
    LabPortal("mapped.hostile.example", "127.0.0.2", "::ffff:127.0.0.1", serve="dns_only"),
    LabPortal("compat.hostile.example", "127.255.255.254", "::127.0.0.1", serve="dns_only"),
    LabPortal("nat64.hostile.example", "169.254.169.254", "64:ff9b::7f00:1", serve="dns_only"),
    LabPortal("sixtofour.hostile.example", "0.0.0.0", "2002:7f00:1::1", serve="dns_only"),
    LabPortal("teredo.hostile.example", "0.1.2.3",
              "2001:0:4136:e378:8000:63bf:80ff:fffe", serve="dns_only"),
    LabPortal("metadata.hostile.example", "169.254.1.1", "::ffff:169.254.169.254",
              serve="dns_only"),
    LabPortal("nat64meta.hostile.example", "127.0.0.1", "64:ff9b::a9fe:a9fe", serve="dns_only"),
    LabPortal("own.hostile.example", INSPECTOR_LINK[1], INSPECTOR_LINK6[1], serve="dns_only"),
    LabPortal("ownmapped.hostile.example", "224.0.0.1", f"::ffff:{INSPECTOR_LINK[1]}",
              serve="dns_only"),
    LabPortal("unspecified.hostile.example", "0.0.0.0", "::", serve="dns_only"),
    LabPortal("linklocal.hostile.example", "169.254.10.1", "fe80::1", serve="dns_only"),
    LabPortal("multicast.hostile.example", "239.1.1.1", "ff02::1", serve="dns_only"),
)
# a sound portal in private space (an intranet's): probed only with --allow-private
INTRANET = LabPortal("intranet.example", "10.99.0.10", "fd00:99::10")
# Mail. bo-hts's domain, as it should be: its exchanger on both families with STARTTLS (TLS
# 1.2+, a valid certificate) and a TLSA record matching it in the signed zone, SPF -all, DMARC
# reject, a DKIM key at the selector its inventory declares, MTA-STS enforce served from
# mta-sts.bohts.example. Its second domain thu.bohts.example: an exchanger whose TLSA record
# is stale (an older key's), SPF ~all, DMARC quarantine. song-lam's (an unsigned zone): an
# exchanger without STARTTLS, SPF past ten lookups, DMARC p=none, a revoked DKIM key, an
# _mta-sts record whose policy host has no address (tests/lab/test_portal_lab.py)
MAIL_DOMAIN = "bohts.example"
SECOND_MAIL_DOMAIN = "thu.bohts.example"
SONGLAM_MAIL_DOMAIN = "songlam.example"
DKIM_SELECTOR = "mail2026"
SONGLAM_DKIM_SELECTOR = "s2024"
MX = LabPortal("mx.bohts.example", "198.18.5.25", "2001:db8:100:20::25", serve="smtp_tls")
MX2 = LabPortal("mx2.bohts.example", "198.18.5.26", serve="smtp_tls")
SONGLAM_MX = LabPortal("mx.songlam.example", "198.18.5.27", serve="smtp")
MTA_STS = LabPortal("mta-sts.bohts.example", "198.18.5.28", "2001:db8:100:20::28")
MAIL_HOSTS = (MX, MX2, SONGLAM_MX, MTA_STS)
MTA_STS_POLICY = f"version: STSv1\nmode: enforce\nmx: {MX.name}\nmax_age: 604800\n"
_NGINX_POLICY = MTA_STS_POLICY.replace("\n", "\\n")  # nginx reads \n in a quoted string
# a chain of names for song-lam's SPF record: a:h1 ... a:h10 beside a and mx, 12 lookups
SPF_HOSTS = tuple(f"h{i}.songlam.example" for i in range(1, 11))
# benchmarks (benchmarks/bench_probe.py): many agencies' portals, p0000.bench.example ..., on a
# few servers, as hosting providers serve many agencies
BENCH_ZONE = lab_dns.BENCH_ZONE
LAME_ZONE = lab_dns.LAME_ZONE
BENCH_SERVERS = tuple(LabPortal(f"bench{i}", f"198.18.5.{40 + i}", f"2001:db8:100:40::{i}",
                                serve="bench") for i in range(4))


def bench_name(index: int) -> str:
    return f"p{index:04d}.{BENCH_ZONE[:-1]}"


def _zone_of(name: str) -> str:
    fqdn = name + "."
    for zone in sorted((*lab_dns.agency_zones(0), LAME_ZONE, lab_dns.TLD, lab_dns.OPT_OUT_TLD),
                       key=len,
                       reverse=True):
        if fqdn.endswith("." + zone) or fqdn == zone:
            return zone
    raise ValueError(name)


def _records(zone: str, bench: int = 0, mail_records: dict[str, list[str]] | None = None
             ) -> list[str]:
    """The zone's records as zone-file lines (fully qualified), before any signing."""
    mail_records = mail_records or {}
    lines = [*lab_dns.soa(zone), *lab_dns.delegations(zone, bench)]
    if zone == f"{MAIL_DOMAIN}.":
        lines.append(f'{MAIL_DOMAIN}. 3600 IN CAA 0 issue "ca.example"')
    lines += mail_records.get(zone, [])
    if zone == BENCH_ZONE:
        for index in range(bench):
            serving = BENCH_SERVERS[index % len(BENCH_SERVERS)]
            lines.append(f"{bench_name(index)}. 300 IN A {serving.ipv4}")
            lines.append(f"{bench_name(index)}. 300 IN AAAA {serving.ipv6}")
        return lines
    for portal in (*PORTALS, *HOSTILE, INTRANET, *MAIL_HOSTS):
        if _zone_of(portal.name) != zone or zone == LAME_ZONE:
            continue
        if portal.ipv4:
            lines.append(f"{portal.name}. 300 IN A {portal.ipv4}")
        if portal.ipv6:
            lines.append(f"{portal.name}. 300 IN AAAA {portal.ipv6}")
    return lines


def _issue(folder: Path, stem: str, name: str, key: Any, start: dt.datetime, end: dt.datetime,
           ca: Any, ca_key: Any) -> Any:
    """A server certificate for `name` from the lab CA: <stem>.crt and <stem>.key."""
    # cryptography: only where a key, certificate or signature is handled
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(
                x509.oid.NameOID.COMMON_NAME, name)]))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            # RFC 5280's key identifiers: a strict verifier (cryptography's, in sslyze)
            # refuses a chain without them, as a public CA never issues one
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    (folder / f"{stem}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / f"{stem}.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    os.chmod(folder / f"{stem}.key", 0o600)
    return cert


def _certificates(folder: Path, bench: int = 0) -> None:
    """The lab CA (ca.pem: what the probe is told to trust) and one certificate per portal."""
    # cryptography: only where a key, certificate or signature is handled
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import dh, ec, rsa
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "egov-audit lab CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=365))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                       False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    # the weak portal's DHE group: 1024 bits, as old configurations still have it
    (folder / "dh1024.pem").write_bytes(dh.generate_parameters(generator=2, key_size=1024)
                                        .parameter_bytes(serialization.Encoding.PEM,
                                                         serialization.ParameterFormat.PKCS3))
    bench_cert = (LabPortal(f"*.{BENCH_ZONE[:-1]}", ""),) if bench else ()
    for portal in (*PORTALS, INTRANET, *MAIL_HOSTS, *bench_cert):
        if portal.serve not in ("good", "weak", "lax", "legacy", "reset_old", "smtp_tls"):
            continue
        if portal.cert == "dual":  # beside the RSA one below (expired): a sound ECDSA one
            _issue(folder, f"{portal.name}.ec", portal.name, ec.generate_private_key(
                ec.SECP256R1()), now - dt.timedelta(days=1), now + dt.timedelta(days=90),
                ca, ca_key)
        name = "www.wrong.example" if portal.cert == "wrong_name" else portal.name
        if portal.cert in ("expired", "dual"):
            start, end = now - dt.timedelta(days=400), now - dt.timedelta(days=10)
        else:
            start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=90)
        cert = _issue(folder, portal.name, name, rsa.generate_private_key(
            public_exponent=65537, key_size=2048), start, end, ca, ca_key)
        if portal.serve == "good":  # sound portals staple a fresh OCSP answer: "good"
            # cryptography: only where a key, certificate or signature is handled
            from cryptography.x509 import ocsp

            answer = (ocsp.OCSPResponseBuilder()
                      .add_response(cert, ca, hashes.SHA1(), ocsp.OCSPCertStatus.GOOD, now,
                                    now + dt.timedelta(days=7), None, None)
                      .responder_id(ocsp.OCSPResponderEncoding.HASH, ca)
                      # the signer's certificate travels with the answer, as responders send
                      # it (OpenSSL's verifier, sslyze's, looks for it there)
                      .certificates([ca])
                      .sign(ca_key, hashes.SHA256()))
            (folder / f"{portal.name}.ocsp").write_bytes(
                answer.public_bytes(serialization.Encoding.DER))


def _txt(text: str) -> str:
    """A TXT record's data in zone-file form: strings of at most 255 characters."""
    return " ".join(f'"{text[i:i + 255]}"' for i in range(0, len(text), 255))


def _tlsa(certificate: Path) -> str:
    """DANE-EE, the key's SHA-256 (3 1 1): what survives a renewal on the same key."""
    # cryptography: only where a key, certificate or signature is handled
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = x509.load_pem_x509_certificate(certificate.read_bytes()).public_key()
    return "3 1 1 " + hashlib.sha256(key.public_bytes(
        Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).hexdigest()


def _service_records(folder: Path) -> dict[str, list[str]]:
    """The mail domains' records by zone (MX, SPF, DMARC, DKIM, MTA-STS, TLSA) and the web
    portals' TLSA records (bohts.example's matching its key, tuchoi.example's an older key's),
    after the certificates: the TLSA records are made from them."""
    # cryptography: only where a key, certificate or signature is handled
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    dkim = base64.b64encode(rsa.generate_private_key(public_exponent=65537, key_size=2048)
                            .public_key().public_bytes(Encoding.DER,
                                                       PublicFormat.SubjectPublicKeyInfo)).decode()
    stale = base64.b64decode(dkim)  # any other key's digest: the record of a key since replaced
    bohts, thu, song = MAIL_DOMAIN, SECOND_MAIL_DOMAIN, SONGLAM_MAIL_DOMAIN
    spf_chain = " ".join(f"a:{host}" for host in SPF_HOSTS)
    return {
        "example.": ["_443._tcp.tuchoi.example. 3600 IN TLSA 3 1 1 "
                     + hashlib.sha256(stale + b"web").hexdigest()],
        f"{bohts}.": [
            f"_443._tcp.{bohts}. 3600 IN TLSA {_tlsa(folder / f'{bohts}.crt')}",
            f"{bohts}. 3600 IN MX 10 {MX.name}.",
            f'{bohts}. 3600 IN TXT "v=spf1 mx -all"',
            f'_dmarc.{bohts}. 3600 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@{bohts}"',
            f"{DKIM_SELECTOR}._domainkey.{bohts}. 3600 IN TXT "
            + _txt(f"v=DKIM1; k=rsa; p={dkim}"),
            f'_mta-sts.{bohts}. 3600 IN TXT "v=STSv1; id=20261205"',
            f"_25._tcp.{MX.name}. 3600 IN TLSA {_tlsa(folder / f'{MX.name}.crt')}",
            f"{thu}. 3600 IN MX 10 {MX2.name}.",
            f'{thu}. 3600 IN TXT "v=spf1 a:{MX2.name} ~all"',
            f'_dmarc.{thu}. 3600 IN TXT "v=DMARC1; p=quarantine"',
            f"_25._tcp.{MX2.name}. 3600 IN TLSA 3 1 1 "
            + hashlib.sha256(stale).hexdigest(),
        ],
        f"{song}.": [
            f"{song}. 3600 IN MX 10 {SONGLAM_MX.name}.",
            f'{song}. 3600 IN TXT "v=spf1 a mx {spf_chain} -all"',
            *(f"{host}. 300 IN A 203.0.113.{i}" for i, host in enumerate(SPF_HOSTS, 1)),
            f'_dmarc.{song}. 3600 IN TXT "v=DMARC1; p=none"',
            f'{SONGLAM_DKIM_SELECTOR}._domainkey.{song}. 3600 IN TXT "v=DKIM1; k=rsa; p="',
            f'_mta-sts.{song}. 3600 IN TXT "v=STSv1; id=1"',
        ],
    }


_GOOD_TLS = """    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;
    add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    add_header X-Content-Type-Options nosniff always;
    add_header Content-Security-Policy "default-src 'self'; frame-ancestors 'self'" always;
    add_header Referrer-Policy strict-origin-when-cross-origin always;
"""
_WEAK_TLS = """    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers ALL:@SECLEVEL=0;
    ssl_dhparam DH1024;
    ssl_ecdh_curve prime256v1:secp192r1;
"""
_LAX_TLS = """    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;
    add_header Strict-Transport-Security "max-age=31536000" always;
    add_header X-Content-Type-Options nosniff always;
    add_header Content-Security-Policy "default-src 'self' 'unsafe-inline' https:" always;
    add_header X-Frame-Options SAMEORIGIN always;
    add_header Referrer-Policy unsafe-url always;
    ssl_early_data on;
"""
_TLS = {"good": _GOOD_TLS, "weak": _WEAK_TLS, "lax": _LAX_TLS}


def _security_location(serve: str) -> str:
    """How a profile answers /.well-known/security.txt (RFC 9116): the good portals with a
    file valid for 180 days, the lax one with one expired a month ago, without Contact and
    with a policy on plain http; the weak one has none. Served from the configuration itself:
    nginx's workers cannot read the lab's private folder."""
    now = dt.datetime.now(dt.UTC)

    def stamp(days: int) -> str:
        return (now + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")

    files = {"good": "# egov-audit lab portal\\nContact: mailto:attt@bohts.example\\n"
                     "Contact: https://bohts.example/bao-loi\\n"
                     f"Expires: {stamp(180)}\\nPreferred-Languages: vi, en\\n",
             "lax": f"Expires: {stamp(-30)}\\nPolicy: http://songlam.example/chinh-sach\\n"}
    if serve not in files:
        return "return 404;"
    return f'charset utf-8; return 200 "{files[serve]}";'


def _nginx(folder: Path, bench: int = 0) -> str:
    servers = []
    wildcard = (LabPortal(f"*.{BENCH_ZONE[:-1]}", ""),) if bench else ()
    for portal in (*PORTALS, INTRANET, MTA_STS, *wildcard):
        if portal.serve not in _TLS:
            continue
        listen = [f"{portal.ipv4}"] + ([f"[{portal.ipv6}]"] if portal.ipv6 else [])
        if portal in wildcard:  # every benchmark name, on each of the few servers
            listen = [a for s in BENCH_SERVERS for a in (s.ipv4, f"[{s.ipv6}]")]
        tls = "".join(f"    listen {a}:443 ssl;\n" for a in listen)
        plain = "".join(f"    listen {a}:80;\n" for a in listen)
        cert = folder / portal.name
        body = 'return 200 "lab portal\\n";'
        servers.append(
            f"server {{\n{tls}    server_name {portal.name};\n"
            f"    ssl_certificate {cert}.crt;\n    ssl_certificate_key {cert}.key;\n"
            + (f"    ssl_certificate {cert}.ec.crt;\n    ssl_certificate_key {cert}.ec.key;\n"
               if portal.cert == "dual" else "")
            + _TLS[portal.serve].replace("DH1024", str(folder / "dh1024.pem"))
            + (f"    ssl_stapling on;\n    ssl_stapling_file {cert}.ocsp;\n"
               if portal.serve == "good" and portal.cert != "dual" else "")
            + f"    location / {{ {body} }}\n"
            + ("    location = /.well-known/mta-sts.txt { default_type text/plain; "
               f'return 200 "{_NGINX_POLICY}"; }}\n' if portal is MTA_STS else "")
            + "    location = /.well-known/security.txt { "
            + _security_location(portal.serve) + " }\n"
            + "}\n")
        redirect = "return 301 https://$host$request_uri;" if portal.serve != "weak" else body
        servers.append(f"server {{\n{plain}    server_name {portal.name};\n"
                       f"    location / {{ {redirect} }}\n}}\n")
    temp = "".join(f"    {kind}_temp_path {folder}/tmp/{kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # every request is logged: the tests read what the probe asked for, and as whom
    log = (f"    log_format probe '$host $server_addr $request \"$http_user_agent\"';\n"
           f"    access_log {folder}/access.log probe;\n")
    return (f"worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/nginx.log;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n{log}{temp}    server_tokens off;\n"
            "    keepalive_timeout 5;\n" + "".join(servers) + "}\n")


@dataclass(frozen=True)
class Internet:
    folder: Path

    @property
    def ca_file(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def pid(self) -> int:
        return int((self.folder / NETNS_PID).read_text())

    @property
    def inspector_pid(self) -> int:
        """The process holding the inspector's network namespace, as this machine numbers it
        (the lab's PID namespace numbers it otherwise: its NSpid is matched)."""
        inner = (self.folder / "inspector.nspid").read_text().strip()
        for child in Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split():
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{child}/status").read_text()
                spaced = next(line for line in status.splitlines() if line.startswith("NSpid:"))
                if spaced.split()[-1] == inner:
                    return int(child)
        raise RuntimeError("the inspector's namespace is gone")

    def command(self) -> list[str]:
        """The prefix that runs a command on the inspector's machine: a network namespace of
        its own with a route into the lab internet (the portals' addresses are not its own)."""
        return ["nsenter", "-t", str(self.inspector_pid), "-n", "--"]

    def internet_command(self) -> list[str]:
        """The prefix that runs a command inside the lab internet itself."""
        return ["nsenter", "-t", str(self.pid), "-n", "--"]

    def environment(self) -> dict[str, str]:
        """What tells egov-audit probe the lab's resolver and CA."""
        return {"EGOV_AUDIT_RESOLVER": RESOLVER, "EGOV_AUDIT_CA_FILE": str(self.ca_file),
                "EGOV_AUDIT_TRUST_ANCHOR": str(self.folder / lab_dns.ANCHOR_FILE)}


def up(state: Path, timeout: float = 30.0, bench: int = 0) -> Internet:
    """Start the lab internet; with `bench`, that many more portal names on four servers."""
    folder = state / "portals"
    down(state)  # what an earlier lab left
    (folder / "tmp").mkdir(parents=True)
    _certificates(folder, bench)
    (folder / "nginx.conf").write_text(_nginx(folder, bench))
    lab_dns.write_knot(folder, bench)
    zones = (*(zone for zone, _, _ in lab_dns.KNOT_SIGNED), *lab_dns.agency_zones(bench)[1:])
    mail = _service_records(folder)
    lab_dns.sign_and_write(folder, {zone: _records(zone, bench, mail) for zone in zones}, bench)
    (folder / "unbound.conf").write_text(lab_dns.unbound_conf(folder, RESOLVER))
    (folder / "portals.json").write_text(json.dumps(
        {"portals": [asdict(p) for p in (*PORTALS, INTRANET, *MAIL_HOSTS,
                                         *(BENCH_SERVERS if bench else ()))],
         "resolver": RESOLVER, "inspector_link": INSPECTOR_LINK,
         "inspector_link6": INSPECTOR_LINK6, "inspector_extra": [INSPECTOR_METADATA],
         "dns_servers": [lab_dns.ROOT_DNS, lab_dns.AUTHORITY, lab_dns.AGENCY_DNS],
         "dns_servers6": [lab_dns.AGENCY_DNS6]}, indent=2))
    with open(folder / "console.log", "wb") as console:
        proc = subprocess.Popen(
            ["unshare", "--net", "--pid", "--fork", "--kill-child", "--mount-proc",
             sys.executable, "-m", "egov_audit.lab.internet", str(folder)],
            stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
            start_new_session=True)
    (folder / "unshare.pid").write_text(str(proc.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (folder / "ready").exists():
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
            (folder / NETNS_PID).write_text(children[0])
            return Internet(folder)
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    log = (folder / "console.log").read_text(errors="replace")[-600:]
    down(state)
    raise RuntimeError(f"the lab internet did not start: {' '.join(log.split())}")


def down(state: Path) -> bool:
    """Stop the lab internet (its PID 1 takes every daemon with it). True if one was up."""
    folder = state / "portals"
    try:
        upid = int((folder / "unshare.pid").read_text())
    except (OSError, ValueError):
        shutil.rmtree(folder, ignore_errors=True)
        return False
    with contextlib.suppress(OSError):
        os.killpg(upid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and Path(f"/proc/{upid}").exists():
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(upid, os.WNOHANG)
        time.sleep(0.05)
    with contextlib.suppress(OSError):
        os.killpg(upid, signal.SIGKILL)
    shutil.rmtree(folder, ignore_errors=True)
    return True


def running(state: Path) -> Internet | None:
    folder = state / "portals"
    return Internet(folder) if (folder / "ready").exists() else None
