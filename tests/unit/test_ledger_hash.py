"""The running ledger hash's fold: position order, exactly once, the same in any batching."""

from __future__ import annotations

import hashlib

import pytest

from domain.chain import LEDGER_GENESIS, fold
from projections.ledger_hash import GENESIS_HEAD, LedgerHead, advance

ENTRIES = [(1, "a" * 64), (2, "b" * 64), (5, "c" * 64), (6, "d" * 64)]  # 3 and 4 rolled back


def test_the_genesis_head_is_the_ledger_genesis():
    assert LedgerHead(0, 0, LEDGER_GENESIS) == GENESIS_HEAD


def test_advance_folds_each_entry_in_order_and_counts_events_not_positions():
    head = advance(GENESIS_HEAD, ENTRIES)
    expected = LEDGER_GENESIS
    for position, record_hash in ENTRIES:
        expected = hashlib.sha256(f"{expected}:{position}:{record_hash}".encode()).hexdigest()
    assert head == LedgerHead(6, 4, expected)


@pytest.mark.parametrize("cut", range(len(ENTRIES) + 1))
def test_any_batching_gives_the_same_head(cut):
    assert advance(advance(GENESIS_HEAD, ENTRIES[:cut]), ENTRIES[cut:]) == advance(
        GENESIS_HEAD, ENTRIES
    )


def test_a_position_folded_already_is_refused():
    head = advance(GENESIS_HEAD, ENTRIES[:2])
    with pytest.raises(ValueError):
        advance(head, ENTRIES[1:])


def test_another_hash_or_position_gives_another_head():
    head = advance(GENESIS_HEAD, ENTRIES)
    assert advance(GENESIS_HEAD, [*ENTRIES[:3], (6, "e" * 64)]) != head
    assert advance(GENESIS_HEAD, [*ENTRIES[:3], (7, "d" * 64)]).ledger_hash != head.ledger_hash
    assert fold(LEDGER_GENESIS, 1, "a" * 64) == advance(GENESIS_HEAD, ENTRIES[:1]).ledger_hash
