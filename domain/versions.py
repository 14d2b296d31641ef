"""Which rule version governs a day of a stay, under each version's transition policy (§4)."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date

from domain.rulebook import BY_DAY, RuleVersion

_FAR = date.max.toordinal()


class VersionLine:
    """The rule versions of one nationality in one jurisdiction, laid on the ordinal-day line."""

    def __init__(self, versions: list[RuleVersion], nationality: str):
        self.versions = versions
        spans = []
        for v in versions:
            until = v.until_for(nationality)
            spans.append((v.effective_from.toordinal(), until.toordinal() if until else _FAR, v))
        spans.sort(key=lambda s: s[0])
        self._starts = [s[0] for s in spans]
        self._spans = spans
        # Ordinals where the version in force may change: where a stay is cut in two.
        cuts = set()
        for start, end, _ in spans:
            cuts.add(start)
            if end != _FAR:
                cuts.add(end + 1)
        self.cuts = sorted(cuts)

    def __bool__(self) -> bool:
        return bool(self._spans)

    def on(self, day: int) -> RuleVersion | None:
        """The version in force on ordinal ``day`` (the newest one if several overlap)."""
        i = bisect_right(self._starts, day) - 1
        while i >= 0:
            start, end, v = self._spans[i]
            if start <= day <= end:
                return v
            i -= 1
        return None

    def governing(self, entry: int, day: int) -> RuleVersion | None:
        """The version a day of a stay entered on ``entry`` is judged by.

        A ``by_entry_date`` version does not reach stays entered before it: they keep the
        version they were entered under (or, further back, the last ``by_day`` one).
        """
        v = self.on(day)
        while v is not None and v.transition != BY_DAY and entry < v.effective_from.toordinal():
            v = self.on(v.effective_from.toordinal() - 1)
        return v

    def next_cut(self, day: int) -> int:
        """The first day after ``day`` on which the version in force may change."""
        i = bisect_right(self.cuts, day)
        return self.cuts[i] if i < len(self.cuts) else _FAR

    @property
    def last_start(self) -> int:
        return self._spans[-1][0] if self._spans else 0

    @property
    def max_span(self) -> int:
        return max((lim.span for _, _, v in self._spans for lim in v.limits), default=0)
