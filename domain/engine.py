"""The stay-rules engine: the status and planning answers of domain.md §6 and §9."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import date

from domain.answers import (
    Anomaly,
    CurrentStay,
    ExemptionState,
    LimitMeasure,
    NextEntry,
    Overstay,
    PenaltyBand,
    Period,
    PlanAnswer,
    RuleApplied,
    StatusAnswer,
    Window,
)
from domain.limits import Judge
from domain.records import Crossing, Exemption, Stay
from domain.rulebook import UNLIMITED, Rulebook, RuleVersion
from domain.stays import build_stays
from domain.timeline import GRACE_DAYS, Span, Timeline, span_of, to_date
from domain.versions import VersionLine


@dataclass(frozen=True)
class Facts:
    """Everything the engine needs about one traveler in one jurisdiction."""

    jurisdiction: str
    nationality: str
    stays: tuple[Stay, ...]
    exemptions: tuple[Exemption, ...] = ()
    anomalies: tuple[Anomaly, ...] = ()

    @classmethod
    def from_crossings(
        cls,
        jurisdiction: str,
        nationality: str,
        crossings: list[Crossing],
        exemptions: list[Exemption],
        as_of: date | None = None,
    ) -> Facts:
        mine = [c for c in crossings if c.jurisdiction == jurisdiction]
        stays, anomalies = build_stays(mine, as_of)
        own = tuple(e for e in exemptions if e.jurisdiction == jurisdiction)
        return cls(jurisdiction, nationality, tuple(stays), own, tuple(anomalies))


def _as_known_on(stays: tuple[Stay, ...], as_of: date) -> list[Stay]:
    """Stays as they stood at the end of ``as_of``: later crossings are ignored."""
    out = []
    for s in stays:
        if s.entry > as_of:
            continue
        if s.exit is not None and s.exit > as_of:
            if not s.entry_known:
                continue
            s = Stay(s.entry, None)
        out.append(s)
    return out


def _known_by(anomaly: Anomaly, as_of: date) -> bool:
    """Whether the crossing that raised an anomaly is on or before ``as_of`` (§9: later
    crossings are ignored, so are the anomalies only they reveal)."""
    day = anomaly.revealed_on
    return day is None or day <= as_of


def _day(day: int | None) -> date | None:
    return to_date(day) if day is not None else None


def _window(window: tuple[int, int] | None) -> Window | None:
    return Window(to_date(window[0]), to_date(window[1])) if window else None


def _runs(days: list[int]) -> tuple[Period, ...]:
    """Maximal runs of consecutive days (``days`` sorted, distinct) as periods."""
    if not days:
        return ()
    cuts = [i for i in range(1, len(days)) if days[i] - days[i - 1] != 1]
    return tuple(
        Period(to_date(days[a]), to_date(days[b - 1]), days[b - 1] - days[a] + 1)
        for a, b in zip([0, *cuts], [*cuts, len(days)], strict=True)
    )


def _exemption_state(e: Exemption, on: date) -> ExemptionState:
    return ExemptionState(
        e.exemption_id,
        e.kind,
        e.jurisdiction,
        e.valid_from,
        e.valid_until,
        e.ended_on,
        e.state_on(on),
    )


class Engine:
    """Answers for one traveler, jurisdiction and rulebook."""

    def __init__(self, rulebook: Rulebook, facts: Facts):
        self.rulebook = rulebook
        self.facts = facts
        self.line = VersionLine(
            rulebook.for_traveler(facts.jurisdiction, facts.nationality), facts.nationality
        )
        self.span = max(self.line.max_span, 1)

    # -- scenario construction ---------------------------------------------------------

    def _horizon(self, day: int) -> int:
        tail = max((e.last_day.toordinal() + GRACE_DAYS for e in self.facts.exemptions), default=0)
        return max(day, tail, self.line.last_start) + 2 * self.span + 2

    def _origin(self, stays: list[Span], day: int) -> int:
        first = min((s.first for s in stays), default=day)
        return min(first, day) - self.span - 1

    def _timeline(self, spans: list[Span], day: int, end: int) -> Timeline:
        return Timeline(spans, list(self.facts.exemptions), self._origin(spans, day), end)

    def _judge(self, spans: list[Span], day: int, end: int) -> Judge:
        return Judge(self.line, self._timeline(spans, day, end), self.facts.nationality)

    # -- measures at one day -----------------------------------------------------------

    def _measures(
        self, judge: Judge, v: RuleVersion, entry: int | None, day: int
    ) -> list[LimitMeasure]:
        """Per-limit counts at ``day``; ``entry`` is the current stay's entry (None if absent)."""
        out = []
        for limit in v.limits:
            if limit.kind == UNLIMITED:
                out.append(LimitMeasure(limit, None, None, None))
                continue
            if limit.kind == "per_entry" and entry is None:
                out.append(LimitMeasure(limit, None, 0, limit.max_days))
                continue
            window = judge.window(v, limit, entry if entry is not None else day, day)
            used = judge.count(v, limit, entry if entry is not None else day, day)
            out.append(LimitMeasure(limit, _window(window), used, limit.max_days - used))
        return out

    @staticmethod
    def _binding(measures: list[LimitMeasure]) -> LimitMeasure:
        counted = [m for m in measures if m.days_used is not None]
        if not counted:
            return measures[0]
        return min(counted, key=lambda m: m.days_remaining)

    def _longest_stay(self, tl: Timeline, entry: int, start: int) -> int | None:
        """Last legal day of the stay entered on ``entry``, continued from ``start`` to the end."""
        judge = Judge(self.line, tl, self.facts.nationality)
        own = [s for s in tl.spans if s.entry == entry and s.last >= start]
        # Most stays break within two spans of a limit; look there first, then further.
        near = min(tl.end, start + 2 * self.span)
        bad = judge.broken_days(own, start, near) or judge.broken_days(own, near + 1, tl.end)
        return bad[0] - 1 if bad else None

    def _first_entry(self, base: Timeline, start: int) -> tuple[int, int | None] | None:
        """Earliest day from ``start`` a new stay may begin, and the last day it may last."""
        judge = Judge(self.line, base, self.facts.nationality)
        day, last_day = start, min(self._horizon(start), base.end - 2 * self.span)
        while day <= last_day:
            wait = judge.entry_wait(day)
            if wait == 0:
                stay = base.derive(day - 1, [Span(day, day, base.end)])
                return day, self._longest_stay(stay, day, day)
            day += wait
        return None

    # -- the answers -------------------------------------------------------------------

    def status(self, as_of: date) -> StatusAnswer:
        facts = self.facts
        d = as_of.toordinal()
        stays = _as_known_on(facts.stays, as_of)
        open_stay = next((s for s in stays if s.exit is None), None)
        present = open_stay is not None
        in_country = any(s.covers(as_of) for s in stays)
        anomalies = [a for a in facts.anomalies if _known_by(a, as_of)]
        answer = StatusAnswer(
            jurisdiction=facts.jurisdiction,
            as_of=as_of,
            rule=None,
            present=present,
            current_stay=(
                CurrentStay(open_stay.entry, (as_of - open_stay.entry).days + 1)
                if present
                else None
            ),
            window=None,
            days_used=None,
            days_remaining=None,
            latest_legal_exit=None,
            next_entry=None,
            overstay=Overstay(None, (), None),
            exemptions=tuple(_exemption_state(e, as_of) for e in facts.exemptions),
            limits=(),
            anomalies=(),
            rulebook=self.rulebook.digest,
            rule_versions=tuple(self._versions_in_force(stays, as_of)),
        )
        if not self.line:
            anomalies.append(Anomaly("no_rule", nationality=facts.nationality))
            return replace(answer, anomalies=tuple(anomalies))

        judge, bad = self._broken(stays, d)
        past_bad = bad[: bisect_right(bad, d)]
        periods = _runs(past_bad)
        band = PenaltyBand.for_overstay(facts.jurisdiction, periods[-1].days if periods else None)
        excess = None
        changes = {}

        # The stay that covers as_of: the open one, or one that ended on as_of (§9: an exit on
        # as_of still counts that day). It picks the version (by_entry_date) and the per-entry
        # count, so the exit day is judged like the days before it.
        covering = open_stay or next((s for s in reversed(stays) if s.covers(as_of)), None)
        entry = covering.entry.toordinal() if covering is not None else None
        v = self.line.governing(entry, d) if covering is not None else self.line.on(d)
        if v is None:
            anomalies.append(Anomaly("no_rule", nationality=facts.nationality, on=as_of))
        else:
            measures = self._measures(judge, v, entry, d)
            main = self._binding(measures)
            changes = {
                "rule": RuleApplied(v, main.limit),
                "limits": tuple(measures),
                "window": main.window,
                "days_used": main.days_used,
                "days_remaining": main.days_remaining,
            }
            if main.days_used is not None:
                excess = max(0, main.days_used - main.limit.max_days)
        if present and not (past_bad and past_bad[-1] == d):
            later = bad[len(past_bad) :]
            if later:
                changes["latest_legal_exit"] = to_date(later[0] - 1)
        return replace(
            answer,
            **changes,
            overstay=Overstay(excess, periods, band),
            anomalies=tuple(anomalies),
            next_entry=self._next_entry(judge.tl.derive(d, []), d + 1 if in_country else d),
        )

    def overstay_periods(self, as_of: date) -> tuple[Period, ...]:
        """``status(as_of).overstay.periods`` without the rest of the answer."""
        if not self.line:
            return ()
        d = as_of.toordinal()
        _, bad = self._broken(_as_known_on(self.facts.stays, as_of), d)
        return _runs(bad[: bisect_right(bad, d)])

    def _broken(self, stays: list[Stay], d: int) -> tuple[Judge, list[int]]:
        """The judge for ``stays`` seen from day ``d``, every broken day up to ``d``, and the
        first one after it (the latest legal exit needs no more)."""
        end = self._horizon(d) + 2 * self.span
        spans = [span_of(s, end) for s in stays]
        judge = self._judge(spans, d, end)
        past = judge.broken_days(spans, judge.tl.origin, d)
        near = min(end, d + 2 * self.span)
        later = judge.broken_days(spans, d + 1, near) or judge.broken_days(spans, near + 1, end)
        return judge, past + later[:1]

    def _versions_in_force(self, stays: list[Stay], as_of: date) -> list[str]:
        """Versions in force for this nationality from the first stay to ``as_of``: the rules
        this answer's history was read under."""
        first = min((s.entry for s in stays), default=as_of)
        out = []
        for v in self.line.versions:
            until = v.until_for(self.facts.nationality)
            if v.effective_from <= as_of and (until is None or until >= first):
                out.append(v.id)
        return out

    def _next_entry(self, base: Timeline, start: int) -> NextEntry | None:
        found = self._first_entry(base, start)
        if found is None:
            return None
        day, last = found
        return NextEntry(to_date(day), (last - day + 1) if last is not None else None, _day(last))

    def plan(self, entry_on: date, planned: list[tuple[date, date]] = ()) -> PlanAnswer:
        """Can the traveler enter on ``entry_on`` (with hypothetical stays), and for how long?"""
        x = entry_on.toordinal()
        answer = PlanAnswer(
            jurisdiction=self.facts.jurisdiction,
            entry_on=entry_on,
            allowed=True,
            max_stay_days=None,
            latest_exit=None,
            earliest_entry=entry_on,
            earliest_entry_max_stay_days=None,
            days_used=None,
            days_remaining=None,
            rule=None,
            anomalies=self.facts.anomalies,
        )
        if not self.line:
            no_rule = Anomaly("no_rule", nationality=self.facts.nationality)
            return replace(answer, anomalies=(*answer.anomalies, no_rule))
        end = self._horizon(x) + 2 * self.span
        recorded = [
            Span(s.entry.toordinal(), s.entry.toordinal(), s.exit.toordinal() if s.exit else end)
            for s in self.facts.stays
            if s.entry.toordinal() < x
        ]
        # An open stay is presumed to last until it reaches the planned entry.
        recorded = [
            Span(s.entry, s.first, min(s.last, x) if s.last == end else s.last) for s in recorded
        ]
        hypothetical = [Span(a.toordinal(), a.toordinal(), b.toordinal()) for a, b in planned]
        spans = recorded + hypothetical
        current = next((s for s in spans if s.first <= x <= s.last), None)
        entry = current.entry if current else x
        others = [s for s in spans if s is not current]
        before = [Span(s.entry, s.first, min(s.last, x - 1)) for s in spans if s.first < x]
        judge = self._judge(before, x, end)
        v = self.line.governing(entry, x)
        if v is not None:
            main = self._binding(self._measures(judge, v, entry if current else None, x))
            answer = replace(
                answer,
                rule=RuleApplied(v, main.limit),
                days_used=main.days_used,
                days_remaining=main.days_remaining,
            )

        last = self._plan_last_day(others, entry, x, end)
        if last is None or last >= x:
            days = (last - x + 1) if last is not None else None
            return replace(
                answer,
                max_stay_days=days,
                latest_exit=_day(last),
                earliest_entry_max_stay_days=days,
            )
        after = [Span(s.entry, s.first, min(s.last, x)) if s is current else s for s in spans]
        found = self._first_entry_with_plans(after, x + 1, hypothetical)
        return replace(
            answer,
            allowed=False,
            max_stay_days=0,  # null would read as "no limit"
            earliest_entry=_day(found[0]) if found else None,
            earliest_entry_max_stay_days=(
                (found[1] - found[0] + 1) if found and found[1] is not None else None
            ),
        )

    def _plan_last_day(self, others: list[Span], entry: int, x: int, end: int) -> int | None:
        """Last day of a stay from ``x`` keeping every later day legal, planned days included."""
        stay = Span(entry, min(entry, x), end)
        last = self._longest_stay(self._timeline([*others, stay], x, end), entry, x)
        if not any(s.last >= x for s in others):
            return last
        # Planned days after the new stay must stay legal too: shorten until they are.
        hi = (last if last is not None else end) - x + 1
        lo = 0
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._plans_hold(others, entry, x, x + mid - 1, end):
                lo = mid
            else:
                hi = mid - 1
        return x + lo - 1

    def _plans_hold(self, others: list[Span], entry: int, x: int, last: int, end: int) -> bool:
        spans = [*others, Span(entry, min(entry, x), last)]
        judge = self._judge(spans, x, end)
        return not judge.broken_days(spans, x, end)

    def _first_entry_with_plans(
        self, spans: list[Span], start: int, planned: list[Span]
    ) -> tuple[int, int | None] | None:
        end = self._horizon(start) + 2 * self.span
        if not any(p.last >= start for p in planned):
            return self._first_entry(self._timeline(spans, start, end), start)
        judge = self._judge(spans, start, end)
        for day in range(start, self._horizon(start) + 1):
            if judge.entry_allowed(day):
                others = [s for s in spans if not (s.first <= day <= s.last)]
                last = self._plan_last_day(others, day, day, end)
                if last is None or last >= day:
                    return day, last
        return None
