"""The private key detector (egov_audit/gates/keys.py) on generated documents: a private key in
each format agencies hold, hidden by each way YAML can write a string, is found in the decoded
values; public keys and certificates are never taken for one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_audit.errors import UsageError
from egov_audit.gates.keys import document_holds_private_key, holds_private_key
from egov_audit.yamlsource import parse_yaml

BUDGET = settings(max_examples=200, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])
_PEM, _SSH = serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH
_NONE = serialization.NoEncryption()
_ED = ed25519.Ed25519PrivateKey.generate()
_EC = ec.generate_private_key(ec.SECP256R1())
_RSA = rsa.generate_private_key(65537, 1024)
PRIVATE = [
    _ED.private_bytes(_PEM, serialization.PrivateFormat.PKCS8, _NONE).decode(),  # keygen's
    _ED.private_bytes(_PEM, _SSH, _NONE).decode(),
    _EC.private_bytes(_PEM, serialization.PrivateFormat.TraditionalOpenSSL, _NONE).decode(),
    _RSA.private_bytes(_PEM, serialization.PrivateFormat.TraditionalOpenSSL, _NONE).decode(),
    _RSA.private_bytes(_PEM, serialization.PrivateFormat.PKCS8,
                       serialization.BestAvailableEncryption(b"pass")).decode(),
    "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n",
    '{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", '
    '"d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}',
]
_NAME = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "egov-audit test")])
_NOW = dt.datetime.now(dt.UTC)
PUBLIC = [
    _ED.public_key().public_bytes(_PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
    _ED.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                  serialization.PublicFormat.OpenSSH).decode(),
    _RSA.public_key().public_bytes(_PEM, serialization.PublicFormat.PKCS1).decode(),
    x509.CertificateBuilder().subject_name(_NAME).issuer_name(_NAME)
    .public_key(_EC.public_key()).serial_number(1).not_valid_before(_NOW)
    .not_valid_after(_NOW + dt.timedelta(days=1)).sign(_EC, hashes.SHA256())
    .public_bytes(_PEM).decode(),
    '{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}',
]


def _yaml(text: str, how: str, indent: int) -> str:
    """A YAML document whose one value decodes to `text` (or to it with its line breaks folded
    into spaces), written one of the ways YAML allows."""
    pad = " " * indent
    lines = text.strip().splitlines()
    if how == "literal":
        return "k: |\n" + "".join(f"{pad}{line}\n" for line in lines)
    if how == "folded":  # every space may become a line break: the header split too
        words = " ".join(lines).split(" ")
        return "k: >-\n" + "".join(f"{pad}{word}\n" for word in words)
    if how == "double-escaped":
        body = "\\n".join(lines).replace("\\", "\\\\").replace('"', '\\"').replace(" ", "\\x20")
        return f'k: "{body}"\n'
    if how == "unicode-escaped":
        body = "\\n".join(lines).replace("\\", "\\\\").replace('"', '\\"').replace(" ", "\\u0020")
        return f'k: "{body}"\n'
    if how == "plain-multiline":  # a plain scalar over several lines: folded with spaces
        return "k:\n" + "".join(f"{pad}{line.replace(': ', ' ')}\n" for line in lines
                                if line.strip())
    raise AssertionError(how)


HOW = st.sampled_from(["literal", "folded", "double-escaped", "unicode-escaped",
                       "plain-multiline"])


def _decoded(document: str) -> object:
    return parse_yaml(document, Path("x.yml"), "x.yml", UsageError).data


@BUDGET
@given(st.sampled_from(PRIVATE[:5]), HOW, st.integers(1, 6))
def test_a_private_key_is_found_however_yaml_writes_it(key: str, how: str,
                                                       indent: int) -> None:
    document = _yaml(key, how, indent)
    assert document_holds_private_key(document, _decoded(document)), document


@BUDGET
@given(st.sampled_from(PRIVATE), st.sampled_from([" ", "  ", "\t", "\n", "\r\n"]))
def test_a_private_key_is_found_with_any_white_space(key: str, space: str) -> None:
    assert holds_private_key(key.replace(" ", space))
    assert holds_private_key(key.lower())


@BUDGET
@given(st.sampled_from(PUBLIC), st.sampled_from(["literal", "folded", "double-escaped"]),
       st.integers(1, 6))
def test_public_keys_and_certificates_are_not_private(key: str, how: str, indent: int) -> None:
    document = _yaml(key, how, indent)
    assert not document_holds_private_key(document, _decoded(document)), document


@BUDGET
@given(st.recursive(st.text(max_size=30) | st.integers() | st.booleans() | st.none(),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20),
       st.sampled_from(PRIVATE))
def test_a_key_anywhere_in_a_document_is_found(document: object, key: str) -> None:
    assert document_holds_private_key("", {"deep": [document, {"x": [key]}]})
    assert document_holds_private_key("", {key: document})
