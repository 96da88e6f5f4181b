"""The mail probe's readers on their own: tag=value lists, DKIM keys, TLSA matching, MTA-STS
policy files, SMTP replies. The probe on real servers: tests/lab/test_portal_lab.py."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import socket

import dns.message
import dns.name
import dns.rdatatype
import dns.rrset
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from egov_audit.portal import dane, mail
from egov_audit.portal.mailrecords import sts_policy, tags


def _spki(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def _cert(name: str, key: ec.EllipticCurvePrivateKey) -> bytes:
    now = dt.datetime.now(dt.UTC)
    subject = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, name)])
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()).public_bytes(Encoding.DER))


def test_tag_lists_are_read_as_receivers_read_them() -> None:
    assert tags(" v=DMARC1 ; P=reject;pct = 50; p=none;") == {"v": "DMARC1", "p": "reject",
                                                              "pct": "50"}
    assert tags("v=DKIM1; p=MIIB IjAN\n Bg kq")["p"] == "MIIBIjANBgkq"  # folded base64
    assert tags("no tags here") == {}


def test_only_records_whose_first_term_is_the_version_are_taken() -> None:
    records = ["v=spf1 -all", "v=spf10 -all", "V=SPF1 mx ~all", "google-site-verification=x",
               "v=spf1"]
    assert mail._tagged(records, "v=spf1") == ["v=spf1 -all", "V=SPF1 mx ~all", "v=spf1"]
    assert mail._tagged(["v=DMARC1; p=reject", "v=DMARC10; p=none", "v=DMARC1"],
                        "v=DMARC1") == ["v=DMARC1; p=reject", "v=DMARC1"]


def test_dkim_keys_are_read_with_their_size_or_why_not() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    record = f"v=DKIM1; k=rsa; p={base64.b64encode(_spki(key)).decode()}"
    assert mail.dkim_key(record) == {"type": "rsa", "bits": 2048}
    edwards = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)
    assert mail.dkim_key(f"k=ed25519; p={base64.b64encode(edwards).decode()}") == {
        "type": "ed25519", "bits": 256}
    assert mail.dkim_key("v=DKIM1; p=") == {"type": "rsa", "revoked": True}
    assert mail.dkim_key("v=DKIM1; p=!!!")["error"] == "p= is not base64"
    assert mail.dkim_key("v=DKIM1; p=AAAA")["error"] == "p= holds no RSA public key"
    assert mail.dkim_key("v=DKIM1; k=dsa; p=AAAA")["error"] == "not a key type DKIM defines"
    assert mail.dkim_key("v=DKIM1")["error"] == "no p= tag"
    # a hostile record's key type is bounded as the published evidence schema bounds it
    assert mail.dkim_key(f"k={'x' * 500}; p=") == {"type": "x" * 20, "revoked": True}
    elliptic = ec.generate_private_key(ec.SECP256R1())
    assert mail.dkim_key(f"p={base64.b64encode(_spki(elliptic)).decode()}")["error"] == \
        "p= holds a key of another type"


def test_tlsa_records_match_the_chain_as_dane_for_smtp_does() -> None:
    leaf_key, ca_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(
        ec.SECP256R1())
    leaf, ca = _cert("mx.example", leaf_key), _cert("ca", ca_key)
    chain = [leaf, ca]
    spki = hashlib.sha256(_spki(leaf_key)).hexdigest()
    assert dane.match(f"3 1 1 {spki}", chain)  # DANE-EE, the leaf's key
    assert dane.match(f"3 0 2 {hashlib.sha512(leaf).hexdigest()}", chain)
    assert dane.match(f"3 0 0 {leaf.hex()[:60]} {leaf.hex()[60:]}", chain)  # split data
    assert dane.match(f"2 1 1 {hashlib.sha256(_spki(ca_key)).hexdigest()}", chain)
    assert not dane.match(f"2 1 1 {spki}", chain)  # DANE-TA is never the leaf
    assert not dane.match(f"1 1 1 {spki}", chain)  # PKIX-EE: not for SMTP
    assert not dane.match(f"3 1 1 {'00' * 32}", chain)
    assert not dane.match(f"3 1 1 {spki}", [])
    assert not dane.match("3 1", chain)
    # a web server's records: PKIX-EE and PKIX-TA count too (RFC 6698)
    assert dane.match(f"1 1 1 {spki}", chain, smtp=False)
    assert dane.match(f"0 0 1 {hashlib.sha256(ca).hexdigest()}", chain, smtp=False)
    assert not dane.match(f"0 1 1 {spki}", chain, smtp=False)


def test_mta_sts_policies_are_read_line_by_line() -> None:
    found = sts_policy("version: STSv1\r\nmode: enforce\r\nmx: MX1.example\nmx: *.example\n"
                       "max_age: 86400\nmode: none\njunk\n")
    assert found == {"version": "STSv1", "mode": "enforce", "mx": ["mx1.example", "*.example"],
                     "max_age": "86400"}


@pytest.mark.parametrize("answer, expected", [
    (b"220 mx ESMTP\r\n", (220, ["220 mx ESMTP"])),
    (b"250-mx\r\n250-SIZE 1000\r\n250 STARTTLS\r\n", (250, ["250-mx", "250-SIZE 1000",
                                                            "250 STARTTLS"])),
    (b"garbage", (0, ["garbage"])),
])
def test_smtp_replies_are_read_to_their_last_line(answer: bytes,
                                                   expected: tuple[int, list[str]]) -> None:
    near, far = socket.socketpair()
    with near, far:
        far.sendall(answer)
        far.shutdown(socket.SHUT_WR)
        assert mail._reply(near) == expected


class _Zone:
    """A validator's fetch over records in memory: what pyspf's lookups go through."""

    def __init__(self, records: dict[tuple[str, str], list[str]]) -> None:
        self.records = records
        self.asked: list[tuple[str, str]] = []

    def fetch(self, name: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> dns.message.Message:
        key = (name.to_text(omit_final_dot=True).lower(), dns.rdatatype.to_text(rdtype))
        self.asked.append(key)
        response = dns.message.make_response(dns.message.make_query(name, rdtype))
        if key in self.records:
            response.answer.append(dns.rrset.from_text_list(name, 300, "IN", rdtype,
                                                            self.records[key]))
        return response


def _spf(records: dict[tuple[str, str], list[str]]) -> dict[str, object]:
    return mail.spf_facts(_Zone(records), "agency.example", 2.0)  # type: ignore[arg-type]


def test_spf_is_evaluated_by_pyspf_for_a_sender_the_domain_does_not_list() -> None:
    zone = {("agency.example", "TXT"): ['"v=spf1 mx include:_spf.agency.example -all"'],
            ("agency.example", "MX"): ["10 mx.agency.example."],
            ("mx.agency.example", "A"): ["198.51.100.25"],
            ("_spf.agency.example", "TXT"): ['"v=spf1 ip4:203.0.113.0/24 ~all"']}
    found = _spf(zone)
    assert found["result"] == "fail" and found["lookups"] == 2, found
    assert found["records"] == ["v=spf1 mx include:_spf.agency.example -all"]
    assert _spf({**zone, ("agency.example", "TXT"): ['"v=spf1 mx ~all"']})["result"] == \
        "softfail"
    assert _spf({**zone, ("agency.example", "TXT"): ['"v=spf1 mx"']})["result"] == "neutral"
    assert _spf({**zone, ("agency.example", "TXT"): ['"v=spf1 ip4:0.0.0.0/0 -all"']}
                )["result"] == "pass"  # a record that lets the world send
    assert _spf({("agency.example", "TXT"): ['"hello"']}) == {"records": [], "result": "none"}
    broken = _spf({("agency.example", "TXT"): ['"v=spf1 mx ipv4:1.2.3.4 -all"']})
    assert broken["result"] == "permerror" and "ipv4" in str(broken["explanation"]), broken
    two = _spf({("agency.example", "TXT"): ['"v=spf1 -all"', '"v=spf1 mx -all"']})
    assert two["result"] == "permerror", two


def test_more_than_ten_lookups_is_a_permanent_error() -> None:
    chain = {("agency.example", "TXT"): ['"v=spf1 include:i0.agency.example -all"']}
    for index in range(11):
        chain[(f"i{index}.agency.example", "TXT")] = [
            f'"v=spf1 a include:i{index + 1}.agency.example -all"']
        chain[(f"i{index}.agency.example", "A")] = [f"203.0.113.{index + 1}"]
    found = _spf(chain)
    assert found["result"] == "permerror", found
    assert "lookup" in str(found["explanation"]).lower(), found
