"""Typed write commands, built by the web views (and loaders) from validated input."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID


@dataclass(frozen=True)
class RecordCrossing:
    traveler_id: UUID
    crossing_id: str
    direction: str
    border_post: str
    occurred_at: datetime


@dataclass(frozen=True)
class CorrectCrossing:
    """A correction: a reason and whichever of direction, post and instant change."""

    traveler_id: UUID
    crossing_id: str
    reason: str
    direction: str | None = None
    border_post: str | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class GrantExemption:
    traveler_id: UUID
    exemption_id: str
    kind: str
    jurisdiction: str
    valid_from: date
    valid_until: date
    contract_number: str | None = None
    employer_id: str | None = None
    permit_number: str | None = None


@dataclass(frozen=True)
class BatchItem:
    """One crossing of a batch, by document; an item that failed validation carries its errors."""

    nationality: str
    document_number: str
    crossing_id: str
    direction: str
    border_post: str
    occurred_at: datetime
    document_type: str = "passport"
    errors: dict = field(default_factory=dict)
