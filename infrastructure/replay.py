"""A traveler rebuilt event by event for the audit trail's status after each event.

Rebuilding every crossing for each status made a history with statuses quadratic; here only
the crossing an event touches is rebuilt, so each status costs one engine evaluation.
"""

from __future__ import annotations

from datetime import datetime

from domain.records import Crossing
from domain.traveler import Traveler


class Replay:
    """The traveler after the events advanced so far, and its crossings as then known."""

    def __init__(self) -> None:
        self.traveler: Traveler | None = None
        self._crossings: dict[str, Crossing | None] = {}  # None: voided
        self._latest: datetime | None = None
        self._in_order = True

    def advance(self, event: Traveler.Event) -> Traveler:
        self.traveler = event.mutate(self.traveler)
        if self._latest is not None and event.recorded_at < self._latest:
            self._in_order = False  # a clock stepped back: fall back to the aggregate's filter
        self._latest = max(self._latest or event.recorded_at, event.recorded_at)
        crossing_id = getattr(event, "crossing_id", None)
        if crossing_id is not None:
            current = self.traveler.crossings[crossing_id][-1]
            self._crossings[crossing_id] = None if current.voided else current.crossing
        return self.traveler

    def crossings_known_at(self, known_at: datetime) -> list[Crossing]:
        """What ``Traveler.crossings_known_at`` answers for an instant at or after every event
        so far: all of them, as last recorded."""
        if not self._in_order or known_at < self._latest:
            return self.traveler.crossings_known_at(known_at)
        return [c for c in self._crossings.values() if c is not None]
