"""The pages for people through the Flask test client: sessions, CSRF, roles, hooks, escaping."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from web_support import Web, build, catch_up, close, token

XSS = "<script>alert(1)</script>"
HOOK = re.compile(r"<([a-z]+)[^>]*\bdata-field=\"([a-z_]+)\"[^>]*>([^<]*)<")


@pytest.fixture(scope="module")
def web(request, tmp_path_factory):
    web = build(request, tmp_path_factory, "sqlite")
    yield web
    close(web)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signed_in(web: Web, role: str, **claims):
    """A fresh client signed in through the form, as a person would."""
    client = web.app.test_client()
    csrf = csrf_of(client.get("/ui/").get_data(as_text=True))
    r = client.post("/ui/", data={"token": token(role, **claims), "csrf_token": csrf})
    assert r.status_code == 303, r.get_data(as_text=True)
    return client


def page_csrf(client, path="/ui/travelers") -> str:
    return csrf_of(client.get(path).get_data(as_text=True))


@pytest.fixture(scope="module")
def overstayer(web: Web) -> str:
    """A Russian in Kazakhstan since 2023-02-01, past 90 days by 2023-05-10."""
    body = {
        "nationality": "RUS",
        "document_number": "UI" + uuid.uuid4().hex[:10].upper(),
        "surname": XSS,
        "given_names": "Ann",
        "birth_date": "1990-04-01",
    }
    r = web.client.post("/api/v1/travelers", json=body, headers=web.admin)
    traveler_id = r.get_json()["traveler_id"]
    assert web.cross(traveler_id, "entry", "2022-10-01").status_code == 201
    assert web.cross(traveler_id, "exit", "2022-10-20").status_code == 201
    crossing = str(uuid.uuid4())
    assert web.cross(traveler_id, "entry", "2023-02-02", crossing_id=crossing).status_code == 201
    r = web.client.post(
        f"/api/v1/travelers/{traveler_id}/crossings/{crossing}/correction",
        json={"occurred_at": "2023-02-01T04:00:00Z", "reason": "misread stamp"},
        headers=web.admin,
    )
    assert r.status_code == 201, r.get_json()
    catch_up(web)
    return traveler_id, body["document_number"]


def hooks(html: str) -> dict:
    return {name: text for _, name, text in HOOK.findall(html)}


def test_signing_in_sets_a_strict_httponly_cookie_for_the_pages_only(web):
    client = web.app.test_client()
    csrf = csrf_of(client.get("/ui/").get_data(as_text=True))
    r = client.post("/ui/", data={"token": token("auditor"), "csrf_token": csrf})
    cookie = r.headers["Set-Cookie"]
    assert r.status_code == 303 and r.headers["Location"] == "/ui/travelers"
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/ui" in cookie
    assert "Secure" not in cookie  # plain HTTP: a Secure cookie would never come back
    assert client.get("/ui/travelers").status_code == 200


def test_the_cookie_is_secure_over_https_and_a_forwarded_proto_is_ignored_without_a_proxy(web):
    https = web.app.test_client()
    csrf = csrf_of(https.get("/ui/", base_url="https://localhost").get_data(as_text=True))
    r = https.post(
        "/ui/",
        data={"token": token("auditor"), "csrf_token": csrf},
        base_url="https://localhost",
    )
    assert "Secure" in r.headers["Set-Cookie"]
    spoofed = web.app.test_client().get("/ui/", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in spoofed.headers["Set-Cookie"]


def test_behind_a_configured_proxy_its_forwarded_proto_makes_the_cookie_secure(
    request, tmp_path_factory
):
    proxied = build(request, tmp_path_factory, "sqlite", trusted_proxies=1)
    try:
        r = proxied.client.get("/ui/", headers={"X-Forwarded-Proto": "https"})
        assert "Secure" in r.headers["Set-Cookie"]
    finally:
        close(proxied)


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(web):
    client = web.app.test_client()
    client.get("/ui/")
    r = client.post("/ui/", data={"token": token("auditor")})
    assert r.status_code == 400
    assert client.get("/ui/travelers").status_code == 303  # still not signed in
    signed = signed_in(web, "auditor")
    assert signed.post("/ui/signout", data={}).status_code == 400
    assert signed.get("/ui/travelers").status_code == 200


def test_a_bad_token_is_refused_and_sign_out_ends_the_session(web):
    client = web.app.test_client()
    csrf = csrf_of(client.get("/ui/").get_data(as_text=True))
    r = client.post("/ui/", data={"token": "not.a.token", "csrf_token": csrf})
    assert r.status_code == 401 and "not valid" in r.get_data(as_text=True)
    signed = signed_in(web, "auditor")
    r = signed.post("/ui/signout", data={"csrf_token": page_csrf(signed)})
    assert r.status_code == 303
    assert signed.get("/ui/travelers").status_code == 303


def test_an_expired_token_in_the_session_signs_the_person_out(web):
    client = web.app.test_client()
    csrf = csrf_of(client.get("/ui/").get_data(as_text=True))
    client.post("/ui/", data={"token": token("auditor", ttl=1), "csrf_token": csrf})
    time.sleep(2.1)
    assert client.get("/ui/travelers").status_code == 303


def test_the_timeline_shows_what_the_api_answers_with_every_hook(web, overstayer):
    traveler_id, _ = overstayer
    query = "jurisdiction=KAZ&as_of=2023-05-10"
    api = web.client.get(
        f"/api/v1/travelers/{traveler_id}/status?{query}", headers=web.auditor
    ).get_json()
    client = signed_in(web, "auditor")
    r = client.get(f"/ui/travelers/{traveler_id}?{query}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    found = hooks(html)
    assert found["days_used"] == str(api["days_used"])
    assert found["latest_legal_exit"] == (api["latest_legal_exit"] or "—")
    periods = re.findall(r'data-overstay-period data-from="([\d-]+)" data-to="([\d-]+)"', html)
    assert periods == [(p["from"], p["to"]) for p in api["overstay"]["periods"]]
    assert len(periods) == 1
    assert re.findall(r'data-rule-change data-on="([\d-]+)"', html) == ["2023-01-27"]
    assert html.count('svg data-chart="timeline"') == 1
    history = web.client.get(f"/api/v1/travelers/{traveler_id}/history", headers=web.auditor)
    versions = [e["version"] for e in history.get_json()["events"]]
    assert [int(v) for v in re.findall(r'data-event-version="(\d+)"', html)] == versions
    assert 'data-changes="4"' in html  # the correction links to the crossing it corrects


def test_a_day_can_be_focused_and_tells_its_count_and_rule(web, overstayer):
    traveler_id, _ = overstayer
    client = signed_in(web, "auditor")
    html = client.get(f"/ui/travelers/{traveler_id}?jurisdiction=KAZ&as_of=2023-05-10").text
    api = web.client.get(
        f"/api/v1/travelers/{traveler_id}/status?jurisdiction=KAZ&as_of=2023-03-01",
        headers=web.auditor,
    ).get_json()
    day = re.search(r'data-day="2023-03-01" tabindex="-?\d"><title>([^<]+)</title>', html)
    expected = f"{api['days_used']} of 90 days used ({api['rule']['id']})"
    assert day.group(1) == f"2023-03-01: in the country; {expected}"
    assert 'data-day="2023-02-01" tabindex="0"' in html  # a stay's first day is a tab stop


def test_a_name_with_markup_is_shown_as_text(web, overstayer):
    traveler_id, _ = overstayer
    client = signed_in(web, "auditor")
    html = client.get(f"/ui/travelers/{traveler_id}?jurisdiction=KAZ").get_data(as_text=True)
    assert XSS not in html
    assert "Ann &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_pages_with_personal_data_are_not_cached_and_allow_no_inline_code(web, overstayer):
    traveler_id, _ = overstayer
    client = signed_in(web, "auditor")
    r = client.get(f"/ui/travelers/{traveler_id}?jurisdiction=KAZ")
    assert r.headers["Cache-Control"] == "no-store"
    csp = r.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    html = r.get_data(as_text=True)
    assert (
        "<script>" not in html
        and " style=" not in html
        and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )


def test_find_takes_the_document_in_the_body_and_redirects_to_an_id(web, overstayer):
    traveler_id, document = overstayer
    client = signed_in(web, "registrar", office="KZ-ALA")
    form = {"nationality": "RUS", "document_number": document, "jurisdiction": "KAZ"}
    r = client.post("/ui/travelers", data={**form, "csrf_token": page_csrf(client)})
    assert r.status_code == 303
    assert r.headers["Location"] == f"/ui/travelers/{traveler_id}?jurisdiction=KAZ"
    assert document not in r.headers["Location"]
    missing = {**form, "document_number": "NOSUCH1", "csrf_token": page_csrf(client)}
    assert client.post("/ui/travelers", data=missing).status_code == 404
    bad = {**form, "nationality": "russia", "csrf_token": page_csrf(client)}
    assert client.post("/ui/travelers", data=bad).status_code == 422


def test_bad_query_values_answer_a_clear_4xx_page(web, overstayer):
    traveler_id, _ = overstayer
    client = signed_in(web, "auditor")
    r = client.get(f"/ui/travelers/{traveler_id}?jurisdiction=KAZ&as_of=soon")
    assert r.status_code == 422 and "as_of" in r.get_data(as_text=True)
    r = client.get(f"/ui/travelers/{traveler_id}?jurisdiction=KAZ&known_at=2023-01-01T00:00:00")
    assert r.status_code == 422
    assert client.get(f"/ui/travelers/{uuid.uuid4()}?jurisdiction=KAZ").status_code == 404
    assert client.get("/ui/overstays?jurisdiction=MARS").status_code == 422
    assert (
        client.get(f"/ui/travelers/{traveler_id}?jurisdiction=KAZ&after_version=x").status_code
        == 422
    )


def test_a_registrar_sees_the_status_but_not_the_audit_trail_nor_the_overstayers(web, overstayer):
    traveler_id, _ = overstayer
    client = signed_in(web, "registrar", office="KZ-ALA")
    html = client.get(f"/ui/travelers/{traveler_id}?jurisdiction=KAZ").get_data(as_text=True)
    assert 'data-field="days_used"' in html
    assert "data-event-version" not in html and "alert(1)" not in html
    assert client.get("/ui/overstays?jurisdiction=KAZ").status_code == 403
    assert client.get("/ui/overstays.csv?jurisdiction=KAZ").status_code == 403
    assert client.get("/ui/verify").status_code == 403


def test_an_employer_sees_only_the_verify_page(web, overstayer):
    traveler_id, _ = overstayer
    client = signed_in(web, "employer", employer_id="123456789012")
    assert client.get("/ui/").headers["Location"] == "/ui/verify"
    assert client.get("/ui/verify").status_code == 200
    for path in ("/ui/travelers", f"/ui/travelers/{traveler_id}?jurisdiction=KAZ", "/ui/overstays"):
        assert client.get(path).status_code == 403, path


def test_overstayers_are_listed_linked_and_downloadable_as_a_stream(web, overstayer):
    traveler_id, _ = overstayer
    client = signed_in(web, "auditor")
    html = client.get("/ui/overstays?jurisdiction=KAZ&as_of=2023-05-10").get_data(as_text=True)
    assert f'data-overstayer="{traveler_id}"' in html
    assert f"/ui/travelers/{traveler_id}?jurisdiction=KAZ&amp;as_of=2023-05-10" in html
    r = client.get("/ui/overstays.csv?jurisdiction=KAZ&as_of=2023-05-10")
    assert r.is_streamed and r.mimetype == "text/csv"
    lines = r.get_data(as_text=True).splitlines()
    assert lines[0].startswith("traveler_id,nationality")
    api = web.client.get(
        f"/api/v1/travelers/{traveler_id}/status?jurisdiction=KAZ&as_of=2023-05-10",
        headers=web.auditor,
    ).get_json()
    exit_ = api["overstay"]["periods"][0]["from"]
    assert any(line.startswith(f"{traveler_id},RUS,2023-02-01,") for line in lines)
    assert any(f",{traveler_id}," in f",{line}," and exit_ > line.split(",")[3] for line in lines)


def test_an_employer_checks_a_contract_and_downloads_the_signed_receipt(web):
    document = "EM" + uuid.uuid4().hex[:10].upper()
    r = web.client.post(
        "/api/v1/travelers",
        json={"nationality": "KGZ", "document_number": document},
        headers=web.admin,
    )
    traveler_id = r.get_json()["traveler_id"]
    grant = {
        "exemption_id": str(uuid.uuid4()),
        "kind": "employment",
        "jurisdiction": "KAZ",
        "valid_from": "2023-03-10",
        "valid_until": "2024-03-09",
        "contract_number": "EC-UI-1",
        "employer_id": "123456789012",
    }
    r = web.client.post(
        f"/api/v1/travelers/{traveler_id}/exemptions", json=grant, headers=web.registrar
    )
    assert r.status_code == 201, r.get_json()
    client = signed_in(web, "employer", employer_id="123456789012")
    assert client.get("/ui/verify/receipt").status_code == 404
    form = {
        "nationality": "KGZ",
        "document_number": document,
        "contract_number": "EC-UI-1",
        "on": "2023-06-01",
        "csrf_token": page_csrf(client, "/ui/verify"),
    }
    html = client.post("/ui/verify", data=form).get_data(as_text=True)
    assert 'data-value="active"' in html and "Yes: the employment exemption" in html
    assert document not in html
    receipt = client.get("/ui/verify/receipt")
    assert receipt.headers["Content-Disposition"].startswith("attachment")
    assert receipt.get_json()["receipt"].count(".") == 1
    other = signed_in(web, "employer", employer_id="999999999999")
    form["csrf_token"] = page_csrf(other, "/ui/verify")
    assert 'data-value="not_found"' in other.post("/ui/verify", data=form).get_data(as_text=True)


def test_an_erased_traveler_s_timeline_shows_no_name_and_says_so(web):
    body = {"nationality": "RUS", "document_number": "ER" + uuid.uuid4().hex[:10].upper()}
    body |= {"surname": "Erasova", "given_names": "Vera", "birth_date": "1950-05-05"}
    traveler_id = web.client.post("/api/v1/travelers", json=body, headers=web.admin).get_json()[
        "traveler_id"
    ]
    assert web.cross(traveler_id, "entry", "2023-02-01").status_code == 201
    client = signed_in(web, "auditor")
    page = client.get(f"/ui/travelers/{traveler_id}?jurisdiction=KAZ").get_data(as_text=True)
    assert "Erasova" in page and 'data-field="erased"' not in page
    r = web.client.post(
        f"/api/v1/travelers/{traveler_id}/erasure", json={"reason": "asked"}, headers=web.admin
    )
    assert r.status_code == 201
    page = client.get(f"/ui/travelers/{traveler_id}?jurisdiction=KAZ").get_data(as_text=True)
    assert "Erasova" not in page and "Vera" not in page and "1950-05-05" not in page
    assert body["document_number"] not in page
    assert 'data-field="erased"' in page
