"""One originator's stored events checked against their seals, without raising on damage."""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.persistence import StoredEvent

from domain.chain import ChainProblem, chain_problems
from domain.errors import LedgerIntegrityError
from infrastructure.eventstore.mapper import LedgerMapper
from infrastructure.eventstore.sealing import link_of


def check_stored(seal_key: bytes, stored: list[StoredEvent]) -> list[ChainProblem]:
    """Where the stored events (in version order) break the sealed chain, and how."""
    return chain_problems(link_of(seal_key, s) for s in stored)


@dataclass(frozen=True)
class Read:
    """A stored event as read for the audit trail: decoded (None if it cannot be) and whether
    its seal held."""

    event: object | None
    sealed: bool


def read_stored(mapper: LedgerMapper, stored: StoredEvent) -> Read:
    """Personal fields included: the audit trail shows who the traveler is."""
    try:
        return Read(mapper.to_personal_event(stored), True)
    except LedgerIntegrityError:
        return Read(mapper.decode_damaged(stored, personal=True), False)
