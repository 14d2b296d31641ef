"""The stored-form hashes: every stored byte counts, and the ledger fold is order-sensitive."""

from uuid import UUID

from domain.chain import (
    EDITED,
    INSERTED,
    LEDGER_GENESIS,
    MISSING,
    REORDERED,
    ChainProblem,
    Link,
    chain_problems,
    checkpoint_message,
    fold,
    receipt_message,
    record_hash,
)

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


def _links(*sealed_as, start=1):
    return [Link(start + i, s) for i, s in enumerate(sealed_as)]


def test_an_intact_chain_has_no_problems():
    assert chain_problems(_links(1, 2, 3, 4)) == []


def test_each_kind_of_break_is_named_with_its_version():
    # stored version 3 no longer carries its seal
    assert chain_problems(_links(1, 2, None, 4)) == [ChainProblem(3, EDITED)]
    # version 3 deleted, in place or with the later ones renumbered
    assert chain_problems([Link(1, 1), Link(2, 2), Link(4, 4)]) == [ChainProblem(3, MISSING)]
    assert chain_problems(_links(1, 2, 4, 5)) == [ChainProblem(3, MISSING)]
    # versions 3 and 4 swapped
    assert chain_problems(_links(1, 2, 4, 3, 5)) == [
        ChainProblem(3, REORDERED),
        ChainProblem(4, REORDERED),
    ]
    # an event put in at 3, the later ones moved up
    assert chain_problems(_links(1, 2, None, 3, 4)) == [ChainProblem(3, INSERTED)]
    # an unsealed event after the last sealed one
    assert chain_problems(_links(1, 2, 3, None)) == [ChainProblem(4, INSERTED)]
    # an edit rechained to the end: every event from it on is unsealed
    assert chain_problems(_links(1, 2, None, None, None)) == [
        ChainProblem(3, EDITED),
        ChainProblem(4, EDITED),
        ChainProblem(5, EDITED),
    ]
