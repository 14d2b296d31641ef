"""The timeline chart's geometry: numbers in, shapes and readable labels out (no business rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.answers import Period
from domain.daily import Boundary, Day
from domain.records import Exemption

WIDTH, HEIGHT = 1000, 330
LEFT, RIGHT, TOP = 56, 16, 34
BASE = 240  # y of a count of zero
BAND_TOP, BAND_HEIGHT = 252, 14  # the presence band under the counts
TICK_LABEL_Y = 288
MAX_TICKS = 8
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)


@dataclass(frozen=True)
class Box:
    x: float
    width: float
    first: date
    last: date
    label: str


def _months(d: date) -> int:
    return d.year * 12 + d.month - 1


def _first_of(months: int) -> date:
    return date(months // 12, months % 12 + 1, 1)


def day_title(d: Day) -> str:
    """What one day's hover or focus says: its date, the count against the limit, the rule."""
    where = "in the country" if d.present else "away"
    if d.exempt:
        where += ", exempt"
    if d.rule_id is None:
        return f"{d.on.isoformat()}: {where}; no rule applies"
    if d.days_used is None:
        return f"{d.on.isoformat()}: {where}; no limit ({d.rule_id})"
    return f"{d.on.isoformat()}: {where}; {d.days_used} of {d.max_days} days used ({d.rule_id})"


class Chart:
    """Scales days to x and counts to y over the whole view."""

    def __init__(
        self,
        days: list[Day],
        periods: tuple[Period, ...],
        boundaries: list[Boundary],
        exemptions: tuple[Exemption, ...],
    ):
        self.days = days
        self.first, self.last = days[0].on, days[-1].on
        self.step = (WIDTH - LEFT - RIGHT) / len(days)
        top = max([1, *(d.max_days or 0 for d in days), *(d.days_used or 0 for d in days)])
        self.top = int(top * 1.15) + 1
        self.periods = periods
        self.boundaries = boundaries
        self.exemptions = exemptions

    def x(self, day: date) -> float:
        return round(LEFT + (day - self.first).days * self.step, 2)

    def y(self, count: int) -> float:
        return round(BASE - count * (BASE - TOP) / self.top, 2)

    def _box(self, first: date, last: date, label: str) -> Box | None:
        a, b = max(first, self.first), min(last, self.last)
        if a > b:
            return None
        return Box(self.x(a), round((b - a).days * self.step + self.step, 2), first, last, label)

    def _path(self, value) -> str:
        """A step line through each day's value; days without one break the line."""
        out, pen = [], False
        for d in self.days:
            v = value(d)
            if v is None:
                pen = False
                continue
            x0, y = self.x(d.on), self.y(v)
            out.append(f"{'L' if pen else 'M'}{x0} {y}H{round(x0 + self.step, 2)}")
            pen = True
        return "".join(out)

    def used_path(self) -> str:
        return self._path(lambda d: d.days_used)

    def limit_path(self) -> str:
        return self._path(lambda d: d.max_days if d.days_used is not None else None)

    def presence(self) -> list[Box]:
        runs, start = [], None
        for i, d in enumerate(self.days):
            if d.present and start is None:
                start = d.on
            if start is not None and (not d.present or i == len(self.days) - 1):
                end = d.on if d.present else self.days[i - 1].on
                runs.append(self._box(start, end, f"In the country {start} to {end}"))
                start = None
        return runs

    def exempt(self) -> list[Box]:
        boxes = [
            self._box(e.valid_from, e.last_day, f"Exempt ({e.kind}) {e.valid_from} to {e.last_day}")
            for e in self.exemptions
        ]
        return [b for b in boxes if b is not None]

    def overstays(self) -> list[Box]:
        """Every overstay period (the hooks count them all), at least one step wide."""
        out = []
        for p in self.periods:
            box = self._box(p.first, p.last, f"Overstay {p.first} to {p.last}: {p.days} days")
            out.append(box or Box(self.x(self.last), self.step, p.first, p.last, ""))
        return out

    def rule_changes(self) -> list[tuple[float, Boundary]]:
        return [(self.x(b.on), b) for b in self.boundaries]

    def x_ticks(self) -> list[tuple[float, str]]:
        """Month starts, spaced so that at most MAX_TICKS ISO dates are written."""
        a, b = _months(self.first) + 1, _months(self.last)
        span = max(b - a + 1, 1)
        step = next((s for s in MONTH_STEPS if span / s <= MAX_TICKS), MONTH_STEPS[-1])
        start = a + (-a) % step if step % 12 == 0 else a
        return [(self.x(_first_of(m)), _first_of(m).isoformat()) for m in range(start, b + 1, step)]

    def y_ticks(self) -> list[tuple[float, int]]:
        step = next(s for s in (10, 15, 30, 50, 100, 200, 500, 1000) if self.top / s <= 6)
        return [(self.y(v), v) for v in range(0, self.top + 1, step)]

    def day_cells(self) -> list[tuple[float, Day, str, bool]]:
        """(x, day, title, focusable): a stay's first day and an overstay's first are tab stops."""
        stops = {p.first for p in self.periods}
        previous = False
        out = []
        for d in self.days:
            stop = (d.present and not previous) or d.on in stops
            out.append((self.x(d.on), d, day_title(d), stop))
            previous = d.present
        return out


def periods_table(chart: Chart) -> list[tuple[str, date, date, int, str]]:
    """The chart as text (its alternative): stays, exemptions, overstays and rule changes."""
    rows = [
        ("In the country", b.first, b.last, (b.last - b.first).days + 1, "")
        for b in chart.presence()
    ]
    rows += [
        ("Exempt", e.valid_from, e.last_day, (e.last_day - e.valid_from).days + 1, e.kind)
        for e in chart.exemptions
    ]
    rows += [("Overstay", p.first, p.last, p.days, "past the limit") for p in chart.periods]
    rows += [
        ("Rule change", b.on, b.on, 1, f"{b.rule_id or 'no rule'} from this day")
        for b in chart.boundaries
    ]
    return sorted(rows, key=lambda r: (r[1], r[0]))
