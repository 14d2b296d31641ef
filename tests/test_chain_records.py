"""The stored-form hashes: every stored byte counts, and the ledger fold is order-sensitive."""

from uuid import UUID

from domain.chain import LEDGER_GENESIS, checkpoint_message, fold, receipt_message, record_hash

ID = UUID("12345678-1234-5678-1234-567812345678")
OTHER = UUID("87654321-4321-8765-4321-876543218765")


def _hash(**changes):
    fields = {"originator_id": ID, "version": 3, "topic": "t:A", "state": b'{"a":1}'}
    return record_hash(**{**fields, **changes})


def test_record_hash_changes_with_every_stored_field():
    base = _hash()
    changed = {
        _hash(originator_id=OTHER),
        _hash(version=4),
        _hash(topic="t:B"),
        _hash(state=b'{"a":2}'),
    }
    assert base not in changed
    assert len(changed) == 4
    assert _hash() == base


def test_topic_and_state_cannot_trade_bytes():
    assert _hash(topic="t:A", state=b"x{}") != _hash(topic="t:Ax", state=b"{}")


def test_fold_depends_on_order_and_position():
    a, b = _hash(version=1), _hash(version=2)
    one = fold(fold(LEDGER_GENESIS, 1, a), 2, b)
    assert one != fold(fold(LEDGER_GENESIS, 1, b), 2, a)
    assert one != fold(fold(LEDGER_GENESIS, 1, a), 3, b)
    assert len(one) == 64


def test_signed_messages_are_canonical_and_cover_each_field():
    fields = dict(
        position=7, events=5, ledger_hash="ab", signed_at="2026-01-01T00:00:00Z", key_id="k"
    )
    message = checkpoint_message(**fields)
    assert message == checkpoint_message(**dict(reversed(list(fields.items()))))
    for name, value in [("position", 8), ("events", 6), ("ledger_hash", "cd"), ("key_id", "j")]:
        assert checkpoint_message(**{**fields, name: value}) != message
    receipt = receipt_message(position=7, event_hash="ab", signed_at="x")
    assert receipt != receipt_message(position=7, event_hash="ac", signed_at="x")
