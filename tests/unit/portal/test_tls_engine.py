"""The TLS engine's judgement of suite names (egov_audit/portal/tls.py): every kind of weak
suite told by its IANA name, the strong ones left alone; sslyze itself is exercised in the
portal lab (tests/lab/test_portal_lab.py), against servers that offer what OpenSSL 3 cannot."""

from __future__ import annotations

import pytest

from egov_audit.portal.tls import LEGACY, NAMES, engine, weaknesses


@pytest.mark.parametrize(("suite", "why"), [
    ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", ("3DES", "no forward secrecy")),
    ("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", ("3DES",)),
    ("TLS_RSA_WITH_RC4_128_SHA", ("RC4", "no forward secrecy")),
    ("TLS_ECDHE_RSA_WITH_RC4_128_SHA", ("RC4",)),
    ("TLS_RSA_WITH_RC4_128_MD5", ("RC4", "MD5", "no forward secrecy")),
    ("TLS_DHE_RSA_WITH_DES_CBC_SHA", ("DES",)),
    ("TLS_RSA_EXPORT_WITH_RC4_40_MD5", ("export", "RC4", "MD5", "no forward secrecy")),
    ("TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", ("export", "DES")),
    ("TLS_RSA_WITH_NULL_SHA256", ("null", "no forward secrecy")),
    ("TLS_ECDHE_ECDSA_WITH_NULL_SHA", ("null",)),
    ("TLS_DH_anon_WITH_AES_128_CBC_SHA", ("anonymous",)),
    ("TLS_ECDH_anon_WITH_AES_256_CBC_SHA", ("anonymous",)),
    ("TLS_RSA_WITH_AES_128_GCM_SHA256", ("no forward secrecy",)),
    ("TLS_DH_RSA_WITH_AES_256_GCM_SHA384", ("no forward secrecy",)),
    ("TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", ("no forward secrecy",)),
    ("SSL_CK_RC4_128_WITH_MD5", ("RC4", "MD5", "no forward secrecy")),
    ("SSL_CK_DES_192_EDE3_CBC_WITH_MD5", ("3DES", "MD5", "no forward secrecy")),
])
def test_weak_suites_are_named_with_every_reason(suite: str, why: tuple[str, ...]) -> None:
    assert set(weaknesses(suite)) == set(why)


@pytest.mark.parametrize("suite", [
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
])
def test_strong_suites_have_no_weakness(suite: str) -> None:
    assert weaknesses(suite) == ()


def test_every_version_is_asked_and_the_legacy_ones_named() -> None:
    assert NAMES == ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
    assert LEGACY == ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")
    assert engine().startswith("sslyze 6.")
