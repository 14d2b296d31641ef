"""The Traveler aggregate, in Given-events / When-command / Then-events form, one behaviour each."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID

import pytest

from domain.chain import GENESIS
from domain.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from domain.posts import PostRegistry
from domain.traveler import RecordedBy, Traveler

POSTS = PostRegistry()
ALA, URA, NQZ = POSTS.get("KZ-ALA"), POSTS.get("KZ-URA"), POSTS.get("KZ-NQZ")
ALA_OFFICER = RecordedBy("officer-ala", "KZ-ALA")
NQZ_OFFICER = RecordedBy("officer-nqz", "KZ-NQZ")
ADMIN = RecordedBy("admin", "HQ", admin=True)
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
TID = UUID("00000000-0000-0000-0000-0000000000a1")
ENTRY_AT = datetime(2024, 5, 1, 4, 0, tzinfo=UTC)


def replay(events) -> Traveler:
    t = None
    for e in events:
        t = e.mutate(t)
    return t


def given(*steps) -> Traveler:
    """A traveler rebuilt from the events of ``steps`` (commands run on a fresh one)."""
    t = Traveler.register(TID, "RUS", "passport", "75 1234567", ALA_OFFICER, NOW)
    for step in steps:
        step(t)
    return replay(t.collect_events())


def then_events(t: Traveler) -> list:
    return t.collect_events()


def entered(cid="c1", at=ENTRY_AT, post=ALA, by=ALA_OFFICER):
    return lambda t: t.record_crossing(cid, "entry", post, at, by, NOW)


# -- crossings ------------------------------------------------------------------------------


def test_crossing_recorded():
    t = given()
    crossing, created = t.record_crossing("c1", "entry", ALA, ENTRY_AT, ALA_OFFICER, NOW)
    events = then_events(t)
    assert created and [type(e).__name__ for e in events] == ["CrossingRecorded"]
    e = events[0]
    assert (e.crossing_id, e.direction, e.border_post, e.jurisdiction) == (
        "c1",
        "entry",
        "KZ-ALA",
        "KAZ",
    )
    assert e.local_date == date(2024, 5, 1) == crossing.local_date
    assert (e.actor, e.office, e.recorded_at) == ("officer-ala", "KZ-ALA", NOW)


def test_identical_retry_records_nothing():
    t = given(entered())
    crossing, created = t.record_crossing("c1", "entry", ALA, ENTRY_AT, ALA_OFFICER, NOW)
    assert not created and crossing.crossing_id == "c1" and crossing.seq == 2
    assert then_events(t) == []


def test_identical_retry_with_another_offset_is_the_same_instant():
    t = given(entered())
    same = ENTRY_AT.astimezone(timezone(timedelta(hours=5)))
    _, created = t.record_crossing("c1", "entry", ALA, same, ALA_OFFICER, NOW)
    assert not created and then_events(t) == []


@pytest.mark.parametrize(
    "direction,post,at",
    [
        ("exit", ALA, ENTRY_AT),
        ("entry", NQZ, ENTRY_AT),
        ("entry", ALA, ENTRY_AT + timedelta(minutes=1)),
    ],
    ids=["direction", "post", "instant"],
)
def test_conflicting_reuse_of_crossing_id_raises(direction, post, at):
    t = given(entered())
    with pytest.raises(ConflictError):
        t.record_crossing("c1", direction, post, at, ALA_OFFICER, NOW)
    assert then_events(t) == []


def test_instant_more_than_24_hours_ahead_is_refused():
    t = given()
    with pytest.raises(ValidationError) as info:
        t.record_crossing(
            "c1", "entry", ALA, NOW + timedelta(hours=24, seconds=1), ALA_OFFICER, NOW
        )
    assert "occurred_at" in info.value.errors
    assert then_events(t) == []


def test_instant_up_to_24_hours_ahead_is_accepted():
    t = given()
    _, created = t.record_crossing("c1", "entry", ALA, NOW + timedelta(hours=24), ALA_OFFICER, NOW)
    assert created and len(then_events(t)) == 1


def test_naive_instant_is_refused():
    t = given()
    with pytest.raises(ValidationError) as info:
        t.record_crossing("c1", "entry", ALA, datetime(2024, 5, 1, 4, 0), ALA_OFFICER, NOW)
    assert "occurred_at" in info.value.errors
    assert then_events(t) == []


def test_naive_recording_time_is_refused():
    """A naive clock reading is a ValidationError, not a TypeError from comparing instants."""
    t = given(entered())
    with pytest.raises(ValidationError):
        t.record_crossing("c2", "exit", ALA, ENTRY_AT, ALA_OFFICER, datetime(2024, 6, 1))
    with pytest.raises(ValidationError):
        t.correct_crossing(
            "c1",
            "typo",
            ALA_OFFICER,
            datetime(2024, 6, 1),
            ALA,
            occurred_at=ENTRY_AT + timedelta(hours=1),
        )
    assert then_events(t) == []


def test_unknown_direction_is_refused():
    t = given()
    with pytest.raises(ValidationError):
        t.record_crossing("c1", "transit", ALA, ENTRY_AT, ALA_OFFICER, NOW)


# -- local date from the post's time zone -----------------------------------------------------


@pytest.mark.parametrize(
    "post,at,local",
    [
        # 2023: Almaty UTC+6, Oral UTC+5.
        (ALA, datetime(2023, 3, 1, 18, 30, tzinfo=UTC), date(2023, 3, 2)),
        (URA, datetime(2023, 3, 1, 18, 30, tzinfo=UTC), date(2023, 3, 1)),
        # From 2024-03-01 all of Kazakhstan is UTC+5: the same day at both posts.
        (ALA, datetime(2024, 3, 10, 18, 30, tzinfo=UTC), date(2024, 3, 10)),
        (URA, datetime(2024, 3, 10, 18, 30, tzinfo=UTC), date(2024, 3, 10)),
        (ALA, datetime(2024, 3, 10, 19, 30, tzinfo=UTC), date(2024, 3, 11)),
        (URA, datetime(2024, 3, 10, 19, 30, tzinfo=UTC), date(2024, 3, 11)),
        # The offset the instant carries does not matter, only the instant and the post.
        (URA, datetime(2023, 3, 2, 0, 30, tzinfo=timezone(timedelta(hours=6))), date(2023, 3, 1)),
    ],
)
def test_local_date_comes_from_the_post_zone(post, at, local):
    t = given()
    crossing, _ = t.record_crossing("c1", "entry", post, at, ALA_OFFICER, NOW)
    (event,) = then_events(t)
    assert event.local_date == local == crossing.local_date


# -- corrections and voids --------------------------------------------------------------------


def test_correction_by_the_recording_office():
    t = given(entered())
    fixed = ENTRY_AT - timedelta(days=1)
    crossing = t.correct_crossing("c1", "wrong day", ALA_OFFICER, NOW, ALA, occurred_at=fixed)
    (event,) = then_events(t)
    assert type(event).__name__ == "CrossingCorrected"
    assert (event.crossing_id, event.occurred_at, event.reason) == ("c1", fixed, "wrong day")
    assert crossing.local_date == date(2024, 4, 30)
    assert t.crossings_known_at()[0].occurred_at == fixed


def test_correction_by_another_office_is_forbidden():
    t = given(entered())
    with pytest.raises(ForbiddenError):
        t.correct_crossing(
            "c1", "wrong day", NQZ_OFFICER, NOW, ALA, occurred_at=ENTRY_AT - timedelta(days=1)
        )
    assert then_events(t) == []


def test_void_by_another_office_is_forbidden():
    t = given(entered())
    with pytest.raises(ForbiddenError):
        t.void_crossing("c1", "duplicate", NQZ_OFFICER, NOW)
    assert then_events(t) == []


def test_admin_may_correct_and_void_any_office():
    t = given(entered())
    t.correct_crossing("c1", "wrong post", ADMIN, NOW, NQZ)
    t.void_crossing("c1", "wrong traveler", ADMIN, NOW)
    events = then_events(t)
    assert [type(e).__name__ for e in events] == ["CrossingCorrected", "CrossingVoided"]
    assert events[0].border_post == "KZ-NQZ" and events[1].actor == "admin"
    assert t.crossings_known_at() == []


def test_void_twice_conflicts_and_unknown_crossing_is_not_found():
    t = given(entered(), lambda t: t.void_crossing("c1", "dup", ALA_OFFICER, NOW))
    with pytest.raises(ConflictError):
        t.void_crossing("c1", "dup", ALA_OFFICER, NOW)
    with pytest.raises(NotFoundError):
        t.void_crossing("nope", "dup", ALA_OFFICER, NOW)
    assert then_events(t) == []


def test_correction_without_change_or_reason_is_refused():
    t = given(entered())
    with pytest.raises(ValidationError):
        t.correct_crossing("c1", "nothing", ALA_OFFICER, NOW, ALA)
    with pytest.raises(ValidationError):
        t.correct_crossing("c1", "  ", ALA_OFFICER, NOW, NQZ)
    assert then_events(t) == []


def test_status_known_at_sees_the_version_of_that_time():
    later = NOW + timedelta(hours=2)
    t = given(
        entered(),
        lambda t: t.correct_crossing(
            "c1", "typo", ALA_OFFICER, later, ALA, occurred_at=ENTRY_AT + timedelta(days=2)
        ),
    )
    assert [c.occurred_at for c in t.crossings_known_at(NOW)] == [ENTRY_AT]
    assert [c.occurred_at for c in t.crossings_known_at(later)] == [ENTRY_AT + timedelta(days=2)]
    assert t.crossings_known_at(NOW - timedelta(seconds=1)) == []


# -- exemptions and documents -----------------------------------------------------------------


def grant(t, until=date(2025, 5, 1)):
    return t.grant_exemption(
        "x1",
        "employment",
        "KAZ",
        date(2024, 5, 2),
        until,
        ALA_OFFICER,
        NOW,
        contract_number="EC-1",
        employer_id="123456789012",
    )


def test_exemption_granted_once_and_ended():
    t = given(grant)
    assert grant(t) is False
    ended = t.end_exemption("x1", date(2024, 9, 1), "contract terminated", ALA_OFFICER, NOW)
    (event,) = then_events(t)
    assert type(event).__name__ == "ExemptionEnded" and event.ended_on == date(2024, 9, 1)
    assert ended.ended_on == date(2024, 9, 1) and ended.terminated_early


def test_exemption_conflicting_grant_and_bad_end_are_refused():
    t = given(grant)
    with pytest.raises(ConflictError):
        grant(t, until=date(2025, 6, 1))
    with pytest.raises(ValidationError):
        t.end_exemption("x1", date(2026, 1, 1), "after the term", ALA_OFFICER, NOW)
    with pytest.raises(NotFoundError):
        t.end_exemption("x2", date(2024, 9, 1), "no such", ALA_OFFICER, NOW)
    with pytest.raises(ValidationError):
        t.grant_exemption(
            "x3", "employment", "KAZ", date(2024, 5, 2), date(2025, 5, 1), ALA_OFFICER, NOW
        )
    assert then_events(t) == []


def test_document_linked_once():
    t = given()
    assert t.link_document("RUS", "passport", "76 7654321", ALA_OFFICER, NOW) is True
    assert t.link_document("RUS", "passport", "76 7654321", ALA_OFFICER, NOW) is False
    assert [type(e).__name__ for e in then_events(t)] == ["DocumentLinked"]
    assert [d.document_number for d in t.documents] == ["75 1234567", "76 7654321"]


def test_document_linked_once_when_read_without_personal_data():
    """Loaded without personal data (numbers None), a traveler still knows a linked document by
    its claim id."""
    t = Traveler.register(TID, "RUS", "passport", "75 1", ALA_OFFICER, NOW, document_key_id="k1")
    t.link_document("RUS", "passport", "76 7654321", ALA_OFFICER, NOW, document_key_id="k2")
    events = t.collect_events()
    for e in events:
        if "document_number" in e.__dict__:
            e.__dict__["document_number"] = None
    read = replay(events)
    assert [d.document_number for d in read.documents] == [None, None]
    assert (
        read.link_document("RUS", "passport", "76 7654321", ALA_OFFICER, NOW, document_key_id="k2")
        is False
    )
    assert (
        read.link_document("RUS", "passport", "77 1", ALA_OFFICER, NOW, document_key_id="k3")
        is True
    )


# -- the hash chain and replay ----------------------------------------------------------------


def _history() -> list:
    t = Traveler.register(TID, "RUS", "passport", "75 1234567", ALA_OFFICER, NOW)
    t.record_crossing("c1", "entry", ALA, ENTRY_AT, ALA_OFFICER, NOW)
    t.record_crossing("c2", "exit", ALA, ENTRY_AT + timedelta(days=3), ALA_OFFICER, NOW)
    grant(t)
    t.end_exemption("x1", date(2024, 9, 1), "terminated", ALA_OFFICER, NOW)
    t.correct_crossing("c2", "typo", ALA_OFFICER, NOW, URA)
    t.void_crossing("c1", "dup", ADMIN, NOW)
    t.link_document("RUS", "passport", "76 7654321", ALA_OFFICER, NOW)
    t.record_verification(
        "123456789012", "EC-1", date(2024, 6, 1), "active", "r1", RecordedBy("employer"), NOW
    )
    return t.collect_events()


def test_new_events_leave_the_chain_to_the_event_store():
    """The head stays on the last stored event until the store chains the new ones."""
    t = Traveler.register(TID, "RUS", "passport", "75 1234567", ALA_OFFICER, NOW)
    t.record_crossing("c1", "entry", ALA, ENTRY_AT, ALA_OFFICER, NOW)
    assert t.head_hash == GENESIS
    assert all("hash" not in e.__dict__ for e in t.collect_events())


def _stored(events) -> list:
    """The events as the store hands them back: each with its hash set."""
    for i, e in enumerate(events):
        e.__dict__["hash"] = f"{i:064x}"
    return events


def test_replay_gives_the_same_state():
    events = _stored(_history())
    original = replay(events)
    again = replay(events)
    state = (
        "version",
        "nationality",
        "documents",
        "crossings",
        "exemptions",
        "verifications",
        "head_hash",
        "profile",
    )
    for name in state:
        assert getattr(again, name) == getattr(original, name), name
    assert again.crossings_known_at() == original.crossings_known_at()
    assert again.head_hash == events[-1].hash
    assert [c.crossing_id for c in original.crossings_known_at()] == ["c2"]


def test_replayed_aggregate_equals_the_one_that_ran_the_commands():
    t = Traveler.register(TID, "RUS", "passport", "75 1234567", ALA_OFFICER, NOW)
    t.record_crossing("c1", "entry", ALA, ENTRY_AT, ALA_OFFICER, NOW)
    grant(t)
    t.end_exemption("x1", date(2024, 9, 1), "terminated", ALA_OFFICER, NOW)
    live = {k: getattr(t, k) for k in ("version", "crossings", "exemptions", "head_hash")}
    rebuilt = replay(t.collect_events())
    assert {k: getattr(rebuilt, k) for k in live} == live
