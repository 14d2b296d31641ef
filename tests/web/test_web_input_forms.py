"""api.md Conventions over HTTP: one passport is one traveler, no stored oddity, else 422."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from web_support import WebCase, assert_problem, unique

TRAVELERS = "/api/v1/travelers"
NUMBER = "754754116"
ODD_NUMBERS = [
    NUMBER + "\u200b",
    "\uff17\uff15\uff14\uff17\uff15\uff14\uff11\uff11\uff16",
    "754\u2060754116",
    "-",
    "//..",
    "...-",
    "C1\u00df" + "234567",
    "RUS\n",
]


def history(web, traveler_id: str) -> list[dict]:
    r = web.client.get(f"{TRAVELERS}/{traveler_id}/history", headers=web.auditor)
    assert r.status_code == 200
    return r.get_json()["events"]


class TestDocumentNumbers(WebCase):
    @pytest.mark.parametrize("typed", ODD_NUMBERS)
    def test_odd_spellings_are_422_everywhere_and_store_nothing(self, web, typed):
        body = {"nationality": "RUS", "document_number": typed}
        before = web.client.get("/api/v1/health").get_json()["ledger_position"]
        problem = assert_problem(web.client.post(TRAVELERS, json=body, headers=web.admin), 422)
        assert "document_number" in problem["errors"]
        lookup = web.client.get(TRAVELERS, query_string=body, headers=web.auditor)
        assert "document_number" in assert_problem(lookup, 422)["errors"]
        verify = web.client.post(
            "/api/v1/exemptions/verify",
            json={**body, "contract_number": "EC-1"},
            headers=web.employer("E1"),
        )
        assert_problem(verify, 422)
        assert web.client.get("/api/v1/health").get_json()["ledger_position"] == before

    def test_one_passport_is_one_traveler_and_is_stored_canonical(self, web):
        number = unique("AB")
        spelt = f"{number[:4].lower()} {number[4:8]}-{number[8:]}"
        first = web.client.post(
            TRAVELERS, json={"nationality": "RUS", "document_number": spelt}, headers=web.admin
        )
        assert first.status_code == 201
        tid = first.get_json()["traveler_id"]
        again = web.client.post(
            TRAVELERS, json={"nationality": "RUS", "document_number": number}, headers=web.admin
        )
        assert (again.status_code, again.get_json()["traveler_id"]) == (200, tid)
        assert history(web, tid)[0]["data"]["document_number"] == number

    def test_a_nationality_with_a_trailing_newline_is_not_another_country(self, web):
        body = {"nationality": "RUS\n", "document_number": unique("N")}
        problem = assert_problem(web.client.post(TRAVELERS, json=body, headers=web.admin), 422)
        assert "nationality" in problem["errors"]

    def test_sharp_s_and_double_s_never_meet(self, web):
        ss = web.client.post(
            TRAVELERS,
            json={"nationality": "DEU", "document_number": "C1SS" + unique("")[:6]},
            headers=web.admin,
        )
        assert ss.status_code == 201
        sharp = {"nationality": "DEU", "document_number": "C1\u00df" + unique("")[:6]}
        assert_problem(web.client.post(TRAVELERS, json=sharp, headers=web.admin), 422)

    def test_a_bad_batch_item_is_rejected_alone(self, web):
        good = unique("B")
        items = [
            {
                "nationality": "RUS",
                "document_number": number,
                "crossing_id": str(uuid.uuid4()),
                "direction": "entry",
                "border_post": "KZ-ALA",
                "occurred_at": "2023-02-01T04:00:00Z",
            }
            for number in (good.lower(), "\uff17\uff15\uff14", "754\u200b754")
        ]
        r = web.client.post("/api/v1/crossings/batch", json={"crossings": items}, headers=web.admin)
        results = r.get_json()["results"]
        assert [x["status"] for x in results] == ["created", "rejected", "rejected"]
        assert all("document_number" in x["errors"] for x in results[1:])
        found = web.client.get(
            TRAVELERS,
            query_string={"nationality": "RUS", "document_number": good},
            headers=web.auditor,
        )
        assert found.get_json()["traveler_id"] == results[0]["traveler_id"]


class TestTextAndDates(WebCase):
    @pytest.mark.parametrize(
        "surname",
        ["Iva\u200bnova", "Ivanova\u202e", "Iva\u2066nova", "Iva\u0085nova", "Iva\u2028nova"],
    )
    def test_zero_width_bidi_and_control_characters_are_422(self, web, surname):
        body = {"nationality": "RUS", "document_number": unique("T"), "surname": surname}
        problem = assert_problem(web.client.post(TRAVELERS, json=body, headers=web.admin), 422)
        assert "surname" in problem["errors"]

    def test_names_are_stored_nfc(self, web):
        decomposed = "A\u030angstro\u0308m"
        body = {
            "nationality": "SWE",
            "document_number": unique("T"),
            "surname": decomposed,
            "given_names": "Zoe\u0308",
        }
        r = web.client.post(TRAVELERS, json=body, headers=web.admin)
        assert r.status_code == 201
        data = history(web, r.get_json()["traveler_id"])[0]["data"]
        assert data["surname"] == unicodedata.normalize("NFC", decomposed) == "Ångström"
        assert data["given_names"] == "Zoë"

    @pytest.mark.parametrize("birth_date", ["2190-01-01", "future"])
    def test_a_birth_date_in_the_future_is_422(self, web, birth_date):
        if birth_date == "future":
            birth_date = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
        body = {"nationality": "RUS", "document_number": unique("T"), "birth_date": birth_date}
        problem = assert_problem(web.client.post(TRAVELERS, json=body, headers=web.admin), 422)
        assert "birth_date" in problem["errors"]
        lookup = {"nationality": "RUS", "document_number": body["document_number"]}
        found = web.client.get(TRAVELERS, query_string=lookup, headers=web.auditor)
        assert found.status_code == 404

    def test_a_crossing_whose_local_date_is_before_1900_is_422(self, web):
        occurred_at = "1900-01-01T00:00:00+14:00"  # 1899-12-31 in Almaty
        tid = web.register()
        r = web.cross(tid, "entry", occurred_at[:10], time=occurred_at[11:])
        assert "occurred_at" in assert_problem(r, 422)["errors"]
        # Content before scope: a registrar of another office hears 422, not 403.
        body = {
            "crossing_id": str(uuid.uuid4()),
            "direction": "entry",
            "border_post": "KZ-ALA",
            "occurred_at": occurred_at,
        }
        r = web.client.post(f"{TRAVELERS}/{tid}/crossings", json=body, headers=web.paris)
        assert_problem(r, 422)
        assert [e["type"] for e in history(web, tid)] == ["Registered"]

    def test_a_crossing_on_the_first_local_day_is_recorded(self, web):
        tid = web.register()
        r = web.cross(tid, "entry", "1900-01-01", time="12:00:00+00:00")
        assert (r.status_code, r.get_json()["local_date"]) == (201, "1900-01-01")

    @pytest.mark.parametrize(
        ("field", "value"), [("crossing_id", "abc\n"), ("occurred_at", "2023-02-01T04:00:00")]
    )
    def test_a_trailing_newline_or_naive_instant_is_422(self, web, field, value):
        body = {
            "crossing_id": str(uuid.uuid4()),
            "direction": "entry",
            "border_post": "KZ-ALA",
            "occurred_at": "2023-02-01T04:00:00Z",
            field: value,
        }
        r = web.client.post(f"{TRAVELERS}/{web.register()}/crossings", json=body, headers=web.admin)
        assert field in assert_problem(r, 422)["errors"]
