"""security.txt as the probe records it (egov_audit/portal/securitytxt.py): sectxt's codes and
lines, the HTTP side judged as sectxt judges it, and nothing of the file's text but the Contact
and Expires values, bounded."""

from __future__ import annotations

from egov_audit.portal.securitytxt import MAX_CONTACTS, facts_of, media_errors
from egov_audit.schemas import is_valid

URL = "https://cong.example/.well-known/security.txt"
GOOD = (b"# comment\nContact: mailto:attt@cong.example\nContact: tel:+84-24-0000-0000\n"
        b"Expires: 2027-06-01T00:00:00Z\nPreferred-Languages: vi, en\n")


def _codes(facts: dict[str, object]) -> list[object]:
    return [e["code"] for e in facts["errors"]]  # type: ignore[attr-defined]


def test_a_sound_file_has_no_error_and_keeps_its_contacts_and_expiry() -> None:
    facts = facts_of(GOOD, "text/plain; charset=utf-8", URL, verified=True)
    assert facts["errors"] == []
    assert facts["contact"] == ["mailto:attt@cong.example", "tel:+84-24-0000-0000"]
    assert facts["expires"] == "2027-06-01T00:00:00Z" and facts["signed"] is False
    assert "not_signed" in facts["recommendations"]  # a recommendation, not an error


def test_the_errors_carry_sectxts_codes_and_lines() -> None:
    body = b"Contact : https://cong.example/x\nExpires: tomorrow\nPolicy: http://cong.example/p\n" \
           b"just words\nExpires: 2027-01-01T00:00:00Z"
    facts = facts_of(body, "text/plain", URL, verified=True)
    assert {(e["code"], e["line"]) for e in facts["errors"]} >= {
        ("prec_ws", 1), ("invalid_expiry", 2), ("no_https", 3), ("invalid_line", 4),
        ("multi_expire", None), ("no_line_separators", 5)}


def test_expiry_is_left_to_the_check_at_the_evidences_time() -> None:
    # sectxt says "expired" against the probe's clock; the check judges against the evidence's
    facts = facts_of(GOOD.replace(b"2027-06-01", b"2020-06-01"), "text/plain", URL, True)
    assert facts["errors"] == [] and facts["expires"] == "2020-06-01T00:00:00Z"


def test_the_http_side_is_judged_as_sectxt_judges_it() -> None:
    assert media_errors(None) == [{"code": "no_content_type", "line": None}]
    assert [e["code"] for e in media_errors("text/html; charset=utf-8")] == ["invalid_media"]
    assert [e["code"] for e in media_errors("text/plain; charset=iso-8859-1")] == \
        ["invalid_charset"]
    assert media_errors("TEXT/PLAIN") == []  # the charset defaults to utf-8
    assert _codes(facts_of(GOOD, "text/plain", URL, verified=False)) == ["invalid_cert"]


def test_a_signed_file_is_recognised_and_a_bom_or_bad_bytes_are_errors() -> None:
    signed = (b"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" + GOOD
              + b"-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n")
    assert facts_of(signed, "text/plain", URL, True)["signed"] is True
    assert "bom_in_file" in _codes(facts_of(b"\xef\xbb\xbf" + GOOD, "text/plain", URL, True))
    assert "utf8" in _codes(facts_of(b"Contact: mailto:\xff\n", "text/plain", URL, True))


def test_what_a_hostile_file_puts_in_evidence_is_bounded() -> None:
    body = b"".join(b"Contact: mailto:" + b"a" * 400 + b"@x.example\n" for _ in range(50))
    body += b"Expires: 2027-01-01T00:00:00Z" + b"9" * 200 + b"\n"
    facts = facts_of(body + b"\n".join(b"junk" for _ in range(100)), "text/plain", URL, True)
    assert len(facts["contact"]) == MAX_CONTACTS and all(len(c) <= 255 for c in facts["contact"])
    assert len(facts["expires"]) <= 64 and len(facts["errors"]) <= 32
    bundle = {"schema": "egov-audit/portal-fact-bundle@1", "portal": "cong.example",
              "status": "collected", "collected_at": "2026-12-05T00:00:00Z",
              "kind": "web_portal", "url": "https://cong.example/",
              "facts": {"dns": {"name": "cong.example", "dnssec": "secure", "a": [],
                                "aaaa": []},
                        "reach": {"ipv4": {"status": "no_address"},
                                  "ipv6": {"status": "no_address"}},
                        "security_txt": {"status": "found", "http_status": 200, **facts}}}
    assert is_valid(bundle, "portal-fact-bundle")
