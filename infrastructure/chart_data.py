"""The facts a timeline chart draws, read from the ledger as it stood at ``known_at``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from domain.daily import Boundary, Day, boundaries, daily
from domain.engine import Facts
from domain.records import Exemption
from infrastructure.service import LedgerService

MARGIN_DAYS = 14  # shown before the first entry, so the chart starts from nothing


@dataclass(frozen=True)
class ChartData:
    days: list[Day]
    boundaries: list[Boundary]
    exemptions: tuple[Exemption, ...]


def chart_data(
    service: LedgerService,
    traveler_id: UUID,
    jurisdiction: str,
    as_of: date,
    known_at: datetime | None = None,
) -> ChartData:
    """Every day from shortly before the first entry to ``as_of``, as the engine counts it."""
    t = service.traveler(traveler_id)
    facts = Facts.from_crossings(
        jurisdiction,
        t.nationality,
        t.crossings_known_at(known_at),
        t.exemptions_known_at(known_at),
        as_of,
    )
    first = min([as_of, *(s.entry for s in facts.stays)]) - timedelta(days=MARGIN_DAYS)
    return ChartData(
        daily(service.rulebook, facts, first, as_of),
        boundaries(service.rulebook, facts, first, as_of),
        facts.exemptions,
    )
