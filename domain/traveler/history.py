"""What a traveler's ledger said at each recording time: versions kept, replayed "as known at"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, TypeVar

from domain.records import Crossing, Exemption


class Recorded(Protocol):
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class CrossingVersion:
    """A crossing as one event left it; ``office`` is the office that wrote that event."""

    crossing: Crossing
    recorded_at: datetime
    office: str | None
    voided: bool = False


@dataclass(frozen=True, slots=True)
class ExemptionVersion:
    exemption: Exemption
    recorded_at: datetime
    office: str | None
    seq: int  # the version of the event that wrote it


@dataclass(frozen=True, slots=True)
class Document:
    nationality: str
    document_type: str
    document_number: str | None  # None once erased, and when read without personal data
    key_id: str | None  # the document claim's id, which stays in clear


@dataclass(frozen=True, slots=True)
class Profile:
    surname: str | None
    given_names: str | None
    birth_date: date | None


@dataclass(frozen=True, slots=True)
class Verification:
    employer_id: str
    receipt: str


V = TypeVar("V", bound=Recorded)


def known_at(versions: Sequence[V], at: datetime | None) -> V | None:
    """The last version recorded at or before ``at`` (the latest when ``at`` is None)."""
    if at is None:
        return versions[-1]
    found = None
    for v in versions:
        if v.recorded_at <= at:
            found = v
    return found
