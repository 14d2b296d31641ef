"""One error shape everywhere: Flask's own errors, bad bodies, bad tokens, a store that is down."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit, urlunsplit

import jwt
import psycopg
import pytest
from psycopg import sql
from web_support import SECRET, assert_problem, bearer, build, close, settings_for, token

from web.app import create_app

TRAVELERS = "/api/v1/travelers"


@pytest.fixture(scope="module")
def web(request, tmp_path_factory):
    web = build(request, tmp_path_factory, "sqlite", max_body_bytes=4096)
    yield web
    close(web)


def test_unknown_route_is_a_problem(web):
    assert_problem(web.client.get("/api/v1/nowhere"), 404)
    assert_problem(web.client.get("/"), 404)


def test_wrong_method_is_a_problem_with_allow(web):
    r = web.client.delete("/api/v1/rules")
    assert_problem(r, 405)
    assert "GET" in r.headers["Allow"]


def test_malformed_json_is_400(web):
    r = web.client.post(
        TRAVELERS, data="{nationality:", content_type="application/json", headers=web.registrar
    )
    assert_problem(r, 400)


@pytest.mark.parametrize("body", ["[" * 3000, '{"stays": ' + "[" * 1500 + "]" * 1500 + "}"])
def test_json_nested_too_deeply_is_400(web, body):
    r = web.client.post("/api/v1/calculator", data=body, content_type="application/json")
    assert_problem(r, 400)


def test_body_that_is_not_json_is_415(web):
    r = web.client.post(
        TRAVELERS,
        data="nationality=RUS",
        headers=web.registrar,
        content_type="application/x-www-form-urlencoded",
    )
    assert_problem(r, 415)
    assert_problem(web.client.post(TRAVELERS, headers=web.registrar), 415)


def test_body_over_the_limit_is_413(web):
    body = {"nationality": "RUS", "document_number": "1", "surname": "x" * 5000}
    assert_problem(web.client.post(TRAVELERS, json=body, headers=web.registrar), 413)


def test_authentication_comes_before_content(web):
    assert_problem(web.client.post(TRAVELERS, data="{", content_type="application/json"), 401)
    r = web.client.post(TRAVELERS, data="{", content_type="application/json", headers=web.auditor)
    assert_problem(r, 403)


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer not.a.token",
        "Bearer " + jwt.encode({"sub": "x", "role": "admin", "iat": 1, "exp": 2}, SECRET),
        f"Bearer {token('admin', secret='another-secret-' + 'y' * 40)}",
        "Bearer " + jwt.encode({"sub": "x", "role": "admin"}, SECRET, algorithm="HS256"),
        "Bearer "
        + jwt.encode(
            {"sub": "x", "role": "king", "iat": 1, "exp": 2**40}, SECRET, algorithm="HS256"
        ),
        "Bearer "
        + jwt.encode(
            {"sub": "x", "role": "registrar", "iat": 1, "exp": 2**40}, SECRET, algorithm="HS256"
        ),
        "Bearer "
        + jwt.encode(
            {"sub": "x", "role": "admin", "iat": 1, "exp": 2**40}, SECRET, algorithm="HS384"
        ),
        "Bearer \u00e9t\u00e9",
        "Bearer "
        + jwt.encode(
            {"sub": "nul\x00", "role": "admin", "iat": 1, "exp": 2**40}, SECRET, algorithm="HS256"
        ),
    ],
    ids=[
        "empty",
        "no-token",
        "basic",
        "garbage",
        "expired",
        "other-key",
        "no-exp",
        "unknown-role",
        "registrar-without-office",
        "other-algorithm",
        "not-ascii",
        "unprintable-subject",
    ],
)
def test_bad_tokens_are_401_with_a_challenge(web, authorization):
    r = web.client.get(
        "/api/v1/overstays",
        query_string={"jurisdiction": "KAZ"},
        headers={"Authorization": authorization},
    )
    assert_problem(r, 401)
    assert r.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_a_registrar_of_an_unknown_office_may_record_nowhere(web):
    traveler_id = web.register()
    body = {
        "crossing_id": "c1",
        "direction": "entry",
        "border_post": "KZ-ALA",
        "occurred_at": "2023-02-01T06:00:00Z",
    }
    r = web.client.post(
        f"{TRAVELERS}/{traveler_id}/crossings",
        json=body,
        headers=bearer("registrar", office="NOWHERE"),
    )
    assert_problem(r, 403)


def test_a_store_that_goes_away_is_503_with_retry_after(postgres_url):
    """The database disappears under a running app: answers say so, and when to retry."""
    parts = urlsplit(postgres_url)
    name = f"web_gone_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = urlunsplit(parts._replace(path=f"/{name}"))
    app = create_app({"SETTINGS": settings_for(url)})
    try:
        client = app.test_client()
        assert client.get("/api/v1/health").status_code == 200
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        r = client.get("/api/v1/health")
        assert_problem(r, 503)
        assert int(r.headers["Retry-After"]) > 0
    finally:
        app.extensions["borderledger"].service.app.close()
