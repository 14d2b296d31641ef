"""The seal on stored events: made and checked with the ledger's key, and required at start."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from eventsourcing.persistence import StoredEvent

from infrastructure.eventstore.personal import UnencryptedLedger
from infrastructure.eventstore.sealing import UnsealedLedger, link_of, opened, seal_holds, sealed
from infrastructure.keys import LedgerKeys
from infrastructure.ledger import LedgerApplication
from infrastructure.settings import sqlite_path
from web.cli import main

KEY, OTHER_KEY = LedgerKeys.generate().seal_key, LedgerKeys.generate().seal_key
ID = uuid.uuid4()
PLAIN = StoredEvent(ID, 2, "t:A", b'{"a":1,"b":"x"}')


def test_a_sealed_event_opens_to_its_state_with_the_previous_hash_last():
    stored, digest = sealed(KEY, PLAIN, "ab" * 32)
    event = opened(stored)
    assert event.body == b'{"a":1,"b":"x","previous_hash":"' + b"ab" * 32 + b'"}'
    assert event.hash == digest
    assert seal_holds(KEY, event) and not seal_holds(OTHER_KEY, event)


def test_a_moved_event_is_recognised_by_the_version_its_seal_vouches_for():
    stored, _ = sealed(KEY, PLAIN, "")
    moved = StoredEvent(ID, 5, stored.topic, stored.state)
    assert link_of(KEY, stored).sealed_as == 2
    assert link_of(KEY, moved).sealed_as == 2
    assert link_of(OTHER_KEY, stored).sealed_as is None
    assert link_of(KEY, PLAIN).sealed_as is None  # no seal at all


def test_a_ledger_written_before_seals_is_refused_at_start_in_one_line(tmp_path):
    url = f"sqlite:///{tmp_path}/old.db"
    LedgerApplication(url).close()
    with sqlite3.connect(sqlite_path(url)) as conn:
        conn.execute(
            "INSERT INTO stored_events VALUES (?, 1, 'borderledger:Traveler.Registered', ?)",
            (ID.hex, b'{"recorded_at":"' + datetime.now(UTC).isoformat().encode() + b'"}'),
        )
    with pytest.raises(UnsealedLedger, match="borderledger demo"):
        LedgerApplication(url)
    result = CliRunner().invoke(
        main,
        ["audit", "verify"],
        env={"DATABASE_URL": url, "BORDERLEDGER_SECRET_KEY": "s" * 40},
    )
    assert result.exit_code == 2
    assert "earlier version" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_sealed_ledger_with_personal_fields_in_clear_is_refused_at_start(tmp_path):
    url = f"sqlite:///{tmp_path}/clear.db"
    keys = LedgerKeys.generate()
    LedgerApplication(url, keys=keys).close()
    state = b'{"nationality":"RUS","document_number":"751234567","surname":"Ivanova"}'
    stored, _ = sealed(
        keys.seal_key, StoredEvent(ID, 1, "borderledger:Traveler.Registered", state), ""
    )
    with sqlite3.connect(sqlite_path(url)) as conn:
        conn.execute(
            "INSERT INTO stored_events VALUES (?, 1, ?, ?)", (ID.hex, stored.topic, stored.state)
        )
    with pytest.raises(UnencryptedLedger, match="borderledger demo") as refused:
        LedgerApplication(url, keys=keys)
    assert "751234567" not in str(refused.value)
