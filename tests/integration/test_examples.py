"""Every worked example of shared/scenarios/examples.json, through the engine and the service.

Crossing instants follow the file's convention: entries at 04:00Z, exits at 10:00Z on the given
dates, at KZ-ALA (Kazakh cases) or FR-CDG (Schengen cases). Each expected field is read through
the file's own ``fields`` map, so a new field there fails loudly until this file learns it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from scenarios import load_examples

from domain.answers import PlanAnswer, StatusAnswer
from domain.engine import Engine, Facts
from domain.posts import PostRegistry
from domain.records import Crossing, Exemption
from domain.rulebook import default_rulebook
from infrastructure.bootstrap import build_service
from infrastructure.settings import Settings
from infrastructure.usecases.commands import GrantExemption, RecordCrossing
from infrastructure.usecases.context import Actor

DATA = load_examples()
CASES = [c for c in DATA["cases"] if not c.get("timezone")]
TZ_CASES = [c for c in DATA["cases"] if c.get("timezone")]
POSTS = PostRegistry()
POST_OF = {"SCHENGEN": "FR-CDG", "KAZ": "KZ-ALA"}
RULEBOOK = default_rulebook()


def _day(s: str | None) -> date | None:
    return date.fromisoformat(s) if s else None


def _entry_at(d: str) -> datetime:
    return datetime.combine(date.fromisoformat(d), time(4), UTC)


def _exit_at(d: str) -> datetime:
    return datetime.combine(date.fromisoformat(d), time(10), UTC)


def crossings_of(case: dict) -> list[Crossing]:
    post = POSTS.get(POST_OF[case["jurisdiction"]])
    out: list[Crossing] = []
    for i, (entry, exit_) in enumerate(case["stays"]):
        legs = [("entry", _entry_at(entry))]
        if exit_:
            legs.append(("exit", _exit_at(exit_)))
        for direction, at in legs:
            out.append(
                Crossing(
                    f"{case['id']}-{i}-{direction}",
                    direction,
                    post.code,
                    post.jurisdiction,
                    at,
                    post.local_date(at),
                    seq=len(out) + 1,
                )
            )
    return out


def exemptions_of(case: dict) -> list[Exemption]:
    return [
        Exemption(
            exemption_id=f"{case['id']}-x{i}",
            kind=e["kind"],
            jurisdiction=case["jurisdiction"],
            valid_from=_day(e["valid_from"]),
            valid_until=_day(e["valid_until"]),
            contract_number=e.get("contract_number"),
            employer_id=e.get("employer_id"),
            ended_on=_day(e.get("ended_on")),
            end_reason="contract terminated" if e.get("ended_on") else None,
        )
        for i, e in enumerate(case.get("exemptions", []))
    ]


def _wire(value):
    """An answer's value as the file writes it: dates as ISO text."""
    return value.isoformat() if isinstance(value, date) else value


def _path(answer, dotted: str):
    for part in dotted.split("."):
        if answer is None:
            return None
        answer = getattr(answer, part)
    return _wire(answer)


def field_value(name: str, status: StatusAnswer, plan: PlanAnswer | None):
    """The answer's value for one expected field, read through the file's ``fields`` map."""
    path = DATA["fields"][name]
    if name == "overstay_days_total":
        assert path.startswith("sum of status.overstay.periods[].days")
        return sum(p.days for p in status.overstay.periods)
    if name == "overstay_first_from":
        assert path == "status.overstay.periods[0].from"
        periods = status.overstay.periods
        return _wire(periods[0].first) if periods else None
    root, _, rest = path.partition(".")
    return _path({"status": status, "plan": plan}[root], rest)


def test_every_expected_field_is_mapped():
    """A field the map does not know would otherwise be silently unchecked."""
    for case in DATA["cases"]:
        for name in case["expected"]:
            assert name in DATA["fields"] or name.endswith("_local_date"), (case["id"], name)
    assert {c["id"] for c in CASES} >= {"S01", "S04", "S05", "K01", "K04", "K11", "K12"}


def _check(case: dict, status: StatusAnswer, plan: PlanAnswer | None) -> None:
    for name, expected in case["expected"].items():
        assert field_value(name, status, plan) == expected, (case["id"], name)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_example_through_engine(case):
    facts = Facts.from_crossings(
        case["jurisdiction"], case["nationality"], crossings_of(case), exemptions_of(case)
    )
    engine = Engine(RULEBOOK, facts)
    status = engine.status(_day(case["status_as_of"]))
    plan = engine.plan(_day(case["plan_entry_on"])) if case.get("plan_entry_on") else None
    _check(case, status, plan)


@pytest.mark.parametrize("case", TZ_CASES, ids=[c["id"] for c in TZ_CASES])
def test_example_local_dates_by_post(case):
    """K13: the same instant is a different day at Almaty and Oral (until 2024-03-01)."""
    instant_2023 = datetime(2023, 3, 1, 18, 30, tzinfo=UTC)
    instant_2024 = datetime(2024, 3, 1, 18, 30, tzinfo=UTC)
    got = {
        "ALA_local_date": POSTS.get("KZ-ALA").local_date(instant_2023).isoformat(),
        "URA_local_date": POSTS.get("KZ-URA").local_date(instant_2023).isoformat(),
        "ALA_2024_local_date": POSTS.get("KZ-ALA").local_date(instant_2024).isoformat(),
    }
    for name, expected in case["expected"].items():
        assert got[name] == expected, name


# -- the same cases through the ledger service on SQLite ----------------------------------

OFFICER = Actor("officer-1", office="HQ")


@pytest.fixture
def service(sqlite_url):
    return build_service(Settings(database_url=sqlite_url, secret_key="e" * 40))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_example_through_service(service, case):
    tid, created, *_ = service.register(OFFICER, case["nationality"], f"P-{case['id']}-0001")
    assert created
    for c in crossings_of(case):
        body, new = service.record_crossing(
            OFFICER, RecordCrossing(tid, c.crossing_id, c.direction, c.border_post, c.occurred_at)
        )
        assert new and body["local_date"] == c.local_date.isoformat()
    for e in exemptions_of(case):
        _, granted = service.grant_exemption(
            OFFICER,
            GrantExemption(
                tid,
                e.exemption_id,
                e.kind,
                e.jurisdiction,
                e.valid_from,
                e.valid_until,
                contract_number=e.contract_number,
                employer_id=e.employer_id,
            ),
        )
        assert granted
        if e.ended_on:
            service.end_exemption(OFFICER, tid, e.exemption_id, e.ended_on, e.end_reason)
    status = service.status(tid, case["jurisdiction"], as_of=_day(case["status_as_of"]))
    plan = (
        service.plan(tid, case["jurisdiction"], _day(case["plan_entry_on"]))
        if case.get("plan_entry_on")
        else None
    )
    _check(case, status, plan)


@pytest.mark.parametrize("case", TZ_CASES, ids=[c["id"] for c in TZ_CASES])
def test_example_local_dates_through_service(service, case):
    """K13 through recording: the answer to a recorded crossing carries the post's local date."""
    tid, *_ = service.register(OFFICER, "RUS", "K13-0001")
    answers = {}
    for name, post, at, cid in (
        ("ALA_local_date", "KZ-ALA", datetime(2023, 3, 1, 18, 30, tzinfo=UTC), "k13-a"),
        ("URA_local_date", "KZ-URA", datetime(2023, 3, 1, 18, 30, tzinfo=UTC), "k13-b"),
        ("ALA_2024_local_date", "KZ-ALA", datetime(2024, 3, 1, 18, 30, tzinfo=UTC), "k13-c"),
    ):
        body, _ = service.record_crossing(OFFICER, RecordCrossing(tid, cid, "entry", post, at))
        answers[name] = body["local_date"]
    for name, expected in case["expected"].items():
        assert answers[name] == expected, name
