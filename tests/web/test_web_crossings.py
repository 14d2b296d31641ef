"""Crossings over HTTP: idempotent recording, office scope, batches, corrections and voids."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from web_support import WebCase, assert_problem, bearer, unique

BATCH = "/api/v1/crossings/batch"


def crossing(**overrides) -> dict:
    body = {
        "crossing_id": str(uuid.uuid4()),
        "direction": "entry",
        "border_post": "KZ-ALA",
        "occurred_at": "2023-02-01T06:00:00Z",
    }
    return {**body, **overrides}


def url(traveler_id, *rest) -> str:
    return "/".join([f"/api/v1/travelers/{traveler_id}/crossings", *rest])


class TestRecording(WebCase):
    def test_created_then_same_body_on_retry_then_conflict_on_other_content(self, web):
        traveler_id = web.register()
        body = crossing()
        first = web.client.post(url(traveler_id), json=body, headers=web.registrar)
        again = web.client.post(url(traveler_id), json=body, headers=web.registrar)
        assert first.status_code == 201 and again.status_code == 200
        assert first.get_json() == again.get_json()
        assert first.get_json()["local_date"] == "2023-02-01"
        assert first.get_json()["jurisdiction"] == "KAZ"
        other = {**body, "occurred_at": "2023-02-02T06:00:00Z"}
        assert_problem(web.client.post(url(traveler_id), json=other, headers=web.registrar), 409)

    def test_a_registrar_records_only_at_its_offices_posts(self, web):
        traveler_id = web.register()
        body = crossing(border_post="FR-CDG")
        assert_problem(web.client.post(url(traveler_id), json=body, headers=web.registrar), 403)
        assert web.client.post(url(traveler_id), json=body, headers=web.paris).status_code == 201

    def test_content_is_checked_before_scope(self, web):
        later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
        for body in (
            crossing(border_post="FR-CDG", occurred_at=later),
            crossing(border_post="NOPE"),
        ):
            r = web.client.post(url(uuid.uuid4()), json=body, headers=web.registrar)
            assert_problem(r, 422)

    def test_scope_is_checked_before_existence(self, web):
        body = crossing(border_post="FR-CDG")
        r = web.client.post(url(uuid.uuid4()), json=body, headers=web.registrar)
        assert_problem(r, 403)
        assert_problem(
            web.client.post(url(uuid.uuid4()), json=crossing(), headers=web.registrar), 404
        )

    @pytest.mark.parametrize("role", ["auditor", "employer"])
    def test_readers_may_not_record(self, web, role):
        r = web.client.post(
            url(uuid.uuid4()), json=crossing(), headers=bearer(role, employer_id="E")
        )
        assert_problem(r, 403)

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"occurred_at": "2023-02-01T06:00:00"}, "occurred_at"),
            ({"occurred_at": "yesterday"}, "occurred_at"),
            ({"occurred_at": "0001-01-01T00:00:00+05:00"}, "occurred_at"),
            ({"direction": "sideways"}, "direction"),
            ({"border_post": "XX-NOPE"}, "border_post"),
            ({"crossing_id": ""}, "crossing_id"),
            ({"crossing_id": "has space"}, "crossing_id"),
        ],
    )
    def test_invalid_content_is_422(self, web, overrides, field):
        traveler_id = web.register()
        r = web.client.post(url(traveler_id), json=crossing(**overrides), headers=web.registrar)
        assert field in assert_problem(r, 422)["errors"]

    def test_more_than_a_day_in_the_future_is_422(self, web):
        traveler_id = web.register()
        later = (datetime.now(UTC) + timedelta(hours=25)).isoformat()
        r = web.client.post(
            url(traveler_id), json=crossing(occurred_at=later), headers=web.registrar
        )
        assert "occurred_at" in assert_problem(r, 422)["errors"]
        soon = (datetime.now(UTC) + timedelta(hours=23)).isoformat()
        r = web.client.post(
            url(traveler_id), json=crossing(occurred_at=soon), headers=web.registrar
        )
        assert r.status_code == 201

    def test_every_write_records_actor_and_office(self, web):
        traveler_id = web.register()
        web.client.post(url(traveler_id), json=crossing(), headers=web.registrar)
        events = web.client.get(
            f"/api/v1/travelers/{traveler_id}/history", headers=web.auditor
        ).get_json()["events"]
        assert events[-1]["recorded_by"] == {"actor": "reg-ala", "office": "KZ-ALA"}


class TestBatch(WebCase):
    def test_one_bad_item_never_rejects_the_others(self, web):
        doc = unique("B")
        good = {"nationality": "KGZ", "document_number": doc, **crossing()}
        items = [
            good,
            {**good, "crossing_id": "bad-1", "occurred_at": "2023-02-01T06:00:00"},
            {"crossing_id": "bad-2"},
            "not an object",
            {**good, "crossing_id": str(uuid.uuid4()), "border_post": "FR-CDG"},
            {**good, "crossing_id": str(uuid.uuid4()), "border_post": "NOPE"},
            good,
        ]
        r = web.client.post(BATCH, json={"crossings": items}, headers=web.registrar)
        assert r.status_code == 200
        results = r.get_json()["results"]
        assert [x["status"] for x in results] == [
            "created",
            "rejected",
            "rejected",
            "rejected",
            "rejected",
            "rejected",
            "duplicate",
        ]
        assert "occurred_at" in results[1]["errors"]
        assert results[2]["crossing_id"] == "bad-2" and "direction" in results[2]["errors"]
        assert results[3]["crossing_id"] is None
        assert "forbidden" in results[4]["errors"]["_"][0]
        assert "border_post" in results[5]["errors"]
        assert r.get_json()["position"] > 0
        query = {"nationality": "KGZ", "document_number": doc}
        found = web.client.get("/api/v1/travelers", query_string=query, headers=web.auditor)
        assert found.get_json()["traveler_id"] == results[0]["traveler_id"]

    def test_retrying_a_batch_reports_duplicates(self, web):
        items = [
            {"nationality": "RUS", "document_number": unique("B"), **crossing()} for _ in range(3)
        ]
        web.client.post(BATCH, json={"crossings": items}, headers=web.registrar)
        r = web.client.post(BATCH, json={"crossings": items}, headers=web.registrar)
        assert {x["status"] for x in r.get_json()["results"]} == {"duplicate"}

    def test_more_than_1000_items_is_422(self, web):
        items = [{"crossing_id": str(i)} for i in range(1001)]
        r = web.client.post(BATCH, json={"crossings": items}, headers=web.registrar)
        assert "crossings" in assert_problem(r, 422)["errors"]

    @pytest.mark.parametrize("body", [{}, {"crossings": "x"}, [1]])
    def test_a_malformed_batch_is_422(self, web, body):
        assert_problem(web.client.post(BATCH, json=body, headers=web.registrar), 422)

    def test_auditor_may_not_record_a_batch(self, web):
        assert_problem(web.client.post(BATCH, json={"crossings": []}, headers=web.auditor), 403)


class TestCorrectionAndVoid(WebCase):
    def test_the_recording_office_corrects_with_a_reason(self, web):
        traveler_id = web.register()
        body = crossing()
        web.client.post(url(traveler_id), json=body, headers=web.registrar)
        fix = {"occurred_at": "2023-02-02T06:00:00Z", "reason": "wrong day typed"}
        link = url(traveler_id, body["crossing_id"], "correction")
        r = web.client.post(link, json=fix, headers=web.registrar)
        assert r.status_code == 201 and r.get_json()["local_date"] == "2023-02-02"
        assert_problem(web.client.post(link, json=fix, headers=web.paris), 403)
        assert (
            web.client.post(
                link, json={**fix, "occurred_at": "2023-02-03T06:00:00Z"}, headers=web.admin
            ).status_code
            == 201
        )

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"occurred_at": "2023-02-02T06:00:00Z"}, "reason"),
            ({"reason": "nothing named"}, "_"),
            ({"reason": "x", "direction": "up"}, "direction"),
            ({"reason": "x", "border_post": "NOPE"}, "border_post"),
        ],
    )
    def test_invalid_corrections_are_422(self, web, body, field):
        traveler_id = web.register()
        first = crossing()
        web.client.post(url(traveler_id), json=first, headers=web.registrar)
        link = url(traveler_id, first["crossing_id"], "correction")
        assert (
            field
            in assert_problem(web.client.post(link, json=body, headers=web.registrar), 422)[
                "errors"
            ]
        )

    def test_unknown_crossing_is_404(self, web):
        traveler_id = web.register()
        link = url(traveler_id, "nope", "correction")
        r = web.client.post(link, json={"reason": "x", "direction": "exit"}, headers=web.admin)
        assert_problem(r, 404)
        assert_problem(
            web.client.post(
                url(traveler_id, "nope", "void"), json={"reason": "x"}, headers=web.admin
            ),
            404,
        )

    def test_void_then_a_second_void_is_a_conflict(self, web):
        traveler_id = web.register()
        body = crossing()
        web.client.post(url(traveler_id), json=body, headers=web.registrar)
        link = url(traveler_id, body["crossing_id"], "void")
        assert_problem(web.client.post(link, json={}, headers=web.registrar), 422)
        assert_problem(web.client.post(link, json={"reason": "x"}, headers=web.paris), 403)
        r = web.client.post(link, json={"reason": "recorded twice"}, headers=web.registrar)
        assert r.status_code == 201 and r.get_json()["voided"] is True
        assert_problem(web.client.post(link, json={"reason": "again"}, headers=web.registrar), 409)
        status = web.client.get(
            f"/api/v1/travelers/{traveler_id}/status",
            query_string={"jurisdiction": "KAZ", "as_of": "2023-02-10"},
            headers=web.auditor,
        ).get_json()
        assert status["present"] is False and status["days_used"] == 0
