"""A web portal's security options as Internet.nl tests them: Content-Security-Policy that
restricts scripts, protection against framing, X-Content-Type-Options, Referrer-Policy,
security.txt (RFC 9116), and CAA (RFC 8659). Headers are judged on every family the portal
answered on (an IPv6 server configured apart from the IPv4 one is a common gap); each header is
read as a browser reads it (every CSP line is a policy of its own, all enforced; the last
recognised Referrer-Policy token wins; frame-ancestors overrides X-Frame-Options)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ..inventory.model import Portal
from ..models import Text
from ..policy import Control
from ..portal.kind import PORTAL_PROBE
from .context import CheckContext, Finding, Verdicts, named_check
from .portals import PORTAL, Facts, per_portal, served

# (passes, why it does not, in both languages)
HeaderJudge = Callable[[Mapping[str, str]], tuple[bool, Text]]
_OK = Text("", "")


def _per_family(ctx: CheckContext, expected: Text, header: str, judge: HeaderJudge,
                passed: Text, shown: tuple[str, ...] = ()) -> list[Finding]:
    """Judge `header` (and the `shown` ones beside it) on each family that answered https."""

    def each(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        where = (portal.where,)
        seen, vi_gaps, en_gaps, read = [], [], [], 0
        for family, reach in served(facts):
            label = family.replace("ipv", "IPv")
            http = reach.get("http")
            if http is None:
                seen.append(f"{label}: https: {reach.get('http_error') or 'no answer'}")
                continue
            read += 1
            headers = http["headers"]
            values = [f"{name}: {headers[name]}" for name in (header, *shown) if name in headers]
            seen.append(f"{label}: {' · '.join(values) or header + ': —'}")
            ok, why = judge(headers)
            if not ok:
                vi_gaps.append(f"{label}: {why.vi}")
                en_gaps.append(f"{label}: {why.en}")
        observed = " | ".join(seen)
        if not read:
            return [verdicts.not_assessed("Không đọc được trả lời https nào.",
                                          "No https answer could be read.", observed, where)]
        if vi_gaps:
            return [verdicts.failed("; ".join(vi_gaps) + ".", "; ".join(en_gaps) + ".",
                                    observed, where)]
        return [verdicts.passed(passed.vi, passed.en, observed, where)]

    return per_portal(ctx, expected, each, web_only=True)


# -- Content-Security-Policy -------------------------------------------------------------------
Policy = dict[str, list[str]]
# sources that let a script come from anywhere (or any host of a scheme)
_ANYWHERE = {"*", "http:", "https:", "data:", "blob:", "filesystem:", "ws:", "wss:", "http://*",
             "https://*"}
_HASHES = ("'nonce-", "'sha256-", "'sha384-", "'sha512-")


def csp_policies(value: str) -> list[Policy]:
    """The policies of a (combined) Content-Security-Policy header: directive → sources, names
    in lower case; a repeated directive is ignored, as browsers ignore it."""
    policies = []
    for text in value.split(","):
        policy: Policy = {}
        for directive in text.split(";"):
            tokens = directive.split()
            if tokens and tokens[0].lower() not in policy:
                policy[tokens[0].lower()] = [t.lower() if not t.startswith(_HASHES) else t
                                             for t in tokens[1:]]
        if policy:
            policies.append(policy)
    return policies


def script_gaps(policy: Policy) -> list[Text]:
    """What leaves scripts unrestricted in one policy (script-src, else default-src)."""
    sources = policy.get("script-src", policy.get("default-src"))
    if sources is None:
        return [Text("không có script-src hay default-src", "no script-src or default-src")]
    pinned = any(s.startswith(_HASHES) for s in sources)
    gaps = []
    # CSP level 2+: 'unsafe-inline' is ignored beside a nonce or hash; 'strict-dynamic' with
    # one makes host and scheme sources ignored too
    if "'unsafe-inline'" in sources and not pinned:
        gaps.append(Text("'unsafe-inline' cho phép mã nhúng", "'unsafe-inline' allows inline code"))
    if "'unsafe-eval'" in sources:
        gaps.append(Text("'unsafe-eval' cho phép eval()", "'unsafe-eval' allows eval()"))
    if not (pinned and "'strict-dynamic'" in sources):
        wide = sorted({s for s in sources if s in _ANYWHERE or s.startswith("http://")})
        if wide:
            gaps.append(Text(f"nguồn quá rộng hoặc không mã hóa: {' '.join(wide)}",
                             f"sources too wide or unencrypted: {' '.join(wide)}"))
    return gaps


def _csp(headers: Mapping[str, str]) -> tuple[bool, Text]:
    value = headers.get("content-security-policy")
    if not value:
        return False, Text("không có Content-Security-Policy", "no Content-Security-Policy")
    gaps = [script_gaps(policy) for policy in csp_policies(value)]
    if any(not g for g in gaps):  # every policy is enforced: one that restricts scripts does
        return True, _OK
    first = gaps[0] if gaps else [Text("chính sách rỗng", "an empty policy")]
    return False, Text("; ".join(g.vi for g in first), "; ".join(g.en for g in first))


@named_check("portal_csp", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "Content-Security-Policy hạn chế script (không 'unsafe-inline', 'unsafe-eval', nguồn *)",
    "a Content-Security-Policy that restricts scripts (no 'unsafe-inline', 'unsafe-eval', *)"))
def portal_csp(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """Every https answer carries a Content-Security-Policy whose script sources (script-src,
    else default-src) allow neither inline code, eval(), nor scripts from any host or scheme."""
    return _per_family(ctx, Text("CSP hạn chế script", "CSP restricts scripts"),
                       "content-security-policy", _csp,
                       Text("Có CSP hạn chế script.", "A CSP restricts scripts."))


# -- framing -----------------------------------------------------------------------------------
def _framing(headers: Mapping[str, str]) -> tuple[bool, Text]:
    ancestors = [p["frame-ancestors"] for p in csp_policies(
        headers.get("content-security-policy", "")) if "frame-ancestors" in p]
    if ancestors:  # CSP: frame-ancestors present, X-Frame-Options is ignored
        if any(s and not any(x in _ANYWHERE for x in s) for s in ancestors):
            return True, _OK
        return False, Text("frame-ancestors cho phép mọi trang nhúng",
                           "frame-ancestors lets any site frame the page")
    tokens = {t.strip().lower() for t in headers.get("x-frame-options", "").split(",")
              if t.strip()}
    if tokens and tokens <= {"deny", "sameorigin"}:
        return True, _OK
    if not tokens:
        return False, Text("không có X-Frame-Options hay frame-ancestors",
                           "no X-Frame-Options or frame-ancestors")
    return False, Text("X-Frame-Options không phải DENY hay SAMEORIGIN",
                       "X-Frame-Options is neither DENY nor SAMEORIGIN")


@named_check("portal_framing", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "X-Frame-Options DENY/SAMEORIGIN hoặc CSP frame-ancestors",
    "X-Frame-Options DENY/SAMEORIGIN or CSP frame-ancestors"))
def portal_framing(ctx: CheckContext, control: Control,
                   args: Mapping[str, Any]) -> list[Finding]:
    """Other sites cannot frame the portal's pages (clickjacking): CSP frame-ancestors
    without wildcards, or, where no policy names it, X-Frame-Options DENY or SAMEORIGIN."""
    return _per_family(ctx, Text("không cho trang khác nhúng", "not framed by other sites"),
                       "x-frame-options", _framing,
                       Text("Trang khác không nhúng được cổng.",
                            "Other sites cannot frame the portal."),
                       shown=("content-security-policy",))


# -- X-Content-Type-Options --------------------------------------------------------------------
def _nosniff(headers: Mapping[str, str]) -> tuple[bool, Text]:
    first = headers.get("x-content-type-options", "").split(",")[0].strip().lower()
    if first == "nosniff":
        return True, _OK
    return False, Text("không có X-Content-Type-Options: nosniff",
                       "no X-Content-Type-Options: nosniff")


@named_check("portal_nosniff", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "X-Content-Type-Options: nosniff", "X-Content-Type-Options: nosniff"))
def portal_nosniff(ctx: CheckContext, control: Control,
                   args: Mapping[str, Any]) -> list[Finding]:
    """Browsers do not guess a response's type from its content (a file uploaded as an image
    cannot run as a script): X-Content-Type-Options: nosniff."""
    return _per_family(ctx, Text("nosniff", "nosniff"), "x-content-type-options", _nosniff,
                       Text("Có nosniff.", "nosniff is set."))


# -- Referrer-Policy ---------------------------------------------------------------------------
REFERRER_POLICIES = ("no-referrer", "no-referrer-when-downgrade", "same-origin", "origin",
                     "strict-origin", "origin-when-cross-origin",
                     "strict-origin-when-cross-origin", "unsafe-url")
# the ones that never send a page's path to another site (Internet.nl: good or sufficient)
PRIVATE_REFERRERS = ("no-referrer", "same-origin", "strict-origin",
                     "strict-origin-when-cross-origin")


def _referrer(headers: Mapping[str, str]) -> tuple[bool, Text]:
    known = [t for t in (t.strip().lower() for t in headers.get("referrer-policy", "").split(","))
             if t in REFERRER_POLICIES]
    if not known:
        return False, Text("không có Referrer-Policy hợp lệ", "no valid Referrer-Policy")
    if known[-1] in PRIVATE_REFERRERS:  # the last recognised token is the one applied
        return True, _OK
    return False, Text(f"{known[-1]} gửi đường dẫn trang sang trang khác",
                       f"{known[-1]} sends the page's path to other sites")


@named_check("portal_referrer", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "Referrer-Policy không gửi đường dẫn sang trang khác",
    "a Referrer-Policy that sends no path to other sites"))
def portal_referrer(ctx: CheckContext, control: Control,
                    args: Mapping[str, Any]) -> list[Finding]:
    """The portal says which referrer browsers send: one of no-referrer, same-origin,
    strict-origin, strict-origin-when-cross-origin (a citizen's page address, with its
    query, never goes to another site)."""
    return _per_family(ctx, Text("Referrer-Policy", "Referrer-Policy"), "referrer-policy",
                       _referrer, Text("Referrer-Policy phù hợp.",
                                       "A suitable Referrer-Policy."))


# -- security.txt ------------------------------------------------------------------------------
# sectxt's codes (Internet.nl reports the same) and the probe's own for the HTTP side
SECURITY_TXT_ERRORS = {
    "invalid_cert": Text("chứng thư số không hợp lệ", "the certificate is not valid"),
    "no_content_type": Text("không có Content-Type", "no Content-Type"),
    "invalid_media": Text("Content-Type không phải text/plain", "Content-Type is not text/plain"),
    "invalid_charset": Text("charset không phải utf-8", "the charset is not utf-8"),
    "utf8": Text("nội dung không phải UTF-8", "the content is not UTF-8"),
    "bom_in_file": Text("tệp bắt đầu bằng BOM", "the file starts with a BOM"),
    "no_contact": Text("thiếu trường Contact", "no Contact field"),
    "no_expire": Text("thiếu trường Expires", "no Expires field"),
    "multi_expire": Text("Expires xuất hiện nhiều lần", "Expires appears more than once"),
    "invalid_expiry": Text("Expires không đúng định dạng ngày giờ (RFC 3339)",
                           "Expires is not an RFC 3339 date-time"),
    "invalid_line": Text("dòng không phải trường, chú thích hay dòng trống",
                         "a line that is neither a field, a comment nor blank"),
    "prec_ws": Text("khoảng trắng trước dấu hai chấm", "whitespace before the colon"),
    "no_space": Text("thiếu khoảng trắng sau dấu hai chấm", "no space after the colon"),
    "empty_key": Text("tên trường rỗng", "an empty field name"),
    "empty_value": Text("giá trị trường rỗng", "an empty field value"),
    "no_uri": Text("giá trị phải là URI", "a value that must be a URI is not"),
    "no_https": Text("địa chỉ web không dùng https://", "a web address not on https://"),
    "invalid_lang": Text("Preferred-Languages sai mã ngôn ngữ",
                         "Preferred-Languages has an invalid language tag"),
    "multi_lang": Text("Preferred-Languages xuất hiện nhiều lần",
                       "Preferred-Languages appears more than once"),
    "no_canonical_match": Text("Canonical không khớp địa chỉ của tệp",
                               "Canonical does not match the file's address"),
    "no_line_separators": Text("dòng cuối không kết thúc bằng xuống dòng",
                               "the last line does not end with a line break"),
    "too_many_line_separators": Text("tệp ký có thừa dòng trống ở cuối",
                                     "a signed file ends with more than one line break"),
    "signed_format_issue": Text("tệp ký không bắt đầu bằng tiêu đề PGP",
                                "a signed file does not start with the PGP header"),
    "data_after_sig": Text("có dữ liệu sau chữ ký", "data after the signature"),
    "pgp_data_error": Text("khối PGP sai định dạng", "a malformed PGP block"),
    "pgp_error": Text("không đọc được thông điệp PGP", "the PGP message cannot be read"),
    "pgp_signature_error": Text("chữ ký PGP sai định dạng", "a malformed PGP signature"),
    "no_csaf_file": Text("CSAF không trỏ tới provider-metadata.json",
                         "CSAF does not point to a provider-metadata.json"),
}
_FETCH = {
    "not_found": Text("không có tệp (HTTP {code})", "no file (HTTP {code})"),
    "too_large": Text("tệp lớn hơn 32 KiB, không đọc", "the file is over 32 KiB, not read"),
    "redirected": Text("chuyển hướng sang {location}, ngoài tên của cổng: không theo",
                       "redirects to {location}, away from the portal's name: not followed"),
}


def _error_text(error: Mapping[str, Any]) -> Text:
    text = SECURITY_TXT_ERRORS.get(error["code"], Text(error["code"], error["code"]))
    line = error.get("line")
    return Text(f"dòng {line}: {text.vi}", f"line {line}: {text.en}") if line else text


def _expired(expires: str, at: str) -> bool:
    try:
        return datetime.fromisoformat(expires) <= datetime.fromisoformat(at)
    except (ValueError, TypeError):  # not a date, or without a zone: sectxt said so already
        return False


@named_check("portal_security_txt", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "security.txt (RFC 9116) qua https: có Contact, Expires chưa qua, không lỗi",
    "security.txt (RFC 9116) over https: Contact, an Expires not passed, no error"))
def portal_security_txt(ctx: CheckContext, control: Control,
                        args: Mapping[str, Any]) -> list[Finding]:
    """/.well-known/security.txt is served over https as text/plain, with at least one
    Contact and one Expires that has not passed when the portal was probed, and no error as
    Internet.nl's own validator (sectxt) reads it."""

    def judge(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        where = (portal.where,)
        found = facts.get("security_txt")
        if found is None:
            return [verdicts.not_assessed(
                "Bằng chứng từ bản thăm dò cũ chưa đọc security.txt: hãy thăm dò lại.",
                "The probe that made this evidence did not read security.txt: probe again.",
                "security.txt: —", where)]
        url = found.get("url") or f"https://{portal.host}/.well-known/security.txt"
        status = found["status"]
        if status in _FETCH:
            why = _FETCH[status]
            args = {"code": found.get("http_status", "?"), "location": found.get("location")}
            observed = f"{url}: {found.get('http_status', '?')}"
            return [verdicts.failed(why.vi.format(**args) + ".", why.en.format(**args) + ".",
                                    observed, where)]
        if status != "found":
            reason = found.get("reason") or status
            return [verdicts.not_assessed(f"Không đọc được security.txt: {reason}.",
                                          f"security.txt could not be read: {reason}.",
                                          f"{url}: {reason}", where)]
        gaps = [_error_text(e) for e in found.get("errors", [])]
        expires = found.get("expires", "")
        if expires and _expired(expires, facts["collected_at"]):
            gaps.append(Text(f"đã hết hạn (Expires {expires})", f"expired (Expires {expires})"))
        observed = (f"{url}: 200 · Contact: {', '.join(found.get('contact', [])) or '—'} · "
                    f"Expires: {expires or '—'}")
        if gaps:
            return [verdicts.failed("security.txt: " + "; ".join(g.vi for g in gaps) + ".",
                                    "security.txt: " + "; ".join(g.en for g in gaps) + ".",
                                    observed, where)]
        return [verdicts.passed("Có security.txt hợp lệ.", "A valid security.txt.", observed,
                                where)]

    return per_portal(ctx, Text("security.txt hợp lệ", "a valid security.txt"), judge,
                      web_only=True)


# -- CAA ---------------------------------------------------------------------------------------
# RFC 8659 and the CA/Browser Forum's registered tags: a critical flag on any other stops
# every CA from issuing
CAA_TAGS = ("issue", "issuewild", "iodef", "contactemail", "contactphone", "issuemail",
            "issuevmc")


def caa_gaps(records: list[str]) -> list[Text]:
    """What keeps a CAA set (as `flags tag "value"` texts) from naming who may issue."""
    gaps, issuers = [], 0
    for record in records:
        flags, _, rest = record.partition(" ")
        tag = rest.partition(" ")[0].lower()
        if not flags.isdigit() or not tag:
            gaps.append(Text(f"bản ghi không đọc được: {record}",
                             f"an unreadable record: {record}"))
        elif int(flags) & 128 and tag not in CAA_TAGS:
            gaps.append(Text(f"thẻ lạ được đánh dấu bắt buộc ({tag}): không CA nào được cấp",
                             f"an unknown tag marked critical ({tag}): no CA may issue"))
        issuers += tag == "issue"
    if not issuers:
        gaps.append(Text("không có bản ghi issue nêu CA được cấp",
                         "no issue record naming the CAs allowed to issue"))
    return gaps


@named_check("portal_caa", PORTAL, reads=[PORTAL_PROBE], requires=Text(
    "bản ghi CAA nêu CA được cấp chứng thư cho tên của cổng",
    "CAA records naming the CAs allowed to issue for the portal's name"))
def portal_caa(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """The CAA set that applies to the portal's name (its own, or its closest ancestor's, RFC
    8659) has at least one issue record, and no unknown tag marked critical."""

    def judge(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        dns, where = facts["dns"], (portal.where,)
        records = list(dns.get("caa", []))
        if not records:
            return [verdicts.failed(f"Không có bản ghi CAA cho {portal.host} hay tên cha nào.",
                                    f"No CAA record for {portal.host} or any parent name.",
                                    "CAA: —", where)]
        observed = f"CAA ({dns.get('caa_name') or portal.host}): {' | '.join(records)}"
        gaps = caa_gaps(records)
        if gaps:
            return [verdicts.failed("CAA: " + "; ".join(g.vi for g in gaps) + ".",
                                    "CAA: " + "; ".join(g.en for g in gaps) + ".",
                                    observed, where)]
        return [verdicts.passed("CAA nêu CA được cấp chứng thư.",
                                "CAA names the CAs allowed to issue.", observed, where)]

    return per_portal(ctx, Text("có CAA", "CAA present"), judge, web_only=True)
