"""Personal data out of logs, caches and world-readable files (api.md Conventions), and the
HTTP server's own refusals as problem+json, checked on a served process."""

from __future__ import annotations

import http.client
import json
import os
import stat
import uuid

import pytest
from test_cli_serve import free_port, start, stop, wait_until_up
from web_support import SECRET, WebCase, settings_for, token, unique

from infrastructure.bootstrap import build_runtime
from infrastructure.usecases.context import Actor

TRAVELERS = "/api/v1/travelers"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """The usual umask, under which files are created 0644 unless asked otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_sqlite_database_and_its_wal_are_created_0600(tmp_path, open_umask):
    ledger = build_runtime(settings_for(f"sqlite:///{tmp_path}/ledger.db"))
    try:
        ledger.service.register(Actor("t", admin=True), "RUS", "P1234567", surname="Ivanova")
        made = [p for p in tmp_path.iterdir() if p.name.startswith("ledger.db")]
        assert {p.name for p in made} >= {"ledger.db", "ledger.db-wal", "ledger.db-shm"}
        assert {p.name: mode(p) for p in made} == {p.name: 0o600 for p in made}
    finally:
        ledger.service.app.close()


def test_a_database_left_readable_by_others_is_closed_to_them(tmp_path, open_umask):
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    ledger = build_runtime(settings_for(f"sqlite:///{path}"))
    ledger.service.app.close()
    assert mode(path) == 0o600


class TestCaching(WebCase):
    def test_answers_are_never_stored_by_caches(self, web):
        doc = unique("C")
        created = web.client.post(
            TRAVELERS, json={"nationality": "RUS", "document_number": doc}, headers=web.admin
        )
        found = web.client.get(
            TRAVELERS,
            query_string={"nationality": "RUS", "document_number": doc},
            headers=web.auditor,
        )
        tid = found.get_json()["traveler_id"]
        status = web.client.get(f"{TRAVELERS}/{tid}/status?jurisdiction=KAZ", headers=web.auditor)
        history = web.client.get(f"{TRAVELERS}/{tid}/history", headers=web.auditor)
        missing = web.client.get(
            TRAVELERS,
            query_string={"nationality": "RUS", "document_number": "NOPE1"},
            headers=web.auditor,
        )
        answers = [created, found, status, history, missing]
        assert [r.status_code for r in answers] == [201, 200, 200, 200, 404]
        assert all(r.headers["Cache-Control"] == "no-store" for r in answers)


def raw(port: int, path: str, headers: dict | None = None) -> tuple[int, str, str]:
    """(status, content type, body) of one GET, without a client library's own limits."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.getheader("Content-Type"), r.read().decode()
    finally:
        conn.close()


def test_a_served_process_logs_no_document_number_and_refuses_in_problem_json(tmp_path):
    port = free_port()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/served.db", "BORDERLEDGER_SECRET_KEY": SECRET}
    proc = start(["serve", "--port", str(port)], env, tmp_path)
    auditor = {"Authorization": f"Bearer {token('auditor')}"}
    numbers = [f"LOG{uuid.uuid4().hex[:12].upper()}" for _ in range(3)]
    try:
        wait_until_up(port, proc)
        for number in numbers:
            status, _, _ = raw(
                port, f"{TRAVELERS}?nationality=RUS&document_number={number}", auditor
            )
            assert status == 404
        status, kind, body = raw(port, f"{TRAVELERS}?document_number={'7' * 5000}", auditor)
        assert (status, kind, json.loads(body)["status"]) == (414, "application/problem+json", 414)
        status, kind, body = raw(port, "/api/v1/health", {"X-Big": "x" * 20_000})
        assert kind == "application/problem+json" and status in (400, 431)
        assert json.loads(body)["status"] == status
        status, kind, _ = raw(port, "/api/v1/health")
        assert (status, kind) == (200, "application/json")
        db_modes = {p.name: mode(p) for p in tmp_path.iterdir() if p.name.startswith("served.db")}
        assert db_modes and set(db_modes.values()) == {0o600}
    finally:
        stop(proc)
    logs = proc.stdout.read() + proc.stderr.read()
    assert logs.count(f"GET {TRAVELERS} HTTP/1.1") == 3
    assert not any(number in logs for number in numbers)
    assert "7777777777" not in logs
