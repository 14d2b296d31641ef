"""What the engine answers, as values: dates and counts, formatted only at the edge (web)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from domain.rulebook import Limit, RuleVersion

PENALTY_ARTICLE = "Administrative Code of the Republic of Kazakhstan, Art. 517(3)"
PENALTY_CODES = ("warning", "fine_10_mci", "fine_higher", "fine_and_expulsion")
ANOMALY_KINDS = ("exit_unknown", "entry_unknown", "no_rule")
EXEMPTION_STATES = ("pending", "active", "ended", "expired")


@dataclass(frozen=True, slots=True)
class Window:
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class CurrentStay:
    entered_on: date
    days: int


@dataclass(frozen=True, slots=True)
class Period:
    """A maximal run of broken days, both ends included (``from``/``to`` on the wire)."""

    first: date
    last: date
    days: int


@dataclass(frozen=True, slots=True)
class PenaltyBand:
    code: str
    article: str
    days: int

    @classmethod
    def for_overstay(cls, jurisdiction: str, days: int | None) -> PenaltyBand | None:
        """Kazakhstan's Art. 517(3) bands for an overstay of ``days`` (domain.md §9)."""
        if jurisdiction != "KAZ" or days is None:
            return None
        band = 0 if days <= 3 else 1 if days <= 5 else 2 if days <= 10 else 3
        return cls(PENALTY_CODES[band], PENALTY_ARTICLE, days)


@dataclass(frozen=True, slots=True)
class Overstay:
    excess_in_window: int | None
    periods: tuple[Period, ...]
    penalty_band: PenaltyBand | None


@dataclass(frozen=True, slots=True)
class NextEntry:
    earliest: date
    max_stay_days: int | None
    latest_exit: date | None


@dataclass(frozen=True, slots=True)
class LimitMeasure:
    """One limit of the applied version, counted on the answer's day."""

    limit: Limit
    window: Window | None
    days_used: int | None
    days_remaining: int | None

    @property
    def kind(self) -> str:
        return self.limit.kind


@dataclass(frozen=True, slots=True)
class RuleApplied:
    """The version that applied and the limit that binds (the one with the fewest days left)."""

    version: RuleVersion
    limit: Limit

    @property
    def id(self) -> str:
        return self.version.id

    @property
    def kind(self) -> str:
        return self.limit.kind


@dataclass(frozen=True, slots=True)
class ExemptionState:
    exemption_id: str
    kind: str
    jurisdiction: str
    valid_from: date
    valid_until: date
    ended_on: date | None
    state: str


@dataclass(frozen=True, slots=True)
class Anomaly:
    """An imperfect record (§7) or a missing rule; only the fields of its kind are set."""

    kind: str
    crossing_id: str | None = None
    entered_on: date | None = None
    exited_on: date | None = None
    next_entry_crossing_id: str | None = None
    next_entered_on: date | None = None
    presumption: str | None = None
    nationality: str | None = None
    on: date | None = None

    @property
    def revealed_on(self) -> date | None:
        """The day of the crossing that revealed it (None: known whatever the day)."""
        return self.next_entered_on or self.exited_on


@dataclass(frozen=True, slots=True)
class StatusAnswer:
    """domain.md §6 for one traveler, jurisdiction and day; the traveler fields are the
    service's (who, as known when, at which ledger position)."""

    jurisdiction: str
    as_of: date
    rule: RuleApplied | None
    present: bool
    current_stay: CurrentStay | None
    window: Window | None
    days_used: int | None
    days_remaining: int | None
    latest_legal_exit: date | None
    next_entry: NextEntry | None
    overstay: Overstay
    exemptions: tuple[ExemptionState, ...]
    limits: tuple[LimitMeasure, ...]
    anomalies: tuple[Anomaly, ...]
    rulebook: str
    rule_versions: tuple[str, ...]
    traveler_id: UUID | None = None
    known_at: datetime | None = None
    position: int | None = None


@dataclass(frozen=True, slots=True)
class PlanAnswer:
    jurisdiction: str
    entry_on: date
    allowed: bool
    max_stay_days: int | None
    latest_exit: date | None
    earliest_entry: date | None
    earliest_entry_max_stay_days: int | None
    days_used: int | None
    days_remaining: int | None
    rule: RuleApplied | None
    anomalies: tuple[Anomaly, ...]


@dataclass(frozen=True, slots=True)
class Calculation:
    """The calculator's answer: a status when asked ``as_of``, a plan when asked ``entry_on``."""

    status: StatusAnswer | None
    plan: PlanAnswer | None
