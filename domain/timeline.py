"""Presence, exempt days and prefix sums over a span of ordinal days: every count is O(1)."""

from __future__ import annotations

import re
from bisect import bisect_left
from datetime import date
from itertools import accumulate

from domain.records import GRACE_KIND, Exemption, Stay

GRACE_DAYS = 15
GRACE_MIN_DAYS_AFTER_ENTRY = 90
_FLIP = bytes.maketrans(b"\x00\x01", b"\x01\x00")
_RUN = re.compile(b"\x01+")
_ONES = b"\x01" * 4096


class Span:
    """A stay on the ordinal line: ``first`` and ``last`` days, ``entry`` the day it began."""

    __slots__ = ("entry", "first", "last")

    def __init__(self, entry: int, first: int, last: int):
        self.entry, self.first, self.last = entry, first, last


class Timeline:
    """One scenario of presence (recorded, presumed or planned) and what counts of it."""

    def __init__(
        self,
        spans: list[Span],
        exemptions: list[Exemption],
        origin: int,
        end: int,
        presence: bytes | None = None,
        same_until: tuple[Timeline, int] | None = None,
    ):
        self.origin, self.end = origin, end
        # (timeline, k): its first k days count exactly as ours do, so its sums can be reused.
        self._same_until = same_until
        n = end - origin + 1
        self.n = n
        self.spans = sorted(spans, key=lambda s: (s.first, s.last))
        self.exemptions = exemptions
        if presence is None:
            buf = bytearray(n)
            for s in self.spans:
                _fill(buf, s.first - origin, s.last - origin)
            presence = bytes(buf)
        self.presence = presence
        exempt = bytearray(n)
        for a, b in self._exempt_intervals(exemptions):
            _fill(exempt, a - origin, b - origin)
        self.exempt = bytes(exempt)
        self.counted = _and(self.presence, self.exempt.translate(_FLIP))
        self._prefix: dict[tuple, list[int]] = {}
        self._blocks: dict[tuple, list[tuple[int, int]]] = {}

    def derive(self, keep_until: int, extra: list[Span]) -> Timeline:
        """The same history cut after ``keep_until``, plus other (hypothetical) stays."""
        if not extra and all(s.last <= keep_until for s in self.spans):
            return self  # nothing to cut or add: share the prefix sums already computed
        cut = min(max(keep_until - self.origin + 1, 0), self.n)
        buf = bytearray(self.presence[:cut])
        buf.extend(bytes(self.n - cut))
        spans = []
        for s in self.spans:
            if s.first > keep_until:
                break
            spans.append(s if s.last <= keep_until else Span(s.entry, s.first, keep_until))
        for s in extra:
            _fill(buf, s.first - self.origin, s.last - self.origin)
        # Days up to the cut keep their presence, stays and so exemptions (a grace depends only
        # on presence on its end day), unless an added stay reaches back before the cut.
        same = (self, cut) if all(s.first > keep_until for s in extra) else None
        return Timeline(spans + extra, self.exemptions, self.origin, self.end, bytes(buf), same)

    def _exempt_intervals(self, exemptions: list[Exemption]) -> list[tuple[int, int]]:
        """Exempt days, with the Art. 97(5) grace where this scenario's presence earns it."""
        out = []
        for e in exemptions:
            first, last = e.valid_from.toordinal(), e.last_day.toordinal()
            if first <= last:
                out.append((first, last))
            if e.kind == GRACE_KIND and e.terminated_early:
                ended = e.ended_on.toordinal()
                stay = self.span_covering(ended)
                if stay is not None and ended - stay.entry > GRACE_MIN_DAYS_AFTER_ENTRY:
                    out.append((ended + 1, ended + GRACE_DAYS))
        return out

    def span_covering(self, day: int) -> Span | None:
        found = None
        for s in self.spans:
            if s.first > day:
                break
            if s.last >= day:
                found = s
        return found

    def next_exempt(self, day: int) -> int:
        """The first exempt day on or after ``day`` (a day past the end when none)."""
        i = self.exempt.find(1, max(day - self.origin, 0))
        return self.end + 1 if i < 0 else i + self.origin

    def is_exempt(self, day: int) -> bool:
        return self.origin <= day <= self.end and self.exempt[day - self.origin] == 1

    def days(
        self,
        count_exempt: bool = False,
        entered_since: int | None = None,
        days_from: int | None = None,
    ) -> bytes:
        """The days a look-back counts: counted presence, filtered by the version's policies."""
        base = self.presence if count_exempt else self.counted
        if entered_since is not None:
            mask = bytearray(self.n)
            for s in self.spans:
                if s.entry >= entered_since:
                    _fill(mask, s.first - self.origin, s.last - self.origin)
            base = _and(base, bytes(mask))
        if days_from is not None:
            k = min(max(days_from - self.origin, 0), self.n)
            base = bytes(k) + base[k:]
        return base

    def prefix(
        self,
        count_exempt: bool = False,
        entered_since: int | None = None,
        days_from: int | None = None,
    ) -> list[int]:
        """Prefix sums of counted days: P[i] counts days origin .. origin+i-1."""
        key = (count_exempt, entered_since, days_from)
        p = self._prefix.get(key)
        if p is None:
            days = self.days(count_exempt, entered_since, days_from)
            base, k = self._same_until or (None, 0)
            known = base._prefix.get(key) if base is not None else None
            if known is not None:
                p = known[: k + 1]
                p += accumulate(days[k:], initial=known[k])
                del p[k + 1]  # accumulate repeats its initial value
            else:
                p = [0, *accumulate(days)]
            self._prefix[key] = p
        return p

    def count(self, first: int, last: int, prefix: list[int]) -> int:
        """Counted days in [first, last], clipped to the span."""
        a = max(first, self.origin) - self.origin
        b = min(last, self.end) - self.origin
        return prefix[b + 1] - prefix[a] if a <= b else 0

    def presence_runs(self, first: int, last: int) -> list[tuple[int, int]]:
        """Maximal runs of consecutive presence days within [first, last]."""
        a = max(first, self.origin) - self.origin
        b = min(last, self.end) - self.origin
        if a > b:
            return []
        # ``finditer(s, pos, endpos)`` reports positions in the whole string, not from ``pos``.
        return [
            (m.start() + self.origin, m.end() - 1 + self.origin)
            for m in _RUN.finditer(self.presence, a, b + 1)
        ]

    def blocks(self, first: int, last: int, block_days: int) -> list[tuple[int, int]]:
        """Fixed blocks: each starts on the first day of presence after the previous one ends."""
        key = (first, last, block_days)
        found = self._blocks.get(key)
        if found is None:
            found = []
            next_free = first
            for a, b in self.presence_runs(first, last):
                start = max(a, next_free)
                while start <= b:
                    found.append((start, start + block_days - 1))
                    next_free = start + block_days
                    start = next_free
            self._blocks[key] = found
        return found

    def block_at(self, day: int, first: int, last: int, block_days: int) -> tuple[int, int] | None:
        blocks = self.blocks(first, last, block_days)
        i = bisect_left(blocks, (day + 1,)) - 1
        if i >= 0 and blocks[i][0] <= day <= blocks[i][1]:
            return blocks[i]
        return None


def _fill(buf: bytearray, a: int, b: int) -> None:
    """Set buf[a..b] (clipped) to 1."""
    a, b = max(a, 0), min(b, len(buf) - 1)
    if a <= b:
        buf[a : b + 1] = _ONES[: b - a + 1] if b - a < len(_ONES) else b"\x01" * (b - a + 1)


def _and(x: bytes, y: bytes) -> bytes:
    """Bytewise AND of two equal-length 0/1 byte strings."""
    return (int.from_bytes(x, "little") & int.from_bytes(y, "little")).to_bytes(len(x), "little")


def span_of(stay: Stay, open_until: int) -> Span:
    last = stay.exit.toordinal() if stay.exit is not None else open_until
    return Span(stay.entry.toordinal(), stay.entry.toordinal(), last)


def to_date(day: int) -> date:
    return date.fromordinal(day)
