"""The audit trail over HTTP: every event with its hash chain, and the status after each."""

from __future__ import annotations

import uuid

import pytest
from web_support import WebCase, assert_problem, bearer, catch_up


def history(traveler_id) -> str:
    return f"/api/v1/travelers/{traveler_id}/history"


class TestHistory(WebCase):
    def test_every_event_oldest_first_with_a_valid_chain(self, web):
        traveler_id = web.register()
        web.cross(traveler_id, "entry", "2023-02-01")
        web.cross(traveler_id, "exit", "2023-03-01")
        r = web.client.get(history(traveler_id), headers=web.auditor)
        assert r.status_code == 200
        body = r.get_json()
        assert body["chain_valid"] is True
        events = body["events"]
        assert [e["type"] for e in events] == ["Registered", "CrossingRecorded", "CrossingRecorded"]
        assert [e["version"] for e in events] == [1, 2, 3]
        positions = [e["position"] for e in events]
        assert positions == sorted(positions)
        for before, after in zip(events, events[1:], strict=False):
            assert after["previous_hash"] == before["hash"]
        assert events[0]["recorded_by"] == {"actor": "root", "office": None}
        assert "status" not in events[0]

    def test_with_status_adds_the_status_after_each_event(self, web):
        traveler_id = web.register()
        web.cross(traveler_id, "entry", "2023-02-01")
        r = web.client.get(
            history(traveler_id), query_string={"with_status": "KAZ"}, headers=web.admin
        )
        events = r.get_json()["events"]
        assert [e["status"]["jurisdiction"] for e in events] == ["KAZ", "KAZ"]
        assert events[0]["status"]["days_used"] == 0

    def test_pages_follow_next_and_match_the_whole_history(self, web):
        traveler_id = web.register()
        for month in range(2, 8):
            web.cross(traveler_id, "entry", f"2023-0{month}-01")
            web.cross(traveler_id, "exit", f"2023-0{month}-20")
        query = {"with_status": "KAZ", "limit": 1000}
        whole = web.client.get(history(traveler_id), query_string=query, headers=web.auditor)
        whole = whole.get_json()
        assert len(whole["events"]) == 13 and whole["next"] is None
        link, pages = f"{history(traveler_id)}?with_status=KAZ&limit=5", []
        while link:
            page = web.client.get(link, headers=web.auditor).get_json()
            assert page["chain_valid"] is True and page["chain_problems"] == []
            pages.append(page["events"])
            link = page["next"]
        assert [len(p) for p in pages] == [5, 5, 3]
        assert [e for p in pages for e in p] == whole["events"]
        assert [e["status"]["position"] for e in whole["events"]] == [
            e["position"] for e in whole["events"]
        ]

    def test_default_page_is_200_events(self, web):
        traveler_id = web.register(document_number="LONG-1")
        items = [
            {
                "nationality": "RUS",
                "document_number": "LONG-1",
                "crossing_id": str(uuid.uuid4()),
                "direction": "entry" if i % 2 == 0 else "exit",
                "border_post": "KZ-ALA",
                "occurred_at": f"2022-{1 + i // 28:02d}-{1 + i % 28:02d}T04:00:00Z",
            }
            for i in range(205)
        ]
        r = web.client.post("/api/v1/crossings/batch", json={"crossings": items}, headers=web.admin)
        assert r.status_code == 200
        first = web.client.get(history(traveler_id), headers=web.auditor).get_json()
        assert len(first["events"]) == 200 and first["events"][-1]["version"] == 200
        assert first["next"].endswith("after_version=200")
        rest = web.client.get(first["next"], headers=web.auditor).get_json()
        assert [e["version"] for e in rest["events"]] == list(range(201, 207))
        assert rest["next"] is None

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ({"limit": 0}, "limit"),
            ({"limit": 1001}, "limit"),
            ({"after_version": -1}, "after_version"),
        ],
    )
    def test_invalid_pages_are_422(self, web, query, field):
        r = web.client.get(history(web.register()), query_string=query, headers=web.auditor)
        assert field in assert_problem(r, 422)["errors"]

    @pytest.mark.parametrize("role", ["registrar", "employer"])
    def test_only_auditors_and_admins_read_it(self, web, role):
        headers = bearer(role, office="KZ-ALA", employer_id="E")
        assert_problem(web.client.get(history(web.register()), headers=headers), 403)

    def test_unknown_traveler_and_bad_jurisdiction(self, web):
        assert_problem(web.client.get(history(uuid.uuid4()), headers=web.auditor), 404)
        r = web.client.get(
            history(web.register()), query_string={"with_status": "XX"}, headers=web.auditor
        )
        assert "with_status" in assert_problem(r, 422)["errors"]


class TestOverstays(WebCase):
    def _overstayer(self, web) -> str:
        traveler_id = web.register("RUS")
        assert web.cross(traveler_id, "entry", "2023-02-01").status_code == 201
        return traveler_id

    def test_present_travelers_past_their_latest_legal_exit_page_by_page(self, web):
        ids = {self._overstayer(web) for _ in range(3)}
        legal = web.register("RUS")
        web.cross(legal, "entry", "2023-05-15")
        catch_up(web)
        seen, cursor = [], None
        while True:
            query = {"jurisdiction": "KAZ", "as_of": "2023-06-01", "limit": 2}
            if cursor:
                query["cursor"] = cursor
            r = web.client.get("/api/v1/overstays", query_string=query, headers=web.auditor)
            assert r.status_code == 200
            page = r.get_json()
            assert len(page["items"]) <= 2 and page["as_of"] == "2023-06-01"
            seen += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                break
        mine = [item for item in seen if item["traveler_id"] in ids]
        assert {item["traveler_id"] for item in mine} == ids
        assert {item["latest_legal_exit"] for item in mine} == {"2023-05-01"}
        assert legal not in {item["traveler_id"] for item in seen}

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ({}, "jurisdiction"),
            ({"jurisdiction": "KAZ", "limit": 0}, "limit"),
            ({"jurisdiction": "KAZ", "cursor": "not-a-cursor"}, "cursor"),
        ],
    )
    def test_invalid_queries_are_422(self, web, query, field):
        r = web.client.get("/api/v1/overstays", query_string=query, headers=web.auditor)
        assert field in assert_problem(r, 422)["errors"]

    def test_only_auditors_and_admins(self, web):
        query = {"jurisdiction": "KAZ"}
        assert (
            web.client.get("/api/v1/overstays", query_string=query, headers=web.admin).status_code
            == 200
        )
        assert_problem(
            web.client.get("/api/v1/overstays", query_string=query, headers=web.registrar), 403
        )
        assert_problem(web.client.get("/api/v1/overstays", query_string=query), 401)
