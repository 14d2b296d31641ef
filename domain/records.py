"""What the engine reads: crossings, exemptions and stays as plain immutable values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

ENTRY = "entry"
EXIT = "exit"
DIRECTIONS = (ENTRY, EXIT)

EXEMPTION_KINDS = ("employment", "study", "medical", "family")
GRACE_KIND = "employment"
# The calendar the ledger answers for, as local dates: far from the ends of date arithmetic.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)


@dataclass(frozen=True)
class Crossing:
    crossing_id: str
    direction: str
    border_post: str
    jurisdiction: str
    occurred_at: datetime
    local_date: date
    seq: int = 0  # recording order; breaks ties between equal instants

    def as_dict(self) -> dict:
        return {
            "crossing_id": self.crossing_id,
            "direction": self.direction,
            "border_post": self.border_post,
            "jurisdiction": self.jurisdiction,
            "occurred_at": self.occurred_at.isoformat(),
            "local_date": self.local_date.isoformat(),
        }


@dataclass(frozen=True)
class Exemption:
    exemption_id: str
    kind: str
    jurisdiction: str
    valid_from: date
    valid_until: date
    contract_number: str | None = None
    employer_id: str | None = None
    permit_number: str | None = None
    ended_on: date | None = None
    end_reason: str | None = None

    @property
    def last_day(self) -> date:
        """The last exempt day: the early end when there is one, else the permit's term."""
        if self.ended_on is not None and self.ended_on < self.valid_until:
            return self.ended_on
        return self.valid_until

    @property
    def terminated_early(self) -> bool:
        return self.ended_on is not None and self.ended_on < self.valid_until

    def state_on(self, day: date) -> str:
        if self.ended_on is not None and self.ended_on < day and self.terminated_early:
            return "ended"
        if day > self.valid_until:
            return "expired"
        if day < self.valid_from:
            return "pending"
        return "active"

    def as_dict(self) -> dict:
        return {
            "exemption_id": self.exemption_id,
            "kind": self.kind,
            "jurisdiction": self.jurisdiction,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "ended_on": self.ended_on.isoformat() if self.ended_on else None,
        }


@dataclass(frozen=True)
class Stay:
    entry: date
    exit: date | None  # None: open, no exit recorded
    entry_known: bool = True

    def covers(self, day: date) -> bool:
        return self.entry <= day and (self.exit is None or day <= self.exit)
