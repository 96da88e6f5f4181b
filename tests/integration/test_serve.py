"""The national service in-process (Starlette's test client over a real SQLite store): intake
answers each outcome with its status, every route is walked for every role, forms need their
CSRF token, logins are rate-limited, revoked keys and disabled accounts stop working, hostile
agency names are inert, every table exports. The real server, PostgreSQL and Chromium:
tests/browser/test_serve_browser.py."""

from __future__ import annotations

import copy
import gzip
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from egov_audit.serve.app import ROUTES, Settings, create_app
from egov_audit.serve.auth import hash_password
from egov_audit.sign import sign
from egov_audit.store import open_store
from tests.helpers import bundle_dict, signed_samples

AGENCIES = ("song-lam", "bo-hts", "ha-son")
PASSWORD = "correct horse battery staple"
ROLES = ("anonymous", "agency", "other-agency", "inspector", "admin")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Each sample agency's key pair and its validated bundle, signed (version 2, as `sign`
    writes it) and as a version 1 document to make variants of."""
    from egov_audit.sign import load_private

    work = tmp_path_factory.mktemp("serve")
    out: dict[str, Any] = {"work": work, "signed": signed_samples(work, AGENCIES),
                           "documents": {}, "keys": {}}
    for agency in AGENCIES:
        out["documents"][agency] = bundle_dict((work / f"{agency}.json").read_bytes())
        out["keys"][agency] = load_private(work / f"{agency}.key")
    return out


def _setup(db: str, made: dict[str, Any]) -> None:
    with open_store(db) as store:
        for agency in AGENCIES:
            store.add_key(agency, (made["work"] / f"{agency}.pub").read_text(), "test")
        hashed = hash_password(PASSWORD)
        store.add_account("root", "admin", None, hashed, "test")
        store.add_account("thanh-tra", "inspector", None, hashed, "test")
        store.add_account("song-lam-it", "agency", "song-lam", hashed, "test")
        store.add_account("ha-son-it", "agency", "ha-son", hashed, "test")


@pytest.fixture
def client(tmp_path: Path, made: dict[str, Any]) -> Iterator[TestClient]:
    db = str(tmp_path / "national.db")
    _setup(db, made)
    app = create_app(Settings(db, max_bundle_bytes=8 * 1024 * 1024, spool=str(tmp_path)))
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client


def _csrf(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"csrf": _csrf(client), "account": name,
                                       "password": password}, follow_redirects=False)


def _variant(made: dict[str, Any], agency: str, shift: timedelta, **changes: Any) -> bytes:
    """The agency's bundle as a version 1 document, finished `shift` from now, signed."""
    import json

    data = copy.deepcopy(made["documents"][agency])
    data.pop("signature", None)
    data["finished_at"] = (datetime.now(UTC) + shift).isoformat(timespec="seconds")
    data.update(changes)
    return json.dumps(sign(data, made["keys"][agency])).encode()


def _submit_all(client: TestClient, made: dict[str, Any]) -> None:
    for agency in AGENCIES:
        answer = client.post("/api/v1/bundles", content=made["signed"][agency].read_bytes())
        assert answer.status_code == 201, answer.text


# -- intake -----------------------------------------------------------------------------------
def test_intake_answers_each_outcome(client: TestClient, made: dict[str, Any]) -> None:
    body = made["signed"]["song-lam"].read_bytes()
    stored = client.post("/api/v1/bundles", content=body)
    assert stored.status_code == 201 and stored.json()["outcome"] == "stored"
    assert stored.json()["agency"] == "song-lam"
    assert "set-cookie" not in stored.headers  # the signature is its authentication
    again = client.post("/api/v1/bundles", content=body)
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    # gzip-compressed on the way: the same signed bundle (its digest is of the records)
    packed = client.post("/api/v1/bundles", content=gzip.compress(body))
    assert packed.status_code == 200 and packed.json()["outcome"] == "duplicate"
    older = client.post("/api/v1/bundles",
                        content=_variant(made, "song-lam", timedelta(days=-30)))
    assert older.status_code == 409 and older.json()["outcome"] == "stale"
    assert "stale" in older.json()["reason"]["en"]
    assert older.json()["reason"]["vi"] and older.json()["reason"]["vi"] != \
        older.json()["reason"]["en"]
    tampered = body.replace(b'"song-lam"', b'"song-lan"', 1)
    refused = client.post("/api/v1/bundles", content=tampered)
    assert refused.status_code == 422 and refused.json()["outcome"] == "refused"
    wrong_key = client.post("/api/v1/bundles", content=_variant(
        made, "song-lam", timedelta(days=1)).replace(b'"code": "song-lam"', b'"code": "ha-son"'))
    assert wrong_key.status_code == 422
    assert client.post("/api/v1/bundles", content=b"").status_code == 422
    assert client.post("/api/v1/bundles", content=b"not a bundle").status_code == 422
    large = client.post("/api/v1/bundles", content=b"x" * (8 * 1024 * 1024 + 1))
    assert large.status_code == 413 and large.json()["outcome"] == "too_large"
    newer = client.post("/api/v1/bundles", content=_variant(made, "song-lam", timedelta(days=1)))
    assert newer.status_code == 201
    with open_store(client.app.state.service.settings.db) as store:  # type: ignore[attr-defined]
        history = store.history("song-lam")
    assert len(history) == 2 and all(h["signed_at"] and h["key_id"] for h in history)


def test_a_revoked_key_signs_nothing_after_its_revocation(client: TestClient,
                                                          made: dict[str, Any]) -> None:
    assert login(client, "root").status_code == 303
    with open_store(client.app.state.service.settings.db) as store:  # type: ignore[attr-defined]
        (key,) = store.agency_keys("ha-son")

    def revoke(at: datetime) -> None:
        answer = client.post("/admin/keys/revoke", data={
            "csrf": _csrf(client, "/admin"), "key_id": key.key_id,
            "revoked_at": at.isoformat()}, follow_redirects=False)
        assert answer.status_code == 303

    # revoked from an hour ahead: a bundle signed now (before it) is still good
    revoke(datetime.now(UTC) + timedelta(hours=1))
    signed_now = _variant(made, "ha-son", timedelta(days=-2))
    assert client.post("/api/v1/bundles", content=signed_now).status_code == 201
    # revoked from an hour ago: one signed now is refused, and says why
    revoke(datetime.now(UTC) - timedelta(hours=1))
    after = client.post("/api/v1/bundles", content=_variant(made, "ha-son", timedelta(0)))
    assert after.status_code == 422 and "revoked" in after.json()["reason"]["en"]
    log = client.get("/admin").text
    assert "key.revoke" in log and "root" in log


# -- who sees what ----------------------------------------------------------------------------
def _as(client: TestClient, role: str) -> None:
    client.cookies.clear()
    names = {"agency": "song-lam-it", "other-agency": "ha-son-it", "inspector": "thanh-tra",
             "admin": "root"}
    if role in names:
        assert login(client, names[role]).status_code == 303


def _concrete(path: str) -> str:
    return (path.replace("{code}", "song-lam").replace("{control}", "HOST-SSH-01")
            .replace("{table}", "x").replace("{fmt}", "csv"))


# what each role may do, written out: the guard's declarations are checked against it
EXPECTED = {
    "/nation": {"inspector", "admin"},
    "/nation/export/{table}.{fmt}": {"inspector", "admin"},
    "/agency/{code}": {"agency", "inspector", "admin"},
    "/agency/{code}/report": {"agency", "inspector", "admin"},
    "/agency/{code}/diff": {"agency", "inspector", "admin"},
    "/agency/{code}/export/{table}.{fmt}": {"agency", "inspector", "admin"},
    "/control/{control}": {"inspector", "admin"},
    "/control/{control}/export/{table}.{fmt}": {"inspector", "admin"},
    "/admin": {"admin"},
    "/admin/keys": {"admin"},
    "/admin/keys/revoke": {"admin"},
    "/admin/accounts": {"admin"},
    "/admin/accounts/state": {"admin"},
    "/api/v1/agencies/{code}/history": {"agency", "inspector", "admin"},
    "/logout": {"agency", "other-agency", "inspector", "admin"},
}


def test_every_route_for_every_role(client: TestClient, made: dict[str, Any]) -> None:
    _submit_all(client, made)
    public = {"/", "/login", "/static/app.css", "/healthz", "/api/v1/bundles",
              "/api/v1/openapi.json"}
    assert {r.path for r in ROUTES} == public | set(EXPECTED)
    walked = 0
    for role in ROLES:
        _as(client, role)
        token = _csrf(client, "/login")
        # /logout last: it ends the session the other routes are walked with
        for route in sorted(ROUTES, key=lambda r: r.path == "/logout"):
            if route.path in public:
                continue
            for method in sorted(route.methods or ()):
                if method == "HEAD":
                    continue
                path = _concrete(route.path)
                if method == "POST":
                    answer = client.post(path, data={"csrf": token}, follow_redirects=False)
                else:
                    answer = client.get(path, follow_redirects=False)
                allowed = role in EXPECTED[route.path]
                walked += 1
                if role == "anonymous":
                    assert answer.status_code in (303, 401), (route.path, answer.status_code)
                    if answer.status_code == 303:
                        assert answer.headers["location"].startswith("/login")
                elif not allowed:
                    assert answer.status_code == 403, (role, route.path, answer.status_code)
                else:
                    assert answer.status_code not in (401, 403), (role, route.path)
                    # and the declaration says the same as the table
                    roles = set(route.endpoint.__roles__)  # type: ignore[attr-defined]
                    assert role.replace("other-", "") in roles
    assert walked >= len(ROLES) * len(EXPECTED)


def test_an_agency_sees_only_its_own(client: TestClient, made: dict[str, Any]) -> None:
    _submit_all(client, made)
    _as(client, "agency")
    assert client.get("/", follow_redirects=False).headers["location"] == "/agency/song-lam"
    assert client.get("/agency/song-lam").status_code == 200
    assert client.get("/agency/ha-son").status_code == 403
    assert client.get("/agency/ha-son/report").status_code == 403
    assert client.get("/api/v1/agencies/ha-son/history").status_code == 403
    own = client.get("/api/v1/agencies/song-lam/history")
    assert own.status_code == 200 and own.json()["agency"] == "song-lam"
    assert client.get("/nation").status_code == 403
    report = client.get("/agency/song-lam/report")
    assert report.status_code == 200 and "song-lam" in report.text
    nonce = re.search(r"script-src 'nonce-([^']+)'", report.headers["content-security-policy"])
    assert nonce and f'nonce="{nonce.group(1)}"' in report.text


def test_forms_need_their_csrf_token(client: TestClient) -> None:
    assert login(client, "root").status_code == 303
    data = {"name": "intruder", "role": "admin", "password": "x" * 16}
    assert client.post("/admin/accounts", data=data).status_code == 400
    assert client.post("/admin/accounts", data={**data, "csrf": "0" * 64}).status_code == 400
    added = client.post("/admin/accounts", data={**data, "csrf": _csrf(client, "/admin")},
                        follow_redirects=False)
    assert added.status_code == 303
    # a login form's token is bound to that visitor's session, not to another's
    other = TestClient(client.app, base_url="https://testserver")
    stolen = _csrf(client, "/admin")
    assert other.post("/login", data={"csrf": stolen, "account": "root",
                                      "password": PASSWORD}).status_code == 400


def test_logins_are_rate_limited_and_audited(client: TestClient) -> None:
    for _ in range(5):
        assert login(client, "thanh-tra", "wrong password").status_code == 401
    throttled = login(client, "thanh-tra")  # the right password, too late
    assert throttled.status_code == 429
    assert login(client, "root").status_code == 303  # another account is not locked out
    log = client.get("/admin").text
    assert log.count("login.failed") >= 5 and "login.throttled" in log


def test_a_disabled_account_loses_its_session(client: TestClient) -> None:
    inspector = TestClient(client.app, base_url="https://testserver")
    assert login(inspector, "thanh-tra").status_code == 303
    assert inspector.get("/nation").status_code == 200
    assert login(client, "root").status_code == 303
    client.post("/admin/accounts/state", data={"csrf": _csrf(client, "/admin"),
                                               "name": "thanh-tra", "disabled": "1"})
    assert inspector.get("/nation", follow_redirects=False).status_code == 303
    assert login(inspector, "thanh-tra").status_code == 401


def test_cookies_and_headers(client: TestClient) -> None:
    answer = login(client, "root")
    cookie = answer.headers["set-cookie"]
    for flag in ("HttpOnly", "Secure", "SameSite=strict"):
        assert flag.lower() in cookie.lower()
    page = client.get("/nation")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert "unsafe-inline" not in csp
    assert page.headers["x-frame-options"] == "DENY"


def test_hostile_agency_names_are_inert(client: TestClient, made: dict[str, Any]) -> None:
    hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&'
    data = copy.deepcopy(made["documents"]["song-lam"])
    data["agency"]["name"] = {"vi": hostile, "en": hostile}
    data["agency"]["region"] = hostile  # in the charts' labels and the filters too
    data.pop("signature", None)
    import json

    signed = json.dumps(sign(data, made["keys"]["song-lam"])).encode()
    assert client.post("/api/v1/bundles", content=signed).status_code == 201
    ministry = copy.deepcopy(made["documents"]["bo-hts"])  # a waiver's texts, on its page
    ministry.pop("signature", None)
    ministry["waivers"][0].update(justification=hostile, approved_by=hostile, reference=hostile)
    signed = json.dumps(sign(ministry, made["keys"]["bo-hts"])).encode()
    assert client.post("/api/v1/bundles", content=signed).status_code == 201
    assert login(client, "thanh-tra").status_code == 303
    assert "&lt;script&gt;" in client.get("/agency/bo-hts").text.split('id="h-waivers"')[1]
    for path in ("/nation", "/agency/song-lam", "/agency/bo-hts", "/control/HOST-SSH-01",
                 "/control/HOST-SSH-01?region=" + hostile, "/nation?region=" + hostile):
        text = client.get(path).text
        assert "<script" not in text and "<img" not in text, path
    nation = client.get("/nation").text
    assert "&lt;script&gt;" in nation
    charts = nation[nation.index('id="fig-regions"'):]
    assert "&lt;script&gt;" in charts[:charts.index("</svg>")]  # a chart's label, inert
    sheet = client.get("/nation/export/agencies.csv")
    assert sheet.status_code == 200 and sheet.text.startswith("\ufeff")


def test_every_table_exports(client: TestClient, made: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    _submit_all(client, made)
    assert login(client, "thanh-tra").status_code == 303
    pages = {"/nation": "/nation/export", "/agency/song-lam": "/agency/song-lam/export",
             "/control/HOST-SSH-01": "/control/HOST-SSH-01/export"}
    for page, base in pages.items():
        html = client.get(page + "?lang=en").text
        names = set(re.findall(re.escape(base) + r"/([a-z_]+)\.xlsx", html))
        assert names, page
        for name in names:
            xlsx = client.get(f"{base}/{name}.xlsx")
            assert xlsx.status_code == 200, (page, name)
            book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
            assert book.active is not None
            csv = client.get(f"{base}/{name}.csv")
            assert csv.status_code == 200 and csv.text.startswith("\ufeff")
    assert client.get("/nation/export/nothing.csv").status_code == 404
    assert client.get("/nation/export/agencies.exe").status_code == 404


def test_pages_speak_both_languages(client: TestClient, made: dict[str, Any]) -> None:
    _submit_all(client, made)
    assert login(client, "thanh-tra").status_code == 303
    vi = client.get("/nation").text
    assert "Toàn quốc" in vi and 'lang="vi"' in vi
    en = client.get("/nation?lang=en").text
    assert "Nation" in en and 'lang="en"' in en
    assert 'lang="en"' in client.get("/agency/song-lam").text  # the choice is remembered
    table = client.get("/nation?kind=province").text
    assert "/agency/song-lam" in table and "/agency/bo-hts" not in table


def test_the_openapi_description_lists_every_api_route(client: TestClient) -> None:
    described = client.get("/api/v1/openapi.json").json()
    api = {r.path for r in ROUTES if r.path.startswith("/api/")}
    assert set(described["paths"]) == api
    assert described["openapi"].startswith("3.")


def test_an_agency_page_lists_its_waivers(client: TestClient, made: dict[str, Any]) -> None:
    _submit_all(client, made)
    assert login(client, "thanh-tra").status_code == 303
    page = client.get("/agency/bo-hts?lang=en").text
    waivers = made["documents"]["bo-hts"]["waivers"]
    assert waivers, "the sample ministry declares waivers"
    section = page[page.index('id="h-waivers"'):]
    for waiver in waivers:
        assert waiver["control"] in section and waiver["approved_by"] in section
    assert "No data yet." in client.get("/agency/song-lam?lang=en").text.split(
        'id="h-waivers"')[1]


def test_the_infrastructure_area_is_split_into_network_and_server_rooms(
        client: TestClient, made: dict[str, Any]) -> None:
    """The nation's network and server-room scores, each agency's weighed from its stored
    counts, against the same formula applied to the bundle's own results here."""
    from egov_audit.checks.vocabulary import load_catalogue
    from egov_audit.serve.nation import _part_scores
    from egov_audit.serve.pages import Filters

    _submit_all(client, made)
    weights = {s.value: w for s, w in load_catalogue().weights.items()}
    with open_store(client.app.state.service.settings.db) as store:  # type: ignore[attr-defined]
        scores = _part_scores(store, Filters())
    checked = 0
    for agency in AGENCIES:
        for part, is_room in (("server_rooms", True), ("network", False)):
            judged = [r for r in made["documents"][agency]["results"]
                      if r["area"] == "infrastructure"
                      and (r.get("target_kind") == "server_room") == is_room
                      and r["status"] in ("pass", "fail", "error", "not_assessed")]
            if not judged:
                assert (agency, part) not in scores
                continue
            total = sum(weights[r["severity"]] for r in judged)
            passed = sum(weights[r["severity"]] for r in judged if r["status"] == "pass")
            assert scores[(agency, part)] == round(100 * passed / total, 1), (agency, part)
            checked += 1
    assert checked >= 4
    assert login(client, "thanh-tra").status_code == 303
    areas = client.get("/nation?lang=en").text.split('id="t-areas"')[1].split("</table>")[0]
    for name in ("Network", "Server rooms", "IP addressing", "Security"):
        assert name in areas


def test_an_unreachable_store_is_answered_503_with_retry_after(tmp_path: Path) -> None:
    app = create_app(Settings(f"postgresql://postgres@/egov?host={tmp_path}&port=1"
                              "&connect_timeout=2", spool=str(tmp_path)))
    with TestClient(app, base_url="https://testserver") as client:
        for path, method in (("/api/v1/bundles", "POST"), ("/healthz", "GET"),
                             ("/login", "GET")):
            answer = client.request(method, path, content=b"{}" if method == "POST" else None)
            assert answer.status_code == 503, (path, answer.status_code)
            assert answer.headers["retry-after"].isdigit()
        assert client.post("/api/v1/bundles", content=b"{}").json()["outcome"] == "unavailable"


def test_quarters_and_months_are_vietnam_time(client: TestClient,
                                              made: dict[str, Any]) -> None:
    """A bundle finished at 20:00Z on 31 December is January's, the first quarter's."""
    import json

    data = copy.deepcopy(made["documents"]["ha-son"])
    data.pop("signature", None)
    data["finished_at"] = "2026-12-31T20:00:00Z"
    signed = json.dumps(sign(data, made["keys"]["ha-son"])).encode()
    assert client.post("/api/v1/bundles", content=signed).status_code == 201
    with open_store(client.app.state.service.settings.db) as store:  # type: ignore[attr-defined]
        assert [r["quarter"] for r in store.quarterly()] == ["2027-Q1"]
        control = next(r["control"] for r in data["results"] if r["status"] == "pass")
        assert [r["month"] for r in store.pass_rate(control)] == ["2027-01"]
        months = store.execute("SELECT period FROM bundles").fetchall()
    assert months == [("2027-01",)]
