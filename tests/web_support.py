"""Shared pieces of the web tests: an app per test class on SQLite and on PostgreSQL, tokens."""

from __future__ import annotations

import base64
import secrets
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from flask import Flask
from flask.testing import FlaskClient

from infrastructure.keys import LedgerKeys, load_keys
from infrastructure.settings import Settings, sqlite_path
from web.app import create_app
from web.auth import issue_token

SECRET = "test-secret-" + "x" * 40
BACKENDS = ("sqlite", "postgres")
SESSION_KEYS = LedgerKeys.generate()


def keys_for(url: str) -> LedgerKeys:
    """The keys every process of a test finds for ``url``: those kept beside a SQLite file (as
    the commands keep them), else one set for the session."""
    path = sqlite_path(url)
    if path in (None, ":memory:"):
        return SESSION_KEYS
    return load_keys({}, Path(path).resolve().parent)


def key_env(url: str) -> dict[str, str]:
    """The environment that gives a command the keys ``keys_for(url)`` gives a test."""
    if sqlite_path(url) not in (None, ":memory:"):
        return {}  # the command finds the files kept beside the database, as the test does
    pem = Path(tempfile.mkdtemp(prefix="test-keys-")) / "signing.pem"
    pem.write_bytes(
        SESSION_KEYS.signing_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    pem.chmod(0o600)
    return {
        "BORDERLEDGER_DATA_KEY": base64.b64encode(SESSION_KEYS.data_key).decode(),
        "BORDERLEDGER_SIGNING_KEY": str(pem),
    }


def settings_for(url: str, **overrides) -> Settings:
    return Settings(
        database_url=url,
        secret_key=SECRET,
        keys=overrides.pop("keys", None) or keys_for(url),
        calculator_per_minute=overrides.pop("calculator_per_minute", 100_000),
        verification_per_minute=overrides.pop("verification_per_minute", 100_000),
        **overrides,
    )


def database_url(request, tmp_path_factory, backend: str) -> str:
    if backend == "postgres":
        base = request.getfixturevalue("postgres_url")
        return f"{base}?schema=web_{secrets.token_hex(4)}"
    return f"sqlite:///{tmp_path_factory.mktemp('web')}/ledger.db"


def token(role: str, office=None, employer_id=None, subject=None, ttl=600, secret=SECRET) -> str:
    return issue_token(
        secret,
        role,
        datetime.now(UTC),
        ttl,
        subject=subject,
        office=office,
        employer_id=employer_id,
    )


def bearer(role: str, **claims) -> dict:
    return {"Authorization": f"Bearer {token(role, **claims)}"}


@dataclass
class Web:
    """A client of one app, with the headers of each role and a few shortcuts."""

    app: Flask
    client: FlaskClient
    backend: str

    registrar = property(lambda self: bearer("registrar", office="KZ-ALA", subject="reg-ala"))
    paris = property(lambda self: bearer("registrar", office="FR-CDG", subject="reg-cdg"))
    auditor = property(lambda self: bearer("auditor", subject="aud"))
    admin = property(lambda self: bearer("admin", subject="root"))

    def employer(self, employer_id: str) -> dict:
        return bearer("employer", employer_id=employer_id, subject=f"hr-{employer_id}")

    def register(self, nationality: str = "RUS", document_number: str | None = None) -> str:
        body = {"nationality": nationality, "document_number": document_number or unique("P")}
        r = self.client.post("/api/v1/travelers", json=body, headers=self.admin)
        assert r.status_code == 201, r.get_json()
        return r.get_json()["traveler_id"]

    def cross(self, traveler_id, direction, day, post="KZ-ALA", time=None, crossing_id=None):
        time = time or ("04:00:00Z" if direction == "entry" else "10:00:00Z")
        body = {
            "crossing_id": crossing_id or str(uuid.uuid4()),
            "direction": direction,
            "border_post": post,
            "occurred_at": f"{day}T{time}",
        }
        return self.client.post(
            f"/api/v1/travelers/{traveler_id}/crossings", json=body, headers=self.admin
        )


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12].upper()}"


def build(request, tmp_path_factory, backend: str, **overrides) -> Web:
    url = database_url(request, tmp_path_factory, backend)
    app = create_app({"SETTINGS": settings_for(url, **overrides)})
    return Web(app, app.test_client(), backend)


def close(web: Web) -> None:
    web.app.extensions["borderledger"].service.app.close()


class WebCase:
    """Base of the web test classes: every test runs on SQLite and on PostgreSQL."""

    @pytest.fixture(scope="class", params=BACKENDS)
    @classmethod
    def web(cls, request, tmp_path_factory):
        web = build(request, tmp_path_factory, request.param)
        yield web
        close(web)


def catch_up(web: Web) -> None:
    """Bring the read side up to the ledger, as the serve loop or the worker would."""
    read = web.app.extensions["borderledger"].read
    while read.catch_up():
        pass


def assert_problem(response, status: int) -> dict:
    """The response is an RFC 9457 problem with ``status``; returns its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert {"type", "title", "detail"} <= set(body)
    return body
