"""The one-round-trip save: same outcomes as the library's recorder on failure and success."""

from __future__ import annotations

import itertools
import secrets
import uuid
from datetime import UTC, datetime

import pytest
from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.pq import TransactionStatus

from domain.posts import PostRegistry
from domain.traveler import DocumentKey, RecordedBy, Traveler
from infrastructure.ledger import LedgerApplication

NOW = datetime(2026, 11, 30, 12, 0, 0, 123456, tzinfo=UTC)
BY = RecordedBy("officer '\\ ü", "KZ-ALA")


def _app(url: str) -> LedgerApplication:
    # One pooled connection, so the test sees the very connection a failed save used.
    return LedgerApplication(url, {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "0"})


@pytest.fixture(params=["postgres", "sqlite"])
def app(request, sqlite_url):
    if request.param == "sqlite":
        yield _app(sqlite_url)
        return
    url = request.getfixturevalue("postgres_url")
    application = _app(f"{url}?schema=wp_{secrets.token_hex(5)}")
    yield application
    application.close()


def _registered(app: LedgerApplication) -> Traveler:
    t = Traveler.register(uuid.uuid4(), "KAZ", "passport", "N'1\\2 Ünï", BY, NOW)
    app.save(t, DocumentKey.claim(uuid.uuid4(), t.id))
    return t


def _cross(t: Traveler, crossing_id: str) -> None:
    t.record_crossing(crossing_id, "entry", PostRegistry().get("KZ-ALA"), NOW, BY, NOW)


def test_positions_follow_the_order_of_the_saved_events(app):
    t = Traveler.register(uuid.uuid4(), "KAZ", "passport", "A1", BY, NOW)
    _cross(t, "c1")
    _cross(t, "c2")
    recordings = app.save(t, DocumentKey.claim(uuid.uuid4(), t.id))
    ids = [r.notification.id for r in recordings]
    assert ids == sorted(ids) and len(set(ids)) == 4
    assert app.positions(t.id) == {1: ids[0], 2: ids[1], 3: ids[2]}


def test_stored_state_reads_back_byte_for_byte(app):
    t = Traveler.register(uuid.uuid4(), "KAZ", "passport", "N'1\\2 Ünï", BY, NOW)
    recordings = app.save(t, DocumentKey.claim(uuid.uuid4(), t.id))
    stored = app.recorder.select_events(t.id)
    assert [s.state for s in stored] == [recordings[0].notification.state]
    assert app.replay(t.id, personal=True).documents[0].document_number == "N'1\\2 Ünï"
    # The repository's travelers (and so its cache) hold no personal data.
    assert app.repository.get(t.id).documents[0].document_number is None


@pytest.mark.parametrize("events", [1, 40], ids=["one-trip", "row-by-row"])
def test_a_lost_race_raises_integrity_error_and_leaves_no_transaction_open(app, caplog, events):
    t = _registered(app)
    first, second = app.repository.get(t.id), app.repository.get(t.id)
    _cross(first, "won")
    for i in range(events):
        _cross(second, f"lost{i}")
    app.save(first)
    with pytest.raises(IntegrityError):
        app.save(second)
    # The pool would roll back an open transaction itself, and say so: the recorder must not.
    assert not [r for r in caplog.records if "rolling back" in r.getMessage()]
    if app.is_postgres:
        with app.recorder.datastore.get_connection() as conn:
            assert conn.info.transaction_status == TransactionStatus.IDLE
    # The connection is usable at once, and only the winner was stored.
    again = app.repository.get(t.id)
    _cross(again, "next")
    app.save(again)
    crossings = app.repository.get(t.id).crossings
    assert set(crossings) == {"won", "next"}


@pytest.fixture
def pg_app(postgres_url):
    """PostgreSQL only: on SQLite the library's own recorder reads the events."""
    application = _app(f"{postgres_url}?schema=wp_{secrets.token_hex(5)}")
    yield application
    application.close()


def test_select_events_reads_what_the_librarys_query_reads(pg_app):
    app = pg_app
    t = Traveler.register(uuid.uuid4(), "KAZ", "passport", "A1", BY, NOW)
    for i in range(6):
        _cross(t, f"c{i}")
    app.save(t)
    library = PostgresApplicationRecorder.select_events.__wrapped__
    for gt, lte, desc, limit in itertools.product([None, 2], [None, 5], [False, True], [None, 2]):
        kwargs = {"gt": gt, "lte": lte, "desc": desc, "limit": limit}
        assert app.recorder.select_events(t.id, **kwargs) == library(app.recorder, t.id, **kwargs)
