"""The pure side: folding events into facts, and rows that do not depend on when they ran."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from domain.posts import PostRegistry
from domain.rulebook import default_rulebook
from domain.traveler import RecordedBy, Traveler
from projections.facts import TravelerFacts, evolve, from_json, to_json
from projections.status import derive

BY = RecordedBy("officer", "KZ-ALA", admin=True)
POSTS = PostRegistry()


def _at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=6)


def history(*crossings: tuple[str, date], void_first: bool = False) -> list:
    t = Traveler.register(uuid.uuid4(), "RUS", "passport", "X1", BY, _at(date(2023, 1, 1)))
    for i, (direction, day) in enumerate(crossings):
        t.record_crossing(f"c{i}", direction, POSTS.get("KZ-ALA"), _at(day), BY, _at(day))
    if void_first:
        t.void_crossing("c0", "typo", BY, _at(date(2024, 1, 1)))
    return t.collect_events()


def fold(events) -> TravelerFacts:
    facts = TravelerFacts(events[0].originator_id)
    for e in events:
        facts = evolve(facts, e)
    return facts


def test_open_stay_deadline_is_the_day_before_the_first_breach():
    facts = fold(history(("entry", date(2023, 3, 1))))
    rows, deadlines = derive(facts, default_rulebook(), position=7)
    (row,) = rows
    assert (row.computed_on, row.present, row.entered_on) == (
        date(2023, 3, 1),
        True,
        row.entered_on,
    )
    assert row.latest_legal_exit == date(2023, 5, 29)  # 90 days from 1 March, stay open
    (d,) = deadlines
    assert (d.entered_on, d.exited_on) == (date(2023, 3, 1), None)
    assert (d.latest_legal_exit, d.breach_until) == (date(2023, 5, 29), None)


def test_a_closed_overstay_keeps_its_run_and_the_exit():
    facts = fold(history(("entry", date(2023, 3, 1)), ("exit", date(2023, 6, 3))))
    rows, deadlines = derive(facts, default_rulebook(), position=9)
    assert not rows[0].present and rows[0].overstay_periods[-1][2] == 5
    (d,) = deadlines
    assert (d.latest_legal_exit, d.breach_until, d.exited_on) == (
        date(2023, 5, 29),
        date(2023, 6, 3),
        date(2023, 6, 3),
    )


def test_voided_crossings_leave_the_facts_and_json_keeps_everything():
    facts = fold(history(("entry", date(2023, 3, 1)), ("entry", date(2023, 9, 1)), void_first=True))
    assert [c.crossing_id for c in facts.live_crossings()] == ["c1"]
    assert from_json(facts.traveler_id, to_json(facts)) == facts
    rows, _ = derive(facts, default_rulebook(), position=1)
    assert rows[0].entered_on == date(2023, 9, 1)
