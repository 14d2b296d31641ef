"""The running ledger hash and its checkpoints on SQLite and PostgreSQL: one contract."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization

from domain.chain import LEDGER_GENESIS, checkpoint_message, fold
from infrastructure.audit import stored_checkpoints, verify_ledger
from infrastructure.bootstrap import build_runtime
from infrastructure.eventstore.sealing import stored_hash
from infrastructure.keys import LedgerKeys, signature_valid
from infrastructure.population import load, population
from infrastructure.settings import Settings
from projections.ledger_hash import GENESIS_HEAD, advance
from projections.views import AlreadyApplied

SECRET = "checkpoint-test-secret-" + "c" * 24
CHECKPOINT = ("position", "events", "ledger_hash", "signed_at", "key_id")


class Clock:
    def __init__(self):
        self.now = datetime(2031, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def refold(app) -> tuple[int, int, str]:
    """The ledger hash computed straight from the store, as an auditor would."""
    ledger_hash, events, position = LEDGER_GENESIS, 0, 0
    while notes := app.recorder.select_notifications(
        start=position, limit=500, inclusive_of_start=False
    ):
        for n in notes:
            ledger_hash, events, position = (
                fold(ledger_hash, n.id, stored_hash(n)),
                events + 1,
                n.id,
            )
    return position, events, ledger_hash


def catch_up(read) -> None:
    while read.catch_up():
        pass


class CheckpointContract:
    """Subclasses give ``url``: a fresh ledger per test."""

    @pytest.fixture
    def runtime(self, url):
        clock = Clock()
        keys = LedgerKeys.generate()
        runtime = build_runtime(Settings(database_url=url, secret_key=SECRET, keys=keys), clock)
        runtime.clock = clock
        yield runtime
        runtime.service.close()

    def test_the_fold_follows_the_ledger_incrementally(self, runtime):
        plans = population(5, 40)
        load(runtime.service, plans[:20])
        catch_up(runtime.read)
        load(runtime.service, plans[20:])
        catch_up(runtime.read)
        head = runtime.read.ledger.heads.head()
        assert (head.position, head.events, head.ledger_hash) == refold(runtime.service.app)
        assert [row["lag"] for row in runtime.read.lag()] == [0, 0]

    def test_a_repeated_batch_changes_nothing(self, runtime):
        load(runtime.service, population(6, 10))
        heads = runtime.read.ledger.heads
        notes = runtime.service.app.recorder.select_notifications(start=0, limit=5)
        after = advance(GENESIS_HEAD, ((n.id, stored_hash(n)) for n in notes))
        heads.commit(GENESIS_HEAD, after)
        with pytest.raises(AlreadyApplied):
            heads.commit(GENESIS_HEAD, after)
        assert heads.head() == after
        runtime.read.ledger.catch_up()
        assert (heads.head().position, heads.head().events) == refold(runtime.service.app)[:2]

    def test_a_rebuild_from_zero_equals_the_incremental_head(self, runtime):
        load(runtime.service, population(7, 30))
        catch_up(runtime.read)
        incremental = runtime.read.ledger.heads.head()
        runtime.read.ledger.heads.replace(GENESIS_HEAD)
        assert runtime.read.ledger.rebuild() == incremental
        assert runtime.read.ledger.heads.head() == incremental

    def test_a_checkpoint_at_least_every_minute_while_writes_arrive(self, runtime):
        read, clock = runtime.read, runtime.clock
        catch_up(read)
        assert read.latest_checkpoint() is None  # nothing written, nothing to sign
        load(runtime.service, population(8, 5))
        catch_up(read)
        first = read.latest_checkpoint()
        assert first is not None and first["position"] == runtime.service.position()
        load(runtime.service, population(9, 5))
        clock.now += timedelta(seconds=59)
        catch_up(read)
        assert read.latest_checkpoint() == first  # under a minute old
        clock.now += timedelta(seconds=1)
        catch_up(read)
        second = read.latest_checkpoint()
        assert second["position"] == runtime.service.position() > first["position"]
        clock.now += timedelta(minutes=10)
        catch_up(read)
        assert read.latest_checkpoint() == second  # no writes, no new checkpoint
        assert read.checkpoints_after(0, 10) == [first, second]
        assert read.checkpoints_after(first["position"], 10) == [second]
        assert second["signed_at"] == (clock.now - timedelta(minutes=10)).isoformat()

    def test_checkpoints_are_signed_stored_and_verify(self, runtime):
        load(runtime.service, population(10, 10))
        made = runtime.read.checkpoint()
        keys = runtime.settings.keys
        assert made["key_id"] == keys.key_id
        message = checkpoint_message(**{k: made[k] for k in CHECKPOINT})
        assert signature_valid(keys.public_key, message, made["signature"])
        position, events, ledger_hash = refold(runtime.service.app)
        assert (made["position"], made["events"], made["ledger_hash"]) == (
            position,
            events,
            ledger_hash,
        )
        app = runtime.service.app
        assert stored_checkpoints(app) == [made]
        assert verify_ledger(app, keys.public_key) == []
        other = LedgerKeys.generate().public_key
        assert [(p.subject, p.kind) for p in verify_ledger(app, other)] == [
            ("checkpoint", "bad_signature")
        ]


class TestSqlite(CheckpointContract):
    @pytest.fixture
    def url(self, tmp_path):
        return f"sqlite:///{tmp_path}/ledger.db"

    def test_the_signing_key_is_nowhere_in_the_database_file(self, runtime, tmp_path):
        load(runtime.service, population(12, 5))
        runtime.read.checkpoint()
        runtime.service.close()
        private = runtime.settings.keys.signing_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        stored = b"".join(p.read_bytes() for p in tmp_path.glob("ledger.db*"))
        assert b"ledger_checkpoints" in stored
        for form in (private, private.hex().encode(), base64.b64encode(private)[:40]):
            assert form not in stored


class TestPostgres(CheckpointContract):
    @pytest.fixture
    def url(self, postgres_url, request):
        import secrets

        return f"{postgres_url}?schema=cp_{secrets.token_hex(4)}"
