"""Retention rules (EES Art. 34 as the model), table-driven, one boundary each."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from domain.records import Crossing
from domain.retention import (
    AFTER_EXIT,
    AFTER_OVERSTAY,
    RetentionDue,
    overstayed,
    retention_due,
    years_after,
)
from domain.traveler import RecordedBy, Traveler

_seq = iter(range(1, 10_000))


def crossing(direction: str, day: str, jurisdiction: str = "KAZ") -> Crossing:
    d = date.fromisoformat(day)
    return Crossing(
        crossing_id=f"c{next(_seq)}",
        direction=direction,
        border_post="KZ-ALA" if jurisdiction == "KAZ" else "FR-CDG",
        jurisdiction=jurisdiction,
        occurred_at=datetime(d.year, d.month, d.day, 8, tzinfo=UTC),
        local_date=d,
        seq=next(_seq),
    )


STAY = [crossing("entry", "2021-03-01"), crossing("exit", "2021-04-15")]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2024-04-14", None),  # a day short of three years
        ("2024-04-15", RetentionDue(AFTER_EXIT, date(2024, 4, 15), date(2021, 4, 15))),
        ("2030-01-01", RetentionDue(AFTER_EXIT, date(2024, 4, 15), date(2021, 4, 15))),
    ],
)
def test_due_exactly_three_years_after_the_last_exit(as_of, expected):
    assert retention_due(STAY, False, date.fromisoformat(as_of)) == expected


def test_an_overstay_keeps_the_data_five_years():
    assert retention_due(STAY, True, date(2024, 4, 15)) is None
    assert retention_due(STAY, True, date(2026, 4, 14)) is None
    due = retention_due(STAY, True, date(2026, 4, 15))
    assert due == RetentionDue(AFTER_OVERSTAY, date(2026, 4, 15), date(2021, 4, 15))


def test_leap_day_exit_is_due_on_28_february():
    stay = [crossing("entry", "2024-01-10"), crossing("exit", "2024-02-29")]
    assert years_after(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert retention_due(stay, False, date(2027, 2, 27)) is None
    assert retention_due(stay, False, date(2027, 2, 28)).due_on == date(2027, 2, 28)
    assert years_after(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_never_due_while_present_anywhere():
    present = [*STAY, crossing("entry", "2022-01-01", "SCHENGEN")]
    assert retention_due(present, False, date(2040, 1, 1)) is None


def test_the_latest_exit_of_all_jurisdictions_counts():
    later = [
        *STAY,
        crossing("entry", "2022-05-01", "SCHENGEN"),
        crossing("exit", "2022-06-01", "SCHENGEN"),
    ]
    assert retention_due(later, False, date(2025, 5, 31)) is None
    assert retention_due(later, False, date(2025, 6, 1)).last_exit == date(2022, 6, 1)


def test_a_traveler_who_never_crossed_or_never_left_is_not_due():
    assert retention_due([], False, date(2040, 1, 1)) is None
    assert retention_due([crossing("entry", "2001-01-01")], False, date(2040, 1, 1)) is None


def test_an_erased_traveler_is_not_due():
    assert retention_due(STAY, False, date(2030, 1, 1), erased=True) is None


@pytest.mark.parametrize(
    ("periods", "entered", "expected"),
    [
        ([(date(2021, 4, 10), date(2021, 4, 15))], date(2021, 3, 1), True),
        ([(date(2020, 4, 10), date(2020, 4, 15))], date(2021, 3, 1), False),  # an earlier stay
        ([], date(2021, 3, 1), False),
        ([(date(2020, 4, 10), date(2020, 4, 15))], None, True),  # entry unknown: all of it
    ],
)
def test_the_last_stay_overstayed_when_an_overstay_falls_in_it(periods, entered, expected):
    assert overstayed(periods, entered, date(2021, 4, 15)) is expected


def test_erasure_is_recorded_once_and_blanks_the_personal_state():
    now = datetime(2024, 6, 1, tzinfo=UTC)
    t = Traveler.register(
        uuid.uuid4(),
        "RUS",
        "passport",
        "751234567",
        RecordedBy("reg", "KZ-ALA"),
        now,
        surname="Ivanova",
        birth_date=date(1990, 1, 1),
    )
    assert t.erase("asked", RecordedBy("root", admin=True), now) is True
    assert t.erase("asked", RecordedBy("root", admin=True), now) is False
    assert t.is_erased and t.profile.surname is None and t.profile.birth_date is None
    assert [d.document_number for d in t.documents] == [None]
    assert [type(e).__name__ for e in t.collect_events()] == ["Registered", "Erased"]
