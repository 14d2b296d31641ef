"""Travelers over HTTP: registration, lookup by document, linking documents."""

from __future__ import annotations

import uuid

import pytest
from web_support import WebCase, assert_problem, bearer, unique

TRAVELERS = "/api/v1/travelers"


class TestRegistration(WebCase):
    def test_registering_again_answers_200_with_the_same_traveler(self, web):
        body = {"nationality": "RUS", "document_number": unique("P"), "surname": "Ivanova"}
        first = web.client.post(TRAVELERS, json=body, headers=web.registrar)
        again = web.client.post(TRAVELERS, json=body, headers=web.registrar)
        assert first.status_code == 201 and again.status_code == 200
        assert first.get_json()["traveler_id"] == again.get_json()["traveler_id"]
        assert first.get_json()["position"] == again.get_json()["position"] > 0
        assert (first.get_json()["created"], again.get_json()["created"]) == (True, False)

    def test_admin_may_register(self, web):
        body = {"nationality": "KGZ", "document_number": unique("P")}
        assert web.client.post(TRAVELERS, json=body, headers=web.admin).status_code == 201

    @pytest.mark.parametrize("role", ["auditor", "employer"])
    def test_other_roles_may_not_register(self, web, role):
        headers = bearer(role, employer_id="E1") if role == "employer" else bearer(role)
        body = {"nationality": "RUS", "document_number": unique("P")}
        assert_problem(web.client.post(TRAVELERS, json=body, headers=headers), 403)

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"nationality": "rus", "document_number": "1"}, "nationality"),
            ({"nationality": "RUS"}, "document_number"),
            ({"nationality": "RUS", "document_number": "   "}, "document_number"),
            ({"nationality": "RUS", "document_number": "A\x00B"}, "document_number"),
            ({"nationality": "RUS", "document_number": "X" * 65}, "document_number"),
            (
                {"nationality": "RUS", "document_number": "1", "birth_date": "1990-13-01"},
                "birth_date",
            ),
            ({"nationality": "RUS", "document_number": "1", "shoe_size": 42}, "shoe_size"),
        ],
    )
    def test_invalid_content_is_422_naming_the_field(self, web, body, field):
        problem = assert_problem(web.client.post(TRAVELERS, json=body, headers=web.registrar), 422)
        assert field in problem["errors"]

    def test_role_is_checked_before_content(self, web):
        assert_problem(web.client.post(TRAVELERS, json={}, headers=web.auditor), 403)
        assert_problem(web.client.post(TRAVELERS, data="{", content_type="text/plain"), 401)


class TestLookup(WebCase):
    @pytest.mark.parametrize("role", ["registrar", "auditor", "admin"])
    def test_readers_find_a_traveler_by_document(self, web, role):
        doc = unique("P")
        traveler_id = web.register("RUS", doc)
        headers = bearer(role, office="KZ-ALA")
        r = web.client.get(
            TRAVELERS, query_string={"nationality": "RUS", "document_number": doc}, headers=headers
        )
        assert r.status_code == 200 and r.get_json() == {"traveler_id": traveler_id}

    def test_employer_may_not_look_up(self, web):
        query = {"nationality": "RUS", "document_number": "1"}
        r = web.client.get(TRAVELERS, query_string=query, headers=web.employer("E1"))
        assert_problem(r, 403)

    def test_unknown_document_is_404(self, web):
        query = {"nationality": "RUS", "document_number": unique("NONE")}
        assert_problem(web.client.get(TRAVELERS, query_string=query, headers=web.auditor), 404)

    def test_missing_parameter_is_422(self, web):
        r = web.client.get(TRAVELERS, query_string={"nationality": "RUS"}, headers=web.auditor)
        assert "document_number" in assert_problem(r, 422)["errors"]


class TestDocuments(WebCase):
    def test_linking_a_document_then_finding_the_traveler_by_it(self, web):
        traveler_id = web.register("RUS")
        new = {"nationality": "RUS", "document_number": unique("N"), "document_type": "passport"}
        url = f"{TRAVELERS}/{traveler_id}/documents"
        assert web.client.post(url, json=new, headers=web.registrar).status_code == 201
        assert web.client.post(url, json=new, headers=web.registrar).status_code == 200
        query = {"nationality": "RUS", "document_number": new["document_number"]}
        found = web.client.get(TRAVELERS, query_string=query, headers=web.auditor).get_json()
        assert found == {"traveler_id": traveler_id}

    def test_another_travelers_document_is_a_conflict(self, web):
        doc = unique("P")
        web.register("RUS", doc)
        other = web.register("RUS")
        body = {"nationality": "RUS", "document_number": doc}
        url = f"{TRAVELERS}/{other}/documents"
        assert_problem(web.client.post(url, json=body, headers=web.registrar), 409)

    def test_days_on_the_old_document_still_count(self, web):
        traveler_id = web.register("RUS")
        assert web.cross(traveler_id, "entry", "2023-02-01").status_code == 201
        body = {"nationality": "RUS", "document_number": unique("N")}
        web.client.post(f"{TRAVELERS}/{traveler_id}/documents", json=body, headers=web.admin)
        items = [
            {
                **body,
                "crossing_id": str(uuid.uuid4()),
                "direction": "exit",
                "border_post": "KZ-ALA",
                "occurred_at": "2023-03-01T10:00:00Z",
            }
        ]
        r = web.client.post(
            "/api/v1/crossings/batch", json={"crossings": items}, headers=web.registrar
        )
        assert r.get_json()["results"][0]["traveler_id"] == traveler_id
        status = web.client.get(
            f"{TRAVELERS}/{traveler_id}/status",
            query_string={"jurisdiction": "KAZ", "as_of": "2023-03-15"},
            headers=web.auditor,
        ).get_json()
        assert status["days_used"] == 29 and status["present"] is False

    def test_unknown_traveler_is_404_and_auditor_is_403(self, web):
        body = {"nationality": "RUS", "document_number": unique("N")}
        url = f"{TRAVELERS}/{uuid.uuid4()}/documents"
        assert_problem(web.client.post(url, json=body, headers=web.registrar), 404)
        assert_problem(web.client.post(url, json=body, headers=web.auditor), 403)

    def test_malformed_traveler_id_is_404(self, web):
        url = f"{TRAVELERS}/not-a-uuid/documents"
        assert_problem(web.client.post(url, json={}, headers=web.registrar), 404)
