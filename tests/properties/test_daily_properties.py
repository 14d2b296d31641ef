"""The chart's day-by-day counts equal the engine's own status, day by day (domain/daily.py)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine_properties import BOOK, PROFILES, crossings_of, exemptions_of, histories

from domain.daily import boundaries, daily
from domain.engine import Engine, Facts

DAY_BY_DAY = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _facts(h: dict, as_of: date | None = None) -> Facts:
    jur, nat, _, _, _ = PROFILES[h["profile"]]
    return Facts.from_crossings(jur, nat, crossings_of(h), exemptions_of(h), as_of)


def _check_every_day(h: dict) -> None:
    first = date.fromordinal(h["stays"][0][0]) - timedelta(days=20)
    last = date.fromordinal(h["as_of"])
    days = daily(BOOK, _facts(h, last), first, last)
    assert [d.on for d in days] == [first + timedelta(n) for n in range((last - first).days + 1)]
    for d in days:
        answer = Engine(BOOK, _facts(h, d.on)).status(d.on)
        assert d.days_used == answer.days_used, d
        assert d.present == any(s.covers(d.on) for s in _facts(h, d.on).stays), d
        assert d.rule_id == (answer.rule.version.id if answer.rule else None), d
        if answer.rule is not None and d.days_used is not None:
            assert d.max_days == answer.rule.limit.max_days, d


@DAY_BY_DAY
@given(
    st.sampled_from(
        ["rolling", "per_entry", "both", "kaz_change", "kgz_change", "kgz_block", "visa_free_start"]
    ).flatmap(lambda p: histories(p, max_stays=4, max_len=100))
)
def test_every_day_counts_what_the_engine_answers_that_day(h):
    _check_every_day(h)


def test_the_kazakh_change_is_the_one_boundary_of_a_stay_across_it():
    facts = Facts("KAZ", "RUS", ())
    found = boundaries(BOOK, facts, date(2022, 6, 1), date(2023, 6, 1))
    assert [(b.on, b.rule_id) for b in found] == [(date(2023, 1, 27), "KAZ-EAEU-90-180")]
    assert boundaries(BOOK, facts, date(2023, 1, 27), date(2023, 6, 1)) == []


def test_a_nationality_without_rules_has_no_counts_and_no_boundaries():
    facts = Facts("KAZ", "FRA", ())
    days = daily(BOOK, facts, date(2023, 1, 1), date(2023, 1, 3))
    assert [(d.days_used, d.rule_id) for d in days] == [(None, None)] * 3
    assert boundaries(BOOK, facts, date(2020, 1, 1), date(2024, 1, 1)) == []
