"""The running ledger hash: every stored event folded once, in position order, into one head."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass

from domain.chain import LEDGER_GENESIS, fold

PROJECTION = "ledger_hash"


@dataclass(frozen=True, slots=True)
class LedgerHead:
    """Where the fold stands: the last position folded, how many events, and the hash."""

    position: int = 0
    events: int = 0
    ledger_hash: str = LEDGER_GENESIS


GENESIS_HEAD = LedgerHead()


def advance(head: LedgerHead, entries: Iterable[tuple[int, str]]) -> LedgerHead:
    """The head after ``(position, record hash)`` pairs that follow it, in position order.

    Positions may have gaps (a rolled-back insert leaves one); they may not go back, which
    would fold an event twice.
    """
    position, events, ledger_hash = head.position, head.events, head.ledger_hash
    for at, record_hash in entries:
        if at <= position:
            raise ValueError(f"position {at} does not follow {position}")
        ledger_hash = fold(ledger_hash, at, record_hash)
        position, events = at, events + 1
    return LedgerHead(position, events, ledger_hash)


class HeadStore(ABC):
    """Where the head is kept. ``commit`` moves it only from the head it was computed from, so
    a repeated or concurrent batch changes nothing (``projections.views.AlreadyApplied``)."""

    @abstractmethod
    def head(self) -> LedgerHead:
        """The stored head (the genesis head before any event)."""

    @abstractmethod
    def commit(self, before: LedgerHead, after: LedgerHead) -> None:
        """Replace ``before`` by ``after`` atomically, or raise AlreadyApplied."""

    @abstractmethod
    def replace(self, head: LedgerHead) -> None:
        """Set the head whatever it was (a rebuild from position 0)."""
