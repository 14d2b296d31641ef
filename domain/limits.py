"""How each limit kind counts a day and finds the days that break it (§3, §9)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from operator import sub

from domain.rulebook import (
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

    def _policy(self, v: RuleVersion) -> tuple:
        eff = v.effective_from.toordinal()
        return (
            v.exempt_days_count_later,
            eff if v.lookback == STAYS_ENTERED_SINCE_EFFECTIVE else None,
            eff if v.lookback == DAYS_SINCE_EFFECTIVE else None,
        )

    def _prefix(self, v: RuleVersion) -> list[int]:
        return self.tl.prefix(*self._policy(v))

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
        v = self.line.governing(day, day)
        if v is None or self.tl.is_exempt(day):
            return True
        return all(
            (c := self.count_with_entry(v, lim, day)) is None or c <= lim.max_days
            for lim in v.limits
        )

    # -- finding broken days -----------------------------------------------------------

    def broken_days(self, spans: list[Span], lo: int, hi: int) -> list[int]:
        """Days in [lo, hi] of the given stays on which the governing version is broken."""
        tl = self.tl
        lo, hi = max(lo, tl.origin), min(hi, tl.end)
        if not self.line or lo > hi:
            return []
        spans = sorted((s for s in spans if s.last >= lo and s.first <= hi), key=lambda s: s.first)
        firsts = [s.first for s in spans]
        found: set[int] = set()
        for v in self.line.versions:
            for limit in v.limits:
                if limit.kind == ROLLING_WINDOW:
                    candidates = self._rolling_candidates(v, limit, lo, hi)
                    found.update(self._governed(v, spans, firsts, candidates))
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
                            found.update(self._governed(v, spans, firsts, bad))
        return sorted(found)

    def _governed(
        self, v: RuleVersion, spans: list[Span], firsts: list[int], days: list[int]
    ) -> list[int]:
        """The days (sorted) that ``v`` judges for one of the given stays covering them."""
        out: list[int] = []
        i, n = 0, len(days)
        while i < n:
            day = days[i]
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
        return [d for d in range(lo, hi + 1) if tl.counted[d - o]]
