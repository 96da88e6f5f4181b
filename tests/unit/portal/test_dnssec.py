"""The DNSSEC validator's own parts (egov_audit/portal/dnssec.py): trust anchors read from the
formats operators have (IANA's root keys built in, unbound's root.key), a bad anchor file said
in one line with its place, canonical ordering for NSEC proofs. The chain itself is validated
end to end against Knot-signed zones and Unbound in tests/lab/test_portal_lab.py."""

from __future__ import annotations

from pathlib import Path

import dns.name
import pytest

from egov_audit.portal import dnssec
from tests.helpers import REPO, run_cli

ROOT_KEY = ("; autotrust trust anchor file\n;;id: . 1\n"
            ". 172800 IN DNSKEY 257 3 8 "
            "AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLA"
            "Jr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLr"
            "jyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6"
            "H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qih"
            "ylGa8subX2Nn6UwNR1AkUTV74bU="
            " ;{id = 20326 (ksk), size = 2048b} ;;state=2 [  VALID  ] ;;count=0\n")


def test_the_built_in_anchors_are_the_root_keys_iana_publishes() -> None:
    anchors = dnssec.read_anchors(dnssec.ROOT_ANCHORS)
    assert list(anchors) == [dns.name.root]
    assert sorted(int(r.key_tag) for r in anchors[dns.name.root]) == [20326, 38696]
    assert {int(r.algorithm) for r in anchors[dns.name.root]} == {8}  # RSA/SHA-256
    assert dnssec.describe_anchors(anchors) == ". 20326, 38696"


def test_unbounds_root_key_reads_as_it_is() -> None:
    anchors = dnssec.read_anchors(ROOT_KEY.splitlines())
    # the key's own tag, computed from the DNSKEY: the same key as the built-in DS 20326
    assert dnssec.describe_anchors(anchors) == ". 20326"
    key = anchors[dns.name.root][0]
    (built_in,) = [ds for ds in dnssec.read_anchors(dnssec.ROOT_ANCHORS)[dns.name.root]
                   if ds.key_tag == 20326]
    assert dns.dnssec.make_ds(dns.name.root, key, "SHA256") == built_in


@pytest.mark.parametrize(("text", "said"), [
    ("", "no DS or DNSKEY record in it"),
    ("; only a comment\n", "no DS or DNSKEY record in it"),
    (". IN A 192.0.2.1\n", "line 1: not a DS or DNSKEY record"),
    ("; header\n. IN DS 20326 8 2 NOTHEX\n", "line 2: "),
    ("example.. IN DS 1 8 2 AB\n", "line 1: "),
])
def test_a_bad_anchor_file_says_which_line(text: str, said: str) -> None:
    with pytest.raises(dnssec.AnchorError) as caught:
        dnssec.read_anchors(text.splitlines())
    assert str(caught.value).startswith(said)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_bad_trust_anchor_is_one_line_and_exit_2(tmp_path: Path, lang: str) -> None:
    anchor = tmp_path / "bad.key"
    anchor.write_text("; header\n. IN NS a.root-servers.net.\n")
    proc = run_cli("--lang", lang, "probe", str(REPO / "inventories" / "song-lam"),
                   "--trust-anchor", str(anchor), "--evidence", str(tmp_path / "ev"))
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert str(anchor) in line and "Traceback" not in line
    assert ("line 2: not a DS or DNSKEY record" if lang == "en" else
            "dòng 2: không phải bản ghi DS hoặc DNSKEY") in line
    assert not (tmp_path / "ev").exists()  # refused before anything is asked


def test_nsec_ranges_wrap_at_the_end_of_the_zone() -> None:
    name = dns.name.from_text
    assert dnssec._between(name("a.example."), name("b.example."), name("c.example."))
    assert not dnssec._between(name("a.example."), name("d.example."), name("c.example."))
    # the last NSEC points back at the apex: everything after its owner is covered
    assert dnssec._between(name("y.example."), name("z.example."), name("example."))
    assert dnssec._between("7U", "7V", "01")  # NSEC3 hashes wrap likewise


def test_the_worst_verdict_decides() -> None:
    verdicts = [dnssec.Verdict(dnssec.SECURE), dnssec.Verdict(dnssec.INSECURE, "no_ds"),
                dnssec.Verdict(dnssec.BOGUS, "expired"), dnssec.Verdict(dnssec.INDETERMINATE)]
    assert dnssec.worst(verdicts).reason == "expired"
    assert dnssec.worst(verdicts[:2]).state == dnssec.INSECURE
    assert dnssec.worst(verdicts[:1] + verdicts[3:]).state == dnssec.INDETERMINATE
