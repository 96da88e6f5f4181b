"""The lab internet's DNS: a signed hierarchy from its own root, as the real one is built.

- the root (`.`, NSEC, as the real root), a top-level domain (`example.`, NSEC3, as most
  registries), a second one with NSEC3 opt-out (`test.`, as large registries sign) and the
  sound agency zone `bohts.example.` (NSEC3) are signed by Knot DNS itself,
  with keys made by its keymgr before it starts (so each parent can hold its child's DS);
- the broken zones are signed by dnspython, each broken in one way a validator must tell: the
  signatures expired, not yet valid, a DS that matches no key, a record left unsigned, a DS
  with the wrong algorithm number; and one signed zone with no DS in its parent (an island);
- one unsigned agency zone, one whose servers are gone, and the benchmark's zone.

Three Knot servers (the root's, the registry's, the agencies') so every zone cut is a real
referral; Unbound resolves from the lab root with the lab root's key as its trust anchor
(root.key, the file the probe is given too)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

ROOT_DNS = "198.18.5.52"  # the lab root's server
AUTHORITY = "198.18.5.54"  # the top-level domain's server (the registry's, say)
AGENCY_DNS = "198.18.5.55"  # the agencies' own zones' server
AGENCY_DNS6 = "2001:db8:5::55"  # ... on IPv6 too: dns.example. has both; dns4.example. only IPv4
GONE = "198.18.5.99"  # the servers of a delegated zone that no longer answer: SERVFAIL
ANCHOR_FILE = "root.key"
TLD = "example."
# a second top-level domain, with NSEC3 opt-out as large registries sign: an unsigned
# delegation in it has no NSEC3 record of its own, only the opted-out span that covers it
OPT_OUT_TLD = "test."
# the zones Knot signs itself: (zone, its server, its denial of existence)
KNOT_SIGNED = ((".", ROOT_DNS, "nsec"), (TLD, AUTHORITY, "nsec3"),
               (OPT_OUT_TLD, AUTHORITY, "nsec3-optout"), ("bohts.example.", AGENCY_DNS, "nsec3"))
UNSIGNED_ZONES = ("songlam.example.", "khongky.test.")
# zones whose name server has no IPv6 address (dns4.example.): the others' (dns.example.) has
V4_ONLY_ZONES = ("songlam.example.",)
LAME_ZONE = "mat.example."
ISLAND_ZONE = "dao.example."  # signed, no DS in the parent
# signed by dnspython, each broken in one way (the reason a validator should give)
BROKEN = {
    "saiky.example.": "expired",
    "som.example.": "not_yet_valid",
    "lech.example.": "ds_mismatch",
    "thieuky.example.": "no_signature",
    "thuattoan.example.": "wrong_algorithm",
}
BENCH_ZONE = "bench.example."


def dnspython_signed(bench: int) -> tuple[str, ...]:
    return (ISLAND_ZONE, *BROKEN, *((BENCH_ZONE,) if bench else ()))


def agency_zones(bench: int) -> tuple[str, ...]:
    """Every zone below the top-level domain that the agencies' server holds."""
    return ("bohts.example.", *dnspython_signed(bench), *UNSIGNED_ZONES)


def _server_of(zone: str) -> str:
    return {".": "ns.root.example.", TLD: "ns.example.", OPT_OUT_TLD: "ns.example."}.get(
        zone, "dns4.example." if zone in V4_ONLY_ZONES else "dns.example.")


def soa(zone: str) -> list[str]:
    server = _server_of(zone)
    return [f"{zone} 3600 IN SOA {server} hostmaster.example. 1 3600 900 604800 300",
            f"{zone} 3600 IN NS {server}"]


def delegations(zone: str, bench: int) -> list[str]:
    """The parent zones' own records: name servers, their glue, the lame delegation."""
    if zone == ".":
        return [f"ns.root.example. 3600 IN A {ROOT_DNS}", f"{TLD} 3600 IN NS ns.example.",
                f"ns.example. 3600 IN A {AUTHORITY}", f"{OPT_OUT_TLD} 3600 IN NS ns.example."]
    if zone == OPT_OUT_TLD:
        return [f"{child} 3600 IN NS {_server_of(child)}" for child in agency_zones(bench)
                if child.endswith("." + OPT_OUT_TLD)]
    if zone != TLD:
        return []
    # a child served by its parent's own server would be answered without a referral, and a
    # validating resolver would call the unsigned one "DNSSEC lame": the agencies have their own
    lines = [f"ns.example. 3600 IN A {AUTHORITY}", f"dns.example. 3600 IN A {AGENCY_DNS}",
             f"dns.example. 3600 IN AAAA {AGENCY_DNS6}", f"dns4.example. 3600 IN A {AGENCY_DNS}",
             f"ns.root.example. 3600 IN A {ROOT_DNS}"]
    lines += [f"{child} 3600 IN NS {_server_of(child)}" for child in agency_zones(bench)
              if child.endswith("." + TLD)]
    lines += [f"{LAME_ZONE} 3600 IN NS ns.mat.example.", f"ns.mat.example. 3600 IN A {GONE}"]
    return lines


def file_of(folder: Path, zone: str) -> Path:
    return folder / ("root.zone" if zone == "." else f"{zone}zone")


def sign_and_write(folder: Path, records: dict[str, list[str]], bench: int) -> None:
    """Write every zone file: Knot's to sign at start (with their children's DS), dnspython's
    signed (and broken) here; and root.key, the lab's trust anchor."""
    ds: dict[str, list[str]] = {zone: [] for zone, _, _ in KNOT_SIGNED}
    for zone, _, _ in KNOT_SIGNED:
        knot_keys(folder, zone)
    for zone in dnspython_signed(bench):
        if zone != ISLAND_ZONE:
            ds[TLD] += [f"{zone} 3600 IN DS {line}" for line in _sign(folder, zone,
                                                                      records[zone])]
        else:
            _sign(folder, zone, records[zone])
    ds[TLD] += [f"{line}" for line in knot_ds(folder, "bohts.example.")]
    ds["."] += knot_ds(folder, TLD) + knot_ds(folder, OPT_OUT_TLD)
    for zone, _, _ in KNOT_SIGNED:
        file_of(folder, zone).write_text("\n".join([*records[zone], *ds[zone]]) + "\n")
    for zone in UNSIGNED_ZONES:
        file_of(folder, zone).write_text("\n".join(records[zone]) + "\n")
    (folder / ANCHOR_FILE).write_text("; the lab root's key-signing key\n"
                                      + "\n".join(knot_ds(folder, ".")) + "\n")


def _sign(folder: Path, zone: str, lines: list[str]) -> list[str]:
    """Sign the zone with dnspython (NSEC), broken as BROKEN says; the DS rdata the parent
    should hold (a wrong one where that is the fault)."""
    # dnspython and cryptography: only when DNS is asked (a portal probed, the lab internet)
    import dns.dnssec
    import dns.rdatatype
    import dns.zone
    from cryptography.hazmat.primitives.asymmetric import ec
    from dns.dnssectypes import Algorithm

    fault = BROKEN.get(zone, "")
    now = dt.datetime.now(dt.UTC)
    private = ec.generate_private_key(ec.SECP256R1())
    dnskey = dns.dnssec.make_dnskey(private.public_key(), Algorithm.ECDSAP256SHA256, flags=257)
    parsed = dns.zone.from_text("\n".join(lines) + "\n", origin=zone, relativize=False)
    start, end = {"expired": (-60, -30), "not_yet_valid": (30, 60)}.get(fault, (-1, 30))
    dns.dnssec.sign_zone(parsed, keys=[(private, dnskey)],
                         inception=now + dt.timedelta(days=start),
                         expiration=now + dt.timedelta(days=end))
    if fault == "no_signature":  # the portal's addresses left unsigned
        for name, node in parsed.nodes.items():
            if name.labels[0] == b"www":
                for covered in (dns.rdatatype.A, dns.rdatatype.AAAA):
                    node.delete_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, covered)
    file_of(folder, zone).write_text(parsed.to_text(relativize=False))
    # dnspython 2.8 (the newest that sslyze's cryptography admits) leaves to_text untyped
    if fault == "ds_mismatch":  # the DS of a key the zone no longer has
        other = dns.dnssec.make_dnskey(ec.generate_private_key(ec.SECP256R1()).public_key(),
                                       Algorithm.ECDSAP256SHA256, flags=257)
        return [dns.dnssec.make_ds(zone, other, "SHA256").to_text()]  # type: ignore[no-untyped-call]
    text: str = dns.dnssec.make_ds(zone, dnskey, "SHA256").to_text()  # type: ignore[no-untyped-call]
    if fault == "wrong_algorithm":  # the registrar's form got 8 (RSA/SHA-256) for 13 (ECDSA)
        tag, _, digest_type, digest = text.split(maxsplit=3)
        text = f"{tag} 8 {digest_type} {digest}"
    return [text]


# -- Knot DNS ----------------------------------------------------------------------------------
def knot_conf(folder: Path, server: str) -> Path:
    return folder / f"knot-{server}.conf"


def _knot_name(address: str) -> str:
    return {ROOT_DNS: "root", AUTHORITY: "registry", AGENCY_DNS: "agency"}[address]


def write_knot(folder: Path, bench: int) -> list[Path]:
    """One configuration per server: the Knot-signed zones it signs, the others as they are."""
    written = []
    for address in (ROOT_DNS, AUTHORITY, AGENCY_DNS):
        name = _knot_name(address)
        storage = folder / f"knot-{name}"
        storage.mkdir(exist_ok=True)
        zones = [(zone, policy) for zone, at, policy in KNOT_SIGNED if at == address]
        plain = agency_zones(bench)[1:] if address == AGENCY_DNS else ()
        listen = f"[ {address}@53, {AGENCY_DNS6}@53 ]" if address == AGENCY_DNS \
            else f"{address}@53"
        text = (f'server:\n    rundir: "{storage}"\n    listen: {listen}\n'
                f'    pidfile: "{storage}/knot.pid"\n'
                f'log:\n  - target: "{folder}/knot-{name}.log"\n    any: info\n'
                f'database:\n    storage: "{storage}"\n'
                f'control:\n    listen: "{storage}/knot.sock"\n'
                "policy:\n" + "".join(
                    f"  - id: {policy}\n    algorithm: ecdsap256sha256\n"
                    "    single-type-signing: on\n    manual: on\n"
                    f"    nsec3: {'off' if policy == 'nsec' else 'on'}\n"
                    f"    nsec3-opt-out: {'on' if policy == 'nsec3-optout' else 'off'}\n"
                    "    nsec3-iterations: 0\n    nsec3-salt-length: 0\n"
                    for policy in ("nsec", "nsec3", "nsec3-optout"))
                + "zone:\n" + "".join(
                    f'  - domain: "{zone}"\n    file: "{file_of(folder, zone)}"\n'
                    f"    dnssec-signing: on\n    dnssec-policy: {policy}\n"
                    "    zonefile-sync: -1\n"
                    for zone, policy in zones)
                + "".join(f'  - domain: "{zone}"\n    file: "{file_of(folder, zone)}"\n'
                          "    zonefile-sync: -1\n" for zone in plain))
        knot_conf(folder, name).write_text(text)
        written.append(knot_conf(folder, name))
    return written


def knot_keys(folder: Path, zone: str) -> None:
    """A key-signing key (signing everything: Knot's single-type signing) made by keymgr in
    the zone's server's key store, before the server starts."""
    _keymgr(folder, zone, "generate", "algorithm=ecdsap256sha256", "ksk=yes", "zsk=yes")


def knot_ds(folder: Path, zone: str) -> list[str]:
    """The zone's DS records (SHA-256) as keymgr prints them: "owner DS rdata"."""
    out = _keymgr(folder, zone, "ds")
    return [f"{owner} 3600 IN DS {rest}" for owner, _, rest in
            (line.split(maxsplit=2) for line in out.splitlines() if line.strip())
            if rest.split()[2] == "2"]


def _keymgr(folder: Path, zone: str, *command: str) -> str:
    address = next(at for name, at, _ in KNOT_SIGNED if name == zone)
    conf = knot_conf(folder, _knot_name(address))
    done = subprocess.run(["/usr/sbin/keymgr", "-c", str(conf), zone, *command],
                          capture_output=True, text=True, timeout=30, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"keymgr {zone} {command[0]}: {done.stderr.strip()[:300]}")
    return done.stdout


# -- Unbound -------------------------------------------------------------------------------------
def unbound_conf(folder: Path, resolver: str) -> str:
    (folder / "root.hints").write_text(
        f". 3600000 NS ns.root.example.\nns.root.example. 3600000 A {ROOT_DNS}\n")
    return (f'server:\n  interface: {resolver}\n  port: 53\n  username: ""\n  chroot: ""\n'
            f'  directory: "{folder}"\n  pidfile: "{folder}/unbound.pid"\n'
            f'  logfile: "{folder}/unbound.log"\n  use-syslog: no\n  verbosity: 1\n'
            "  num-threads: 1\n  access-control: 0.0.0.0/0 allow\n"
            "  access-control: ::/0 allow\n  do-not-query-localhost: no\n"
            "  module-config: \"validator iterator\"\n  val-log-level: 2\n"
            f'  root-hints: "{folder}/root.hints"\n'
            f'  trust-anchor-file: "{folder / ANCHOR_FILE}"\n'
            "  qname-minimisation: no\n"
            # Unbound answers test. itself (RFC 6761) unless told the lab serves it
            f'  local-zone: "{OPT_OUT_TLD}" nodefault\n'
            "  infra-host-ttl: 60\n  outbound-msg-retry: 1\n"
            "remote-control:\n  control-enable: no\n")


def knot_command(folder: Path, address: str) -> list[str]:
    return ["/usr/sbin/knotd", "-c", str(knot_conf(folder, _knot_name(address)))]
