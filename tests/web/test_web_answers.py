"""Status, planning and the calculator over HTTP, including every worked example."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from scenarios import load_examples
from web_support import WebCase, assert_problem, build, close

from domain.posts import reference_today

EXAMPLES = load_examples()
STAY_CASES = [c for c in EXAMPLES["cases"] if "stays" in c]
# The calculator takes stays only; the cases with exemptions go through the ledger above.
CALCULATOR_CASES = [c for c in STAY_CASES if not c.get("exemptions")]
POST_OF = {"KAZ": "KZ-ALA", "SCHENGEN": "FR-CDG", "KGZ": "KG-FRU"}
PLAN_FIELDS = {
    "plan_max_stay_days": "max_stay_days",
    "plan_latest_exit": "latest_exit",
    "plan_earliest_entry": "earliest_entry",
    "plan_earliest_entry_max_stay_days": "earliest_entry_max_stay_days",
}


def observed(status: dict | None, plan: dict | None) -> dict:
    """The examples' field names, read from the API's answers."""
    out = {}
    if status:
        out.update(
            window_start=(status["window"] or {}).get("start"),
            days_used=status["days_used"],
            days_remaining=status["days_remaining"],
            latest_legal_exit=status["latest_legal_exit"],
            next_entry_earliest=(status["next_entry"] or {}).get("earliest"),
            next_entry_max_stay_days=(status["next_entry"] or {}).get("max_stay_days"),
            excess_in_window=status["overstay"]["excess_in_window"],
            overstay_days_total=sum(p["days"] for p in status["overstay"]["periods"]),
            overstay_first_from=(status["overstay"]["periods"] or [{}])[0].get("from"),
            current_stay_days=(status["current_stay"] or {}).get("days"),
            rule_id=(status["rule"] or {}).get("id"),
        )
    if plan:
        out.update({name: plan[key] for name, key in PLAN_FIELDS.items()})
    return out


def status_url(traveler_id) -> str:
    return f"/api/v1/travelers/{traveler_id}/status"


class TestWorkedExamples(WebCase):
    @pytest.mark.parametrize("case", STAY_CASES, ids=[c["id"] for c in STAY_CASES])
    def test_recorded_crossings_give_the_expected_answers(self, web, case):
        traveler_id = web.register(case["nationality"])
        post = POST_OF[case["jurisdiction"]]
        for entry, exit_ in case["stays"]:
            assert web.cross(traveler_id, "entry", entry, post).status_code == 201
            if exit_:
                assert web.cross(traveler_id, "exit", exit_, post).status_code == 201
        for i, e in enumerate(case.get("exemptions", [])):
            body = {k: v for k, v in e.items() if k != "ended_on"}
            body.update(exemption_id=f"x{i}", jurisdiction=case["jurisdiction"])
            base = f"/api/v1/travelers/{traveler_id}/exemptions"
            assert web.client.post(base, json=body, headers=web.admin).status_code == 201
            if e.get("ended_on"):
                end = {"ended_on": e["ended_on"], "reason": "contract ended"}
                r = web.client.post(f"{base}/x{i}/termination", json=end, headers=web.admin)
                assert r.status_code == 201
        query = {"jurisdiction": case["jurisdiction"], "as_of": case["status_as_of"]}
        status = web.client.get(
            status_url(traveler_id), query_string=query, headers=web.auditor
        ).get_json()
        plan = None
        if "plan_entry_on" in case:
            body = {"jurisdiction": case["jurisdiction"], "entry_on": case["plan_entry_on"]}
            plan = web.client.post(
                f"/api/v1/travelers/{traveler_id}/plan", json=body, headers=web.auditor
            ).get_json()
        got = observed(status, plan)
        assert {k: got[k] for k in case["expected"]} == case["expected"]

    def test_k13_local_dates_follow_the_posts_time_zone(self, web):
        (case,) = [c for c in EXAMPLES["cases"] if c["id"] == "K13"]
        traveler_id = web.register("RUS")
        at = {
            "ALA_local_date": ("KZ-ALA", "2023-03-01", "entry"),
            "URA_local_date": ("KZ-URA", "2023-03-01", "exit"),
            "ALA_2024_local_date": ("KZ-ALA", "2024-03-01", "entry"),
        }
        got = {}
        for name, (post, day, direction) in at.items():
            r = web.cross(traveler_id, direction, day, post, time="18:30:00Z")
            got[name] = r.get_json()["local_date"]
        assert got == case["expected"]


class TestStatus(WebCase):
    @pytest.mark.parametrize("role", ["registrar", "auditor", "admin"])
    def test_readers_may_ask(self, web, role):
        traveler_id = web.register()
        headers = {"registrar": web.registrar, "auditor": web.auditor, "admin": web.admin}[role]
        r = web.client.get(
            status_url(traveler_id), query_string={"jurisdiction": "KAZ"}, headers=headers
        )
        assert r.status_code == 200

    def test_as_of_defaults_to_today_in_the_jurisdictions_zone(self, web):
        traveler_id = web.register()
        for jurisdiction in ("KAZ", "SCHENGEN"):
            r = web.client.get(
                status_url(traveler_id),
                query_string={"jurisdiction": jurisdiction},
                headers=web.auditor,
            )
            today = reference_today(jurisdiction, datetime.now(UTC)).isoformat()
            assert r.get_json()["as_of"] == today and r.get_json()["known_at"] is None

    def test_known_at_answers_from_what_was_recorded_then(self, web):
        traveler_id = web.register()
        web.cross(traveler_id, "entry", "2023-02-01", crossing_id="c1")
        time.sleep(0.01)
        before = datetime.now(UTC).isoformat()
        time.sleep(0.01)
        fix = {"occurred_at": "2023-03-01T04:00:00Z", "reason": "date misread"}
        web.client.post(
            f"/api/v1/travelers/{traveler_id}/crossings/c1/correction", json=fix, headers=web.admin
        )
        query = {"jurisdiction": "KAZ", "as_of": "2023-03-15"}
        now = web.client.get(
            status_url(traveler_id), query_string=query, headers=web.auditor
        ).get_json()
        then = web.client.get(
            status_url(traveler_id), query_string={**query, "known_at": before}, headers=web.auditor
        ).get_json()
        assert (now["days_used"], then["days_used"]) == (15, 43)
        assert then["known_at"] is not None

    def test_employer_may_not_ask(self, web):
        r = web.client.get(
            status_url(web.register()),
            query_string={"jurisdiction": "KAZ"},
            headers=web.employer("1"),
        )
        assert_problem(r, 403)

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ({}, "jurisdiction"),
            ({"jurisdiction": "ATLANTIS"}, "jurisdiction"),
            ({"jurisdiction": "KAZ", "as_of": "2023-02-31"}, "as_of"),
            ({"jurisdiction": "KAZ", "as_of": "1000-01-01"}, "as_of"),
            ({"jurisdiction": "KAZ", "known_at": "2023-03-01T00:00:00"}, "known_at"),
        ],
    )
    def test_invalid_queries_are_422(self, web, query, field):
        r = web.client.get(status_url(web.register()), query_string=query, headers=web.auditor)
        assert field in assert_problem(r, 422)["errors"]

    def test_unknown_traveler_is_404(self, web):
        r = web.client.get(
            status_url("00000000-0000-4000-8000-000000000000"),
            query_string={"jurisdiction": "KAZ"},
            headers=web.auditor,
        )
        assert_problem(r, 404)


class TestPlan(WebCase):
    def test_planned_stays_count_but_are_never_stored(self, web):
        traveler_id = web.register()
        web.cross(traveler_id, "entry", "2023-02-01")
        web.cross(traveler_id, "exit", "2023-03-01")
        history = f"/api/v1/travelers/{traveler_id}/history"
        events = len(web.client.get(history, headers=web.auditor).get_json()["events"])
        link = f"/api/v1/travelers/{traveler_id}/plan"
        alone = {"jurisdiction": "KAZ", "entry_on": "2023-06-01"}
        planned = {**alone, "planned_stays": [{"entry_on": "2023-04-01", "exit_on": "2023-04-30"}]}
        a = web.client.post(link, json=alone, headers=web.registrar).get_json()
        b = web.client.post(link, json=planned, headers=web.registrar).get_json()
        assert a["allowed"] and b["allowed"]
        assert b["max_stay_days"] < a["max_stay_days"]
        assert len(web.client.get(history, headers=web.auditor).get_json()["events"]) == events

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"jurisdiction": "KAZ"}, "entry_on"),
            (
                {
                    "jurisdiction": "KAZ",
                    "entry_on": "2023-06-01",
                    "planned_stays": [{"entry_on": "2023-04-02", "exit_on": "2023-04-01"}],
                },
                "planned_stays.0.exit_on",
            ),
            (
                {
                    "jurisdiction": "KAZ",
                    "entry_on": "2023-06-01",
                    "planned_stays": [{"entry_on": "2023-04-02", "exit_on": None}],
                },
                "planned_stays.0.exit_on",
            ),
        ],
    )
    def test_invalid_plans_are_422(self, web, body, field):
        r = web.client.post(
            f"/api/v1/travelers/{web.register()}/plan", json=body, headers=web.auditor
        )
        assert field in assert_problem(r, 422)["errors"]

    def test_refused_entry_may_stay_zero_days(self, web):
        """90 days 2024-01-01..03-30 fill the Schengen window on 05-01: refused, 0 days, not null
        (null would read as "no limit")."""
        traveler_id = web.register("USA")
        web.cross(traveler_id, "entry", "2024-01-01", "FR-CDG")
        web.cross(traveler_id, "exit", "2024-03-30", "FR-CDG")
        body = {"jurisdiction": "SCHENGEN", "entry_on": "2024-05-01"}
        r = web.client.post(f"/api/v1/travelers/{traveler_id}/plan", json=body, headers=web.auditor)
        plan = r.get_json()
        assert (plan["allowed"], plan["max_stay_days"], plan["latest_exit"]) == (False, 0, None)

    def test_employer_may_not_plan(self, web):
        body = {"jurisdiction": "KAZ", "entry_on": "2023-06-01"}
        r = web.client.post(
            f"/api/v1/travelers/{web.register()}/plan", json=body, headers=web.employer("1")
        )
        assert_problem(r, 403)


class TestCalculator(WebCase):
    @pytest.mark.parametrize("case", CALCULATOR_CASES, ids=[c["id"] for c in CALCULATOR_CASES])
    def test_examples_without_a_token(self, web, case):
        body = {
            "jurisdiction": case["jurisdiction"],
            "nationality": case["nationality"],
            "stays": [{"entry_on": a, "exit_on": b} for a, b in case["stays"]],
            "as_of": case["status_as_of"],
        }
        if "plan_entry_on" in case:
            body["entry_on"] = case["plan_entry_on"]
        r = web.client.post("/api/v1/calculator", json=body)
        assert r.status_code == 200
        answer = r.get_json()
        got = observed(answer["status"], answer["plan"])
        assert {k: got[k] for k in case["expected"]} == case["expected"]

    def test_refused_entry_may_stay_zero_days(self, web):
        body = {
            "jurisdiction": "SCHENGEN",
            "nationality": "USA",
            "stays": [{"entry_on": "2024-01-01", "exit_on": "2024-03-30"}],
            "entry_on": "2024-05-01",
        }
        plan = web.client.post("/api/v1/calculator", json=body).get_json()["plan"]
        assert (plan["allowed"], plan["max_stay_days"], plan["latest_exit"]) == (False, 0, None)
        assert plan["earliest_entry"] == "2024-06-29"

    def test_only_what_was_asked_is_answered(self, web):
        body = {"jurisdiction": "KAZ", "nationality": "RUS", "stays": []}
        assert web.client.post("/api/v1/calculator", json=body).get_json() == {
            "status": None,
            "plan": None,
        }

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"jurisdiction": "KAZ", "stays": []}, "nationality"),
            (
                {
                    "jurisdiction": "KAZ",
                    "nationality": "RUS",
                    "stays": [
                        {"entry_on": "2023-01-01", "exit_on": None},
                        {"entry_on": "2023-02-01", "exit_on": None},
                    ],
                },
                "stays",
            ),
            (
                {
                    "jurisdiction": "KAZ",
                    "nationality": "RUS",
                    "stays": [{"entry_on": "2023-01-02", "exit_on": "2023-01-01"}],
                },
                "stays.0.exit_on",
            ),
        ],
    )
    def test_invalid_input_is_422(self, web, body, field):
        r = web.client.post("/api/v1/calculator", json=body)
        assert field in assert_problem(r, 422)["errors"]


def test_calculator_is_rate_limited_per_client_address(request, tmp_path_factory):
    web = build(request, tmp_path_factory, "sqlite", calculator_per_minute=2)
    try:
        body = {"jurisdiction": "KAZ", "nationality": "RUS", "stays": []}
        here = {"REMOTE_ADDR": "10.0.0.1"}
        for _ in range(2):
            assert (
                web.client.post("/api/v1/calculator", json=body, environ_base=here).status_code
                == 200
            )
        limited = web.client.post("/api/v1/calculator", json=body, environ_base=here)
        assert_problem(limited, 429)
        assert int(limited.headers["Retry-After"]) >= 1
        elsewhere = {"REMOTE_ADDR": "10.0.0.2"}
        assert (
            web.client.post("/api/v1/calculator", json=body, environ_base=elsewhere).status_code
            == 200
        )
    finally:
        close(web)
