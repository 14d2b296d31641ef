"""From crossings to stays: ordering by instant and the presumptions for imperfect records (§7)."""

from __future__ import annotations

from datetime import date

from domain.answers import Anomaly
from domain.records import ENTRY, Crossing, Stay


def build_stays(
    crossings: list[Crossing], as_of: date | None = None
) -> tuple[list[Stay], list[Anomaly]]:
    """Stays in one jurisdiction from its crossings up to ``as_of``, and the anomalies met."""
    ordered = sorted(
        (c for c in crossings if as_of is None or c.local_date <= as_of),
        key=lambda c: (c.occurred_at, c.seq),
    )
    stays: list[Stay] = []
    anomalies: list[Anomaly] = []
    open_entry: Crossing | None = None
    for c in ordered:
        if c.direction == ENTRY:
            if open_entry is None:
                open_entry = c
            else:
                anomalies.append(
                    Anomaly(
                        "exit_unknown",
                        crossing_id=open_entry.crossing_id,
                        entered_on=open_entry.local_date,
                        next_entry_crossing_id=c.crossing_id,
                        next_entered_on=c.local_date,
                        presumption="present continuously from the first entry",
                    )
                )
        elif open_entry is None:
            stays.append(Stay(c.local_date, c.local_date, entry_known=False))
            anomalies.append(
                Anomaly(
                    "entry_unknown",
                    crossing_id=c.crossing_id,
                    exited_on=c.local_date,
                    presumption="only the exit day counts; an officer may rebut",
                )
            )
        else:
            stays.append(Stay(open_entry.local_date, c.local_date))
            open_entry = None
    if open_entry is not None:
        stays.append(Stay(open_entry.local_date, None))
    return stays, anomalies


def stays_from_dates(pairs: list[tuple[date, date | None]]) -> list[Stay]:
    """Stays given directly (calculator, plans): sorted, each [entry, exit] or open."""
    return sorted((Stay(a, b) for a, b in pairs), key=lambda s: (s.entry, s.exit or date.max))
