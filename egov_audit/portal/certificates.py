"""A certificate a portal presents, as the bundle records it (subject, issuer, names, validity,
key, hash, whether it carries the portal's name): shared by the browser-like handshake and the
TLS engine's view of every certificate the server can present."""

from __future__ import annotations

import hashlib
from typing import Any


def clip(text: object, limit: int = 300) -> str:
    return str(text)[:limit]


def certificate_facts(der: bytes, host: str) -> dict[str, Any]:
    # cryptography: only where a key, certificate or signature is handled
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
    from cryptography.x509.oid import NameOID

    cert = x509.load_der_x509_certificate(der)
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        kind, bits = "RSA", key.key_size
    elif isinstance(key, ec.EllipticCurvePublicKey):
        kind, bits = f"EC {key.curve.name}", key.curve.key_size
    elif isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        kind, bits = type(key).__name__.removesuffix("PublicKey"), 256
    elif isinstance(key, dsa.DSAPublicKey):
        kind, bits = "DSA", key.key_size
    else:
        kind, bits = "other", 0
    try:
        names = cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        names = []
    common = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    issuer = [a.value for a in cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)]
    hash_name = cert.signature_hash_algorithm.name if cert.signature_hash_algorithm else "none"
    return {
        "subject": clip(common[0] if common else cert.subject.rfc4514_string(), 255),
        "issuer": clip(issuer[0] if issuer else cert.issuer.rfc4514_string(), 255),
        "names": [clip(n, 253) for n in names[:50]],
        "not_before": cert.not_valid_before_utc.isoformat().replace("+00:00", "Z"),
        "not_after": cert.not_valid_after_utc.isoformat().replace("+00:00", "Z"),
        "key_type": kind, "key_bits": int(bits), "signature_hash": clip(hash_name, 32),
        "sha256": hashlib.sha256(der).hexdigest(),
        "self_signed": cert.issuer == cert.subject,
        "name_matches": any(matches(str(pattern), host) for pattern in (names or common)),
    }


def matches(pattern: str, host: str) -> bool:
    """RFC 6125 matching of one name: exact, or a wildcard as the whole leftmost label."""
    pattern, host = str(pattern).lower().rstrip("."), host.lower()
    if pattern.startswith("*."):
        return "." in host and host.split(".", 1)[1] == pattern[2:]
    return pattern == host


