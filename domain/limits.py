"""How each limit kind counts a day and finds the days that break it (§3, §9)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from operator import sub

from domain.rulebook import (
    BY_DAY,
    DAYS_SINCE_EFFECTIVE,
    FIXED_BLOCK,
    PER_ENTRY,
    ROLLING_WINDOW,
    STAYS_ENTERED_SINCE_EFFECTIVE,
    Limit,
    RuleVersion,
)
from domain.timeline import Span, Timeline
from domain.versions import VersionLine

_RUN = re.compile(b"\x01+")


class Judge:
    """Applies a nationality's rule versions to one presence scenario."""

    def __init__(self, line: VersionLine, timeline: Timeline, nationality: str):
        self.line = line
        self.tl = timeline
        self.nationality = nationality
        self._prefixes: dict[str, list[int]] = {}

    def _policy(self, v: RuleVersion) -> tuple:
        eff = v.effective_from.toordinal()
        return (
            v.exempt_days_count_later,
            eff if v.lookback == STAYS_ENTERED_SINCE_EFFECTIVE else None,
            # No day before the timeline's origin is counted anyway: share the plain prefix.
            eff if v.lookback == DAYS_SINCE_EFFECTIVE and eff > self.tl.origin else None,
        )

    def _prefix(self, v: RuleVersion) -> list[int]:
        p = self._prefixes.get(v.id)
        if p is None:
            p = self._prefixes[v.id] = self.tl.prefix(*self._policy(v))
        return p

    def _block_range(self, v: RuleVersion) -> tuple[int, int]:
        until = v.until_for(self.nationality)
        return v.effective_from.toordinal(), until.toordinal() if until else self.tl.end

    def window(self, v: RuleVersion, limit: Limit, entry: int, day: int) -> tuple[int, int] | None:
        """The days a limit looks at when judging ``day`` of a stay entered on ``entry``."""
        if limit.kind == PER_ENTRY:
            return entry, day
        if limit.kind == ROLLING_WINDOW:
            return day - limit.window_days + 1, day
        if limit.kind == FIXED_BLOCK:
            first, last = self._block_range(v)
            return self.tl.block_at(day, first, last, limit.block_days)
        return None

    def count(self, v: RuleVersion, limit: Limit, entry: int, day: int) -> int | None:
        """Counted days for ``limit`` up to and including ``day``; None when it has no count."""
        if limit.kind in (PER_ENTRY, ROLLING_WINDOW):
            first, _ = self.window(v, limit, entry, day)
            return self.tl.count(first, day, self._prefix(v))
        if limit.kind == FIXED_BLOCK:
            block = self.window(v, limit, entry, day)
            return self.tl.count(block[0], day, self._prefix(v)) if block else 0
        return None

    def count_with_entry(self, v: RuleVersion, limit: Limit, day: int) -> int | None:
        """The count on ``day`` if a new stay began that day (the scenario has no presence then)."""
        own = 0 if self.tl.is_exempt(day) and not v.exempt_days_count_later else 1
        if limit.kind == PER_ENTRY:
            return own
        if limit.kind == ROLLING_WINDOW:
            floor = day - limit.window_days + 1
            return self.tl.count(floor, day - 1, self._prefix(v)) + own
        if limit.kind == FIXED_BLOCK:
            block = self.window(v, limit, day, day - 1)
            if block is None or block[1] < day:
                return own
            return self.tl.count(block[0], day - 1, self._prefix(v)) + own
        return None

    def entry_allowed(self, day: int) -> bool:
        """Whether a stay may begin on ``day``: the day itself keeps every limit."""
        return self.entry_wait(day) == 0

    def entry_wait(self, day: int) -> int:
        """0 if a stay may begin on ``day``, else how many days surely pass before one may."""
        v = self.line.governing(day, day)
        if v is None or self.tl.is_exempt(day):
            return 0
        wait = 0
        for lim in v.limits:
            c = self.count_with_entry(v, lim, day)
            if c is None or c <= lim.max_days:
                continue
            if lim.kind == FIXED_BLOCK:
                wait = max(wait, self.window(v, lim, day, day - 1)[1] + 1 - day)
            else:
                # Each later day drops at most one counted day out of the window.
                wait = max(wait, c - lim.max_days)
        if wait > 1:
            # An exempt day or another rule version may allow an entry sooner.
            wait = min(wait, self.line.next_cut(day) - day, self.tl.next_exempt(day + 1) - day)
        return wait

    # -- finding broken days -----------------------------------------------------------

    def broken_days(self, spans: list[Span], lo: int, hi: int) -> list[int]:
        """Days in [lo, hi] of the given stays on which the governing version is broken."""
        tl = self.tl
        lo, hi = max(lo, tl.origin), min(hi, tl.end)
        if not self.line or lo > hi:
            return []
        spans = sorted((s for s in spans if s.last >= lo and s.first <= hi), key=lambda s: s.first)
        firsts = [s.first for s in spans]
        # Judging every stay in range: then a counted day is always some judged stay's day.
        complete = len(spans) == sum(1 for s in tl.spans if s.last >= lo and s.first <= hi)
        found: set[int] = set()
        for v in self.line.versions:
            for limit in v.limits:
                if limit.kind == ROLLING_WINDOW:
                    candidates = self._rolling_candidates(v, limit, lo, hi)
                    found.update(self._governed(v, spans, firsts, candidates, complete))
                elif limit.kind == PER_ENTRY:
                    for s in spans:
                        if s.last - s.entry >= limit.max_days:
                            bad = self._beyond(
                                v, s.entry, limit.max_days, max(s.first, lo), min(s.last, hi)
                            )
                            found.update(self._governed(v, [s], [s.first], bad))
                elif limit.kind == FIXED_BLOCK:
                    first, last = self._block_range(v)
                    for a, b in tl.blocks(first, last, limit.block_days):
                        if a > hi:
                            break
                        if b >= lo:
                            bad = self._beyond(v, a, limit.max_days, max(a, lo), min(b, hi))
                            found.update(self._governed(v, spans, firsts, bad, complete))
        return sorted(found)

    def _governed(
        self,
        v: RuleVersion,
        spans: list[Span],
        firsts: list[int],
        days: list[int],
        complete: bool = False,
    ) -> list[int]:
        """The days (sorted) that ``v`` judges for one of the given stays covering them."""
        out: list[int] = []
        i, n = 0, len(days)
        effective = v.effective_from.toordinal()
        # Stays entered before ``v`` may keep an older version (by_entry_date transitions).
        early_until = max((s.last for s in spans if s.entry < effective), default=-1)
        while i < n:
            day = days[i]
            cut = self.line.next_cut(day)
            if cut <= effective:
                # A version judges no day before it takes effect.
                i = bisect_left(days, cut, i + 1)
                continue
            owned = v.transition == BY_DAY or early_until < day
            if complete and owned and self.line.on(day) is v:
                # Every stay on these days is judged by ``v`` until the version line changes.
                k = bisect_left(days, cut, i)
                out += days[i:k]
                i = k
                continue
            j = bisect_right(firsts, day) - 1
            through = None
            # Stays overlap at most at their ends (same-date exit and re-entry, planned stays).
            for s in spans[max(j - 2, 0) : j + 1]:
                if s.last >= day and self.line.governing(s.entry, day) is v:
                    reach = min(s.last, self.line.next_cut(day) - 1)
                    through = reach if through is None else max(through, reach)
            if through is None:
                # Nothing changes until the next cut of the version line or the next stay.
                skip = self.line.next_cut(day)
                if j + 1 < len(firsts):
                    skip = min(skip, firsts[j + 1])
                i = bisect_left(days, skip, i + 1)
                continue
            k = bisect_right(days, through, i)
            out += days[i:k]
            i = k
        return out

    def _rolling_candidates(self, v: RuleVersion, limit: Limit, lo: int, hi: int) -> list[int]:
        """Counted days in [lo, hi] whose window holds more than the limit allows."""
        tl = self.tl
        o = tl.origin
        m, w = limit.max_days, limit.window_days
        p = self._prefix(v)
        if tl.count(lo - w + 1, hi, p) <= m:
            return []
        count_exempt, entered_since, days_from = self._policy(v)
        if count_exempt or entered_since is not None:
            return self._rolling_candidates_filtered(p, m, w, lo, hi)
        if days_from is not None:
            # No window ending before it counts a day, and from it on every day of a run is
            # counted: the runs' suffix property below holds from there.
            lo = max(lo, days_from)
        # Within a run of counted days a window's count never falls (a day comes in for each
        # one that may drop out), so the broken days of a run are a suffix found by bisection.
        out: list[int] = []
        for run in _RUN.finditer(tl.counted, lo - o, hi - o + 1):
            first, last = run.start(), run.end() - 1  # indexes into the day arrays
            if p[last + 1] - p[max(last + 1 - w, 0)] <= m:
                continue
            a, b = first, last
            while a < b:
                mid = (a + b) // 2
                if p[mid + 1] - p[max(mid + 1 - w, 0)] > m:
                    b = mid
                else:
                    a = mid + 1
            out += range(a + o, last + o + 1)
        return out

    def _rolling_candidates_filtered(self, p: list[int], m: int, w: int, lo: int, hi: int):
        """The same, day by day, for look-backs that do not count every day of a run."""
        tl = self.tl
        o = tl.origin
        padded = [0] * w + p
        a, b = lo - o + 1, hi - o + 1  # prefix indexes of the window ends
        counts = map(sub, padded[a + w : b + w + 1], padded[a : b + 1])
        over = bytes(map(m.__lt__, counts))
        bad = (
            int.from_bytes(over, "little")
            & int.from_bytes(tl.counted[lo - o : hi - o + 1], "little")
        ).to_bytes(len(over), "little")
        return [d + lo for run in _RUN.finditer(bad) for d in range(run.start(), run.end())]

    def _beyond(self, v: RuleVersion, start: int, m: int, a: int, b: int) -> list[int]:
        """Counted days in [a, b] whose count since ``start`` exceeds ``m`` (counts only grow)."""
        tl = self.tl
        o = tl.origin
        p = self._prefix(v)
        base = p[max(start, o) - o]
        first_bad = bisect_right(p, base + m) - 1 + o
        lo, hi = max(a, first_bad, o), min(b, tl.end)
        out: list[int] = []
        if lo <= hi:
            for run in _RUN.finditer(tl.counted, lo - o, hi - o + 1):
                out += range(run.start() + o, run.end() + o)
        return out
