"""When a traveler's personal data is due for erasure (EU Entry/Exit System Art. 34 as model).

Three years after the traveler's last exit; five when the stay that exit ended was an overstay;
never while the traveler is present in any jurisdiction (the last crossing there an entry);
never for a traveler with no exit, nor for one already erased. A period that starts on
29 February ends on 28 February.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.records import Crossing

AFTER_EXIT, AFTER_OVERSTAY = "last_exit", "overstay"
YEARS = {AFTER_EXIT: 3, AFTER_OVERSTAY: 5}


@dataclass(frozen=True, slots=True)
class RetentionDue:
    """Why (``last_exit`` or ``overstay``) and from which day the traveler is due."""

    reason: str
    due_on: date
    last_exit: date


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def last_exit(crossings: Iterable[Crossing]) -> Crossing | None:
    """The latest exit; None when the traveler is present somewhere or never left."""
    latest: dict[str, Crossing] = {}
    for c in crossings:
        known = latest.get(c.jurisdiction)
        if known is None or (c.occurred_at, c.seq) > (known.occurred_at, known.seq):
            latest[c.jurisdiction] = c
    if not latest or any(c.direction == "entry" for c in latest.values()):
        return None
    return max(latest.values(), key=lambda c: (c.occurred_at, c.seq))


def retention_due(
    crossings: Iterable[Crossing],
    last_stay_overstayed: bool,
    as_of: date,
    erased: bool = False,
) -> RetentionDue | None:
    """The traveler's due erasure on ``as_of``; None when not due (yet, or ever)."""
    if erased:
        return None
    exit_ = last_exit(crossings)
    if exit_ is None:
        return None
    reason = AFTER_OVERSTAY if last_stay_overstayed else AFTER_EXIT
    due_on = years_after(exit_.local_date, YEARS[reason])
    if as_of < due_on:
        return None
    return RetentionDue(reason, due_on, exit_.local_date)


def overstayed(periods: Iterable[tuple[date, date]], entered_on: date | None, exited_on: date):
    """Whether any overstay period (first, last day) falls within the stay that ended on
    ``exited_on`` (from ``entered_on``, or from the start when the entry is unknown)."""
    start = entered_on or date.min
    return any(first <= exited_on and last >= start for first, last in periods)
