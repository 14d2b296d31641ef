"""Stay status rows and overstay deadlines, derived from a traveler's facts by the engine.

Which day a row is computed for: the **last recorded crossing day** in the jurisdiction
(``computed_on``). The ledger knows nothing later, so a row never depends on when the projection
ran, and an open stay's ``latest_legal_exit`` is "if they stay on from their last crossing".

Who is in overstay on a day D is answered from **deadlines**, not counters: for every stay and
every run of days that break a limit, a row holds the stay's interval, the last legal day before
the run (``latest_legal_exit``) and the run's last day (``breach_until``; None while an open
stay keeps breaking). Whether a day breaks a limit depends only on presence up to that day, so
these rows answer for any D with one indexed query: entered_on <= D < exited_on (or open),
latest_legal_exit < D <= breach_until (or open). While counts can only grow, an open stay's
breach lasts as long as the stay; otherwise its runs are simulated up to ``FORESIGHT_DAYS`` past
the last known day, and later days presume the state at that horizon holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from domain.answers import Period, StatusAnswer
from domain.engine import Engine, Facts
from domain.records import Exemption
from domain.rulebook import FIXED_BLOCK, Rulebook
from domain.timeline import GRACE_DAYS
from projections.facts import TravelerFacts

FORESIGHT_DAYS = 730


@dataclass(frozen=True)
class StatusRow:
    traveler_id: UUID
    jurisdiction: str
    nationality: str
    computed_on: date
    present: bool
    entered_on: date | None
    latest_legal_exit: date | None
    next_entry: date | None
    next_entry_max_days: int | None
    days_used: int | None
    days_remaining: int | None
    overstay_periods: tuple[tuple[date, date, int], ...]
    rule_id: str | None
    rule_versions: tuple[str, ...]
    rulebook: str
    version: int
    position: int


@dataclass(frozen=True)
class Deadline:
    traveler_id: UUID
    jurisdiction: str
    nationality: str
    entered_on: date
    exited_on: date | None
    latest_legal_exit: date
    breach_until: date | None


def _versions_used(rulebook: Rulebook, facts: Facts) -> tuple[str, ...]:
    """Rule versions in force on some day of some stay (the audit's "which rules applied")."""
    used = []
    for v in rulebook.for_traveler(facts.jurisdiction, facts.nationality):
        until = v.until_for(facts.nationality) or date.max
        if any(
            s.entry <= until and (s.exit is None or s.exit >= v.effective_from) for s in facts.stays
        ):
            used.append(v.id)
    return tuple(used)


def _deadlines(
    facts: TravelerFacts, jurisdiction: str, stays, runs: list[tuple[date, date | None]]
) -> list[Deadline]:
    """Each breach run cut to each stay it falls in (a run may span a same-day re-entry)."""
    out = []
    for s in stays:
        if not s.entry_known:
            continue
        last = s.exit or date.max
        for start, end in runs:
            if (end is not None and end < s.entry) or start > last:
                continue
            out.append(
                Deadline(
                    facts.traveler_id,
                    jurisdiction,
                    facts.nationality,
                    s.entry,
                    s.exit,
                    start - timedelta(days=1),
                    None if end is None else min(end, last),
                )
            )
    return out


def _steady(rulebook: Rulebook, facts: Facts, on: date) -> bool:
    """Staying on from ``on``, does a breach, once begun, last? (Counts only grow then.)

    Not when a rule version starts or ends later, a limit counts in fixed blocks, exempt days
    count later, or an exemption (with its grace) reaches ``on``: then runs are simulated.
    """
    if any(e.last_day + timedelta(days=GRACE_DAYS) >= on for e in facts.exemptions):
        return False
    for v in rulebook.for_traveler(facts.jurisdiction, facts.nationality):
        until = v.until_for(facts.nationality)
        if v.effective_from > on or (until is not None and until >= on):
            return False
        if v.exempt_days_count_later or any(lim.kind == FIXED_BLOCK for lim in v.limits):
            return False
    return True


def _open_runs(engine: Engine, on: date, answer: StatusAnswer) -> list[tuple[date, date | None]]:
    """Breach runs when the last stay is open: its last run lasts as long as the stay."""
    facts = engine.facts
    runs = [_run(p) for p in answer.overstay.periods]
    if not _steady(engine.rulebook, facts, on):
        tails = [e.last_day for e in facts.exemptions]
        horizon = max([on, *tails]) + timedelta(days=FORESIGHT_DAYS)
        runs = [_run(p) for p in engine.overstay_periods(horizon)]
        if runs and runs[-1][1] == horizon:
            runs[-1] = (runs[-1][0], None)
    elif runs and runs[-1][1] == on:
        runs[-1] = (runs[-1][0], None)
    elif answer.latest_legal_exit:
        runs.append((answer.latest_legal_exit + timedelta(days=1), None))
    return runs


def _run(period: Period) -> tuple[date, date | None]:
    return period.first, period.last


def derive(
    facts: TravelerFacts, rulebook: Rulebook, position: int
) -> tuple[list[StatusRow], list[Deadline]]:
    """One status row per jurisdiction the traveler crossed into, and its overstay deadlines."""
    rows: list[StatusRow] = []
    deadlines: list[Deadline] = []
    crossings = facts.live_crossings()
    exemptions: list[Exemption] = list(facts.exemptions.values())
    for j in facts.jurisdictions():
        on = max(c.local_date for c in crossings if c.jurisdiction == j)
        engine_facts = Facts.from_crossings(j, facts.nationality, crossings, exemptions, on)
        engine = Engine(rulebook, engine_facts)
        answer = engine.status(on)
        if answer.present:
            runs = _open_runs(engine, on, answer)
        else:
            runs = [_run(p) for p in answer.overstay.periods]
        nxt = answer.next_entry
        rows.append(
            StatusRow(
                traveler_id=facts.traveler_id,
                jurisdiction=j,
                nationality=facts.nationality,
                computed_on=on,
                present=answer.present,
                entered_on=answer.current_stay.entered_on if answer.current_stay else None,
                latest_legal_exit=answer.latest_legal_exit,
                next_entry=nxt.earliest if nxt else None,
                next_entry_max_days=nxt.max_stay_days if nxt else None,
                days_used=answer.days_used,
                days_remaining=answer.days_remaining,
                overstay_periods=tuple((p.first, p.last, p.days) for p in answer.overstay.periods),
                rule_id=answer.rule.version.id if answer.rule else None,
                rule_versions=_versions_used(rulebook, engine_facts),
                rulebook=answer.rulebook,
                version=facts.version,
                position=position,
            )
        )
        deadlines += _deadlines(facts, j, engine_facts.stays, runs)
    return rows, deadlines
