"""The audit trail's incremental replay answers what the aggregate itself answers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from domain.posts import PostRegistry
from domain.traveler import RecordedBy, Traveler
from infrastructure.replay import Replay

ALA = PostRegistry().get("KZ-ALA")
OFFICER = RecordedBy("officer-ala", "KZ-ALA")
T0 = datetime(2024, 6, 1, 12, tzinfo=UTC)


def events(recorded: list[datetime]) -> list:
    """Records, a correction and a void, each written at the next of ``recorded``."""
    at = iter(recorded)
    t = Traveler.register(uuid.uuid4(), "RUS", "passport", "75 1", OFFICER, next(at))
    day = datetime(2024, 1, 1, 4, tzinfo=UTC)
    t.record_crossing("a", "entry", ALA, day, OFFICER, next(at))
    t.record_crossing("b", "exit", ALA, day + timedelta(days=10), OFFICER, next(at))
    t.record_crossing("c", "entry", ALA, day + timedelta(days=20), OFFICER, next(at))
    t.correct_crossing("b", "typo", OFFICER, next(at), ALA, occurred_at=day + timedelta(days=9))
    t.void_crossing("c", "duplicate", OFFICER, next(at))
    t.record_crossing("d", "entry", ALA, day + timedelta(days=30), OFFICER, next(at))
    return t.collect_events()


@pytest.mark.parametrize(
    "steps",
    [
        [timedelta(minutes=i) for i in range(7)],
        [timedelta(0)] * 7,  # one instant for every event
        [timedelta(minutes=m) for m in (0, 5, 3, 6, 1, 7, 8)],  # the clock stepped back
    ],
    ids=["in-order", "same-instant", "clock-stepped-back"],
)
def test_crossings_after_each_event_equal_the_aggregates(steps):
    stream = events([T0 + s for s in steps])
    replay, plain = Replay(), None
    for e in stream:
        replay.advance(e)
        plain = e.mutate(plain)
        assert replay.crossings_known_at(e.recorded_at) == plain.crossings_known_at(e.recorded_at)
    assert [c.crossing_id for c in replay.crossings_known_at(T0 + steps[-1])] == ["a", "b", "d"]
