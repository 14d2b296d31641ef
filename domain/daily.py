"""Day-by-day counts for a chart: one status per day would cost a whole engine run per day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.engine import Facts
from domain.limits import Judge
from domain.records import Stay
from domain.rulebook import PER_ENTRY, UNLIMITED, Rulebook, RuleVersion
from domain.timeline import Timeline, span_of
from domain.versions import VersionLine


@dataclass(frozen=True)
class Day:
    """What ``Engine.status(on)`` would say about one day, reduced to what a chart draws."""

    on: date
    present: bool
    exempt: bool
    days_used: int | None  # the binding limit's count; None without a counted limit
    max_days: int | None
    rule_id: str | None


@dataclass(frozen=True)
class Boundary:
    """A day on which the rule version in force for this nationality changes."""

    on: date
    rule_id: str | None  # the version in force from that day (None: no rule any more)


def _known_on(stays: tuple[Stay, ...], last: date) -> list[Stay]:
    """Stays as the engine sees them at the end of ``last``: later crossings are ignored."""
    out = []
    for s in stays:
        if s.entry > last or (not s.entry_known and s.exit is not None and s.exit > last):
            continue
        out.append(Stay(s.entry, None) if s.exit is not None and s.exit > last else s)
    return out


def _entries(stays: list[Stay], first: int, last: int) -> list[int | None]:
    """Per day of [first, last], the entry of the stay covering it (the latest one wins)."""
    out: list[int | None] = [None] * (last - first + 1)
    for s in stays:
        a = s.entry.toordinal()
        b = s.exit.toordinal() if s.exit is not None else last
        for d in range(max(a, first), min(b, last) + 1):
            out[d - first] = a
    return out


def _binding(judge: Judge, v: RuleVersion, entry: int | None, d: int) -> tuple:
    """(days used, max days) of the limit with the fewest days remaining, as the engine picks."""
    best = None
    for limit in v.limits:
        if limit.kind == UNLIMITED:
            continue
        if limit.kind == PER_ENTRY and entry is None:
            used = 0
        else:
            used = judge.count(v, limit, entry if entry is not None else d, d)
        if best is None or limit.max_days - used < best[1] - best[0]:
            best = (used, limit.max_days)
    return best or (None, None)


def daily(rulebook: Rulebook, facts: Facts, first: date, last: date) -> list[Day]:
    """For every day of [first, last]: presence, exemption, the count and limit, the rule."""
    line = VersionLine(
        rulebook.for_traveler(facts.jurisdiction, facts.nationality), facts.nationality
    )
    a, b = first.toordinal(), last.toordinal()
    stays = _known_on(facts.stays, last)
    span = max(line.max_span, 1)
    origin = min([a, *(s.entry.toordinal() for s in stays)]) - span - 1
    end = b + 2 * span + 2
    tl = Timeline([span_of(s, end) for s in stays], list(facts.exemptions), origin, end)
    judge = Judge(line, tl, facts.nationality)
    entries = _entries(stays, a, b)
    out = []
    for d in range(a, b + 1):
        entry = entries[d - a]
        v = line.governing(entry, d) if entry is not None else line.on(d)
        used, cap = _binding(judge, v, entry, d) if v is not None else (None, None)
        out.append(
            Day(
                date.fromordinal(d),
                entry is not None,
                tl.is_exempt(d),
                used,
                cap,
                v.id if v is not None else None,
            )
        )
    return out


def boundaries(rulebook: Rulebook, facts: Facts, first: date, last: date) -> list[Boundary]:
    """The days in (first, last] on which the version in force changes for this traveler."""
    line = VersionLine(
        rulebook.for_traveler(facts.jurisdiction, facts.nationality), facts.nationality
    )
    out = []
    for cut in line.cuts:
        if first.toordinal() < cut <= last.toordinal():
            v = line.on(cut)
            before = line.on(cut - 1)
            if v is not before:
                out.append(Boundary(date.fromordinal(cut), v.id if v is not None else None))
    return out
