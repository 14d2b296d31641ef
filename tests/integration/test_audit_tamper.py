"""Tampering directly in the database, as an attacker would, is found by ``audit verify``.

Each case tampers with a fresh demo-like ledger (SQLite through sqlite3 on the file, PostgreSQL
through psycopg on the test database) after a checkpoint was signed; verify must name the kind
and the traveler and version, and history and status must not fail with an unexpected error.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import json
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from click.testing import CliRunner
from psycopg import sql

from domain.chain import LEDGER_GENESIS, checkpoint_message, fold, record_hash
from domain.errors import LedgerIntegrityError, NotFoundError
from infrastructure.bootstrap import build_service
from infrastructure.eventstore.sealing import stored_hash
from infrastructure.keys import SIGNING_KEY_FILE_NAME, load_keys
from infrastructure.settings import Settings, schema_of, sqlite_path
from infrastructure.usecases.commands import CorrectCrossing, GrantExemption, RecordCrossing
from infrastructure.usecases.context import Actor
from web.app import create_app
from web.auth import issue_token
from web.cli import main

SECRET = "tamper-secret-" + "t" * 32
OFFICER = Actor("officer-ala", office="KZ-ALA")
ADMIN = Actor("admin", office="HQ", admin=True)
NOT_THE_KEY = secrets.token_bytes(32)  # what an attacker seals with: any key but the ledger's
SEAL = re.compile(rb',"seal":"[0-9a-f]{64}"\}$')
PREVIOUS = re.compile(rb'"previous_hash":"[0-9a-f]*"')


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Clock:
    def __init__(self):
        self.now = datetime(2024, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Demo:
    url: str
    env: dict
    settings: Settings
    one: UUID  # 8 events: 4 crossings, a correction, a void, a second document
    two: UUID  # 3 events: a crossing and an exemption
    three: UUID  # 3 events: two crossings
    checkpoint: Path

    def service(self):
        return build_service(self.settings, clock=Clock())


class Raw:
    """The events table, read and written with the database's own driver."""

    def __init__(self, url: str):
        self.url = url
        self.postgres = url.startswith("postgresql")

    def _run(self, query: str, params=()) -> list:
        if self.postgres:
            table = sql.Identifier(schema_of(self.url), "borderledger_events").as_string()
            with psycopg.connect(self.url.split("?", 1)[0]) as conn:
                cur = conn.execute(query.replace("%T", table).replace("?", "%s"), params)
                return cur.fetchall() if cur.description else []
        with sqlite3.connect(sqlite_path(self.url)) as conn:
            return conn.execute(query.replace("%T", "stored_events"), params).fetchall()

    def _id(self, originator: UUID):
        return originator if self.postgres else originator.hex

    def rows(self, originator: UUID) -> list[tuple[int, str, bytes]]:
        found = self._run(
            "SELECT originator_version, topic, state FROM %T WHERE originator_id = ?"
            " ORDER BY originator_version",
            (self._id(originator),),
        )
        return [(v, t, bytes(s)) for v, t, s in found]

    def state(self, originator: UUID, version: int) -> bytes:
        return next(s for v, _, s in self.rows(originator) if v == version)

    def set_state(self, originator: UUID, version: int, state: bytes) -> None:
        self._run(
            "UPDATE %T SET state = ? WHERE originator_id = ? AND originator_version = ?",
            (state, self._id(originator), version),
        )

    def set_version(self, originator: UUID, version: int, new: int) -> None:
        self._run(
            "UPDATE %T SET originator_version = ? WHERE originator_id = ?"
            " AND originator_version = ?",
            (new, self._id(originator), version),
        )

    def delete(self, originator: UUID, version: int) -> None:
        self._run(
            "DELETE FROM %T WHERE originator_id = ? AND originator_version = ?",
            (self._id(originator), version),
        )

    def insert(self, originator: UUID, version: int, topic: str, state: bytes) -> None:
        self._run(
            "INSERT INTO %T (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
            (self._id(originator), version, topic, state),
        )

    def claim_of(self, traveler: UUID) -> UUID:
        for originator, state in self._run("SELECT originator_id, state FROM %T"):
            if traveler.hex.encode() in bytes(state):
                return UUID(str(originator))
        raise AssertionError("no claim")

    def recompute_from(self, originator: UUID, version: int) -> None:
        """Rechain from ``version`` on with plain SHA-256, sealing with a guessed key."""
        rows = self.rows(originator)
        previous = hashed(originator, *next((v, t, s) for v, t, s in rows if v == version - 1))
        for v, topic, state in rows:
            if v < version:
                continue
            body = PREVIOUS.sub(f'"previous_hash":"{previous}"'.encode(), unsealed(state))
            previous = record_hash(originator_id=originator, version=v, topic=topic, state=body)
            self.set_state(originator, v, forged_seal(body, previous))


def unsealed(state: bytes) -> bytes:
    return SEAL.sub(b"}", state)


def hashed(originator: UUID, version: int, topic: str, state: bytes) -> str:
    body = unsealed(state)
    return record_hash(originator_id=originator, version=version, topic=topic, state=body)


def forged_seal(body: bytes, digest: str) -> bytes:
    seal = hmac.digest(NOT_THE_KEY, digest.encode(), "sha256").hex()
    return body[:-1] + f',"seal":"{seal}"}}'.encode()


def _checkpoint(service, settings: Settings) -> dict:
    """Signed over the ledger as it stands, as the ledger's own checkpoint would be."""
    ledger_hash, events, start = LEDGER_GENESIS, 0, None
    while batch := service.app.recorder.select_notifications(
        start=start, limit=100, inclusive_of_start=False
    ):
        for n in batch:
            ledger_hash, events = fold(ledger_hash, n.id, stored_hash(n)), events + 1
        start = batch[-1].id
    body = {
        "position": start,
        "events": events,
        "ledger_hash": ledger_hash,
        "signed_at": "2024-01-01T00:00:00+00:00",
        "key_id": settings.keys.key_id,
    }
    return {**body, "signature": settings.keys.sign(checkpoint_message(**body))}


@pytest.fixture(params=["sqlite", "postgres"])
def demo(request, tmp_path) -> Demo:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/ledger.db"
    else:
        url = f"{request.getfixturevalue('postgres_url')}?schema=t_{secrets.token_hex(5)}"
    keys = load_keys({}, tmp_path)
    env = {
        "DATABASE_URL": url,
        "BORDERLEDGER_SECRET_KEY": SECRET,
        "BORDERLEDGER_DATA_KEY": base64.b64encode(keys.data_key).decode(),
        "BORDERLEDGER_SIGNING_KEY": str(tmp_path / SIGNING_KEY_FILE_NAME),
        "BORDERLEDGER_KEY_FILE": str(tmp_path / "borderledger.key"),
    }
    settings = Settings.from_env(env)
    svc = build_service(settings, clock=Clock())
    one, *_ = svc.register(OFFICER, "RUS", "75 1000001", surname="Ivanov")
    for cid, direction, day in [
        ("c1", "entry", "2023-02-01"),
        ("c2", "exit", "2023-02-20"),
        ("c3", "entry", "2023-05-01"),
        ("c4", "exit", "2023-05-09"),
    ]:
        svc.record_crossing(OFFICER, RecordCrossing(one, cid, direction, "KZ-ALA", at(day)))
    svc.correct_crossing(OFFICER, CorrectCrossing(one, "c2", "typo", occurred_at=at("2023-02-21")))
    svc.void_crossing(ADMIN, one, "c4", "duplicate")
    svc.link_document(OFFICER, one, "RUS", "76 2000002")
    two, *_ = svc.register(OFFICER, "KGZ", "AC 300003")
    svc.record_crossing(OFFICER, RecordCrossing(two, "k1", "entry", "KZ-ALA", at("2023-03-01")))
    svc.grant_exemption(
        ADMIN,
        GrantExemption(
            two, "x1", "employment", "KAZ", date(2023, 3, 1), date(2024, 3, 1),
            contract_number="EC-1", employer_id="123456789012",
        ),
    )  # fmt: skip
    three, *_ = svc.register(OFFICER, "UZB", "FA 400004")
    svc.record_crossing(OFFICER, RecordCrossing(three, "u1", "entry", "KZ-ALA", at("2023-04-01")))
    svc.record_crossing(OFFICER, RecordCrossing(three, "u2", "exit", "KZ-ALA", at("2023-04-10")))
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text(json.dumps(_checkpoint(svc, settings)))
    svc.app.close()
    return Demo(url, env, settings, one, two, three, checkpoint)


def verify(demo: Demo, checkpoint: Path | None = None) -> tuple[int, set[tuple[str, int, str]]]:
    result = CliRunner().invoke(
        main,
        ["audit", "verify", "--checkpoint", str(checkpoint or demo.checkpoint)],
        env=demo.env,
    )
    lines = {tuple(line.split(", ")) for line in result.stdout.splitlines()}
    return result.exit_code, {(s, int(v), k) for s, v, k in lines}


def answers_without_crashing(demo: Demo, traveler: UUID) -> dict:
    """History answers (200, with the chain's problems); status answers or names the damage."""
    svc = demo.service()
    try:
        history = svc.history(traveler, "KAZ")
        with contextlib.suppress(LedgerIntegrityError, NotFoundError):
            svc.status(traveler, "KAZ")
        return history
    finally:
        svc.app.close()


def test_an_untouched_ledger_verifies(demo):
    assert verify(demo) == (0, set())
    assert answers_without_crashing(demo, demo.one)["chain_valid"] is True


def test_a_tampered_checkpoint_file_is_a_bad_signature(demo, tmp_path):
    forged = json.loads(demo.checkpoint.read_text())
    forged["events"] -= 1
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))
    code, problems = verify(demo, path)
    assert code == 1
    assert ("checkpoint", forged["position"], "bad_signature") in problems


def _delete_middle(raw, d):
    raw.delete(d.one, 3)
    return d.one, [(str(d.one), 3, "missing")]


def _corrupt_json(raw, d):
    state = raw.state(d.one, 4)
    raw.set_state(d.one, 4, state[:30] + b"}{" + state[32:])
    return d.one, [(str(d.one), 4, "edited")]


def _truncated(raw, d):
    return [("checkpoint", json.loads(d.checkpoint.read_text())["position"], "truncated")]


def _delete_last(raw, d):
    raw.delete(d.three, 3)
    return d.three, _truncated(raw, d)


def _delete_last_three(raw, d):
    for version in (6, 7, 8):
        raw.delete(d.one, version)
    return d.one, _truncated(raw, d)


def _delete_all_but_registration(raw, d):
    for version in (2, 3):
        raw.delete(d.three, version)
    return d.three, _truncated(raw, d)


def _edit_data(raw, d):
    raw.set_state(d.one, 2, raw.state(d.one, 2).replace(b'"entry"', b'"exit"'))
    return d.one, [(str(d.one), 2, "edited")]


def _edit_and_recompute(raw, d):
    raw.set_state(d.one, 2, raw.state(d.one, 2).replace(b'"entry"', b'"exit"'))
    raw.recompute_from(d.one, 2)
    return d.one, [(str(d.one), 2, "edited")]


def _forge_actor(raw, d):
    raw.set_state(d.one, 5, raw.state(d.one, 5).replace(b"officer-ala", b"officer-xyz"))
    raw.recompute_from(d.one, 5)
    return d.one, [(str(d.one), 5, "edited")]


def _append_forged_void(raw, d):
    rows = raw.rows(d.one)
    head = hashed(d.one, *rows[-1])
    _, topic, void = rows[6]  # version 7 voided c4: void c1 as well
    body = PREVIOUS.sub(f'"previous_hash":"{head}"'.encode(), unsealed(void))
    body = body.replace(b'"c4"', b'"c1"')
    digest = record_hash(originator_id=d.one, version=9, topic=topic, state=body)
    raw.insert(d.one, 9, topic, forged_seal(body, digest))
    return d.one, [(str(d.one), 9, "inserted")]


def _claim_elsewhere(raw, d):
    claim = raw.claim_of(d.two)
    raw.set_state(claim, 1, raw.state(claim, 1).replace(d.two.hex.encode(), d.three.hex.encode()))
    return d.two, [(str(claim), 1, "claim_mismatch"), (str(d.two), 1, "claim_mismatch")]


def _reorder(raw, d):
    raw.set_version(d.one, 2, 100)
    raw.set_version(d.one, 3, 2)
    raw.set_version(d.one, 100, 3)
    return d.one, [(str(d.one), 2, "reordered"), (str(d.one), 3, "reordered")]


def _insert_middle(raw, d):
    rows = raw.rows(d.one)
    for version in range(len(rows), 3, -1):
        raw.set_version(d.one, version, version + 1)
    _, topic, crossing = rows[1]
    previous = hashed(d.one, *rows[2])
    body = PREVIOUS.sub(f'"previous_hash":"{previous}"'.encode(), unsealed(crossing))
    body = body.replace(b'"c1"', b'"c9"')
    digest = record_hash(originator_id=d.one, version=4, topic=topic, state=body)
    raw.insert(d.one, 4, topic, forged_seal(body, digest))
    return d.one, [(str(d.one), 4, "inserted")]


def _edit_timestamp(raw, d):
    state = raw.state(d.two, 2)
    edited = re.sub(rb'("timestamp":\{[^}]*"_data_":")(\d{4})', rb"\g<1>1999", state, count=1)
    assert edited != state
    raw.set_state(d.two, 2, edited)
    return d.two, [(str(d.two), 2, "edited")]


TAMPERINGS = [
    _delete_middle,
    _corrupt_json,
    _delete_last,
    _delete_last_three,
    _delete_all_but_registration,
    _edit_data,
    _edit_and_recompute,
    _forge_actor,
    _append_forged_void,
    _claim_elsewhere,
    _reorder,
    _insert_middle,
    _edit_timestamp,
]


@pytest.mark.parametrize("tamper", TAMPERINGS, ids=[t.__name__[1:] for t in TAMPERINGS])
def test_each_tampering_is_found_and_named(demo, tamper):
    traveler, expected = tamper(Raw(demo.url), demo)
    code, problems = verify(demo)
    assert code == 1, problems
    for problem in expected:
        assert problem in problems, problems
    history = answers_without_crashing(demo, traveler)
    chain_kinds = {k for _, v, k in expected if k not in ("truncated", "claim_mismatch")}
    if chain_kinds:
        assert history["chain_valid"] is False
        assert {p["kind"] for p in history["chain_problems"]} >= chain_kinds


def test_a_damaged_traveler_answers_ledger_integrity_over_http(demo):
    Raw(demo.url).set_state(demo.one, 4, b'{"timestamp": not json')
    app = create_app({"SETTINGS": demo.settings})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {issue_token(SECRET, 'auditor', datetime.now(UTC), 3600)}"}
    try:
        base = f"/api/v1/travelers/{demo.one}"
        status = client.get(f"{base}/status?jurisdiction=KAZ", headers=headers)
        assert status.status_code == 500
        assert status.mimetype == "application/problem+json"
        body = status.get_json()
        assert body["type"].endswith("/problems/ledger-integrity")
        assert (body["traveler_id"], body["version"]) == (str(demo.one), 4)
        history = client.get(f"{base}/history", headers=headers)
        assert history.status_code == 200
        assert history.get_json()["chain_problems"] == [{"version": 4, "kind": "edited"}]
    finally:
        app.extensions["borderledger"].service.app.close()
