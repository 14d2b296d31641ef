"""Exemptions over HTTP: grants, early ends, and what an employer may learn."""

from __future__ import annotations

import uuid

import pytest
from web_support import WebCase, assert_problem, build, close, unique

VERIFY = "/api/v1/exemptions/verify"


def grant(**overrides) -> dict:
    body = {
        "exemption_id": str(uuid.uuid4()),
        "kind": "employment",
        "jurisdiction": "KAZ",
        "valid_from": "2023-03-10",
        "valid_until": "2024-03-09",
        "contract_number": unique("EC-"),
        "employer_id": "123456789012",
    }
    return {**body, **overrides}


def exemptions(traveler_id, *rest) -> str:
    return "/".join([f"/api/v1/travelers/{traveler_id}/exemptions", *rest])


class TestGrant(WebCase):
    def test_granted_then_200_on_identical_retry_then_409_on_other_content(self, web):
        traveler_id = web.register()
        body = grant()
        first = web.client.post(exemptions(traveler_id), json=body, headers=web.registrar)
        again = web.client.post(exemptions(traveler_id), json=body, headers=web.registrar)
        assert (first.status_code, again.status_code) == (201, 200)
        other = {**body, "valid_until": "2024-03-10"}
        r = web.client.post(exemptions(traveler_id), json=other, headers=web.registrar)
        assert_problem(r, 409)

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"kind": "holiday"}, "kind"),
            ({"jurisdiction": "MARS"}, "jurisdiction"),
            ({"valid_until": "2023-03-01"}, "valid_until"),
            ({"valid_from": "2023-02-30"}, "valid_from"),
            ({"contract_number": None}, "contract_number"),
        ],
    )
    def test_invalid_grants_are_422(self, web, overrides, field):
        traveler_id = web.register()
        r = web.client.post(exemptions(traveler_id), json=grant(**overrides), headers=web.registrar)
        assert field in assert_problem(r, 422)["errors"]

    def test_auditor_may_not_grant_and_unknown_traveler_is_404(self, web):
        assert_problem(
            web.client.post(exemptions(uuid.uuid4()), json=grant(), headers=web.auditor), 403
        )
        assert_problem(
            web.client.post(exemptions(uuid.uuid4()), json=grant(), headers=web.registrar), 404
        )


class TestJurisdictionScope(WebCase):
    def test_a_paris_registrar_may_not_wipe_a_kazakh_overstay(self, web):
        """The reported case: a KAZ family exemption granted at FR-CDG erased an overstay."""
        traveler_id = web.register()
        web.cross(traveler_id, "entry", "2023-02-01")
        status = f"/api/v1/travelers/{traveler_id}/status?jurisdiction=KAZ&as_of=2023-12-31"
        before = web.client.get(status, headers=web.auditor).get_json()
        body = grant(kind="family", valid_from="2023-02-01", valid_until="2023-12-31")
        r = web.client.post(exemptions(traveler_id), json=body, headers=web.paris)
        assert_problem(r, 403)
        assert web.client.get(status, headers=web.auditor).get_json() == before
        assert before["overstay"]["periods"]

    def test_paris_may_grant_schengen_but_not_end_kazakh(self, web):
        traveler_id = web.register("USA")
        schengen = grant(kind="study", jurisdiction="SCHENGEN")
        kazakh = grant()
        assert (
            web.client.post(exemptions(traveler_id), json=schengen, headers=web.paris).status_code
            == 201
        )
        assert (
            web.client.post(exemptions(traveler_id), json=kazakh, headers=web.registrar).status_code
            == 201
        )
        end = {"ended_on": "2023-09-30", "reason": "not ours"}
        link = exemptions(traveler_id, kazakh["exemption_id"], "termination")
        assert_problem(web.client.post(link, json=end, headers=web.paris), 403)
        link = exemptions(traveler_id, schengen["exemption_id"], "termination")
        assert_problem(web.client.post(link, json=end, headers=web.registrar), 403)
        assert web.client.post(link, json=end, headers=web.paris).status_code == 201

    def test_invalid_content_is_422_before_scope(self, web):
        body = grant(valid_from="2023-02-30")
        r = web.client.post(exemptions(web.register()), json=body, headers=web.paris)
        assert "valid_from" in assert_problem(r, 422)["errors"]


class TestTermination(WebCase):
    def test_ending_early_changes_what_the_employer_sees(self, web):
        doc = unique("W")
        traveler_id = web.register("RUS", doc)
        body = grant()
        web.client.post(exemptions(traveler_id), json=body, headers=web.registrar)
        link = exemptions(traveler_id, body["exemption_id"], "termination")
        end = {"ended_on": "2023-09-30", "reason": "contract ended"}
        r = web.client.post(link, json=end, headers=web.registrar)
        assert r.status_code == 201 and r.get_json()["ended_on"] == "2023-09-30"
        check = {
            "nationality": "RUS",
            "document_number": doc,
            "contract_number": body["contract_number"],
            "on": "2023-10-16",
        }
        answer = web.client.post(VERIFY, json=check, headers=web.employer("123456789012"))
        assert answer.get_json()["status"] == "ended"

    @pytest.mark.parametrize(
        ("body", "status"),
        [
            ({"ended_on": "2025-01-01", "reason": "late"}, 422),
            ({"ended_on": "2023-09-30"}, 422),
            ({"ended_on": "2023-09-30", "reason": " "}, 422),
        ],
    )
    def test_invalid_terminations(self, web, body, status):
        traveler_id = web.register()
        g = grant()
        web.client.post(exemptions(traveler_id), json=g, headers=web.registrar)
        link = exemptions(traveler_id, g["exemption_id"], "termination")
        assert_problem(web.client.post(link, json=body, headers=web.registrar), status)

    def test_unknown_exemption_is_404_and_auditor_403(self, web):
        traveler_id = web.register()
        link = exemptions(traveler_id, "nope", "termination")
        end = {"ended_on": "2023-09-30", "reason": "x"}
        assert_problem(web.client.post(link, json=end, headers=web.registrar), 404)
        assert_problem(web.client.post(link, json=end, headers=web.auditor), 403)


class TestVerification(WebCase):
    def _worker(self, web):
        doc = unique("W")
        traveler_id = web.register("RUS", doc)
        body = grant()
        web.client.post(exemptions(traveler_id), json=body, headers=web.registrar)
        check = {
            "nationality": "RUS",
            "document_number": doc,
            "contract_number": body["contract_number"],
        }
        return traveler_id, check

    def test_the_employer_learns_status_and_dates_only_and_it_is_recorded(self, web):
        traveler_id, check = self._worker(web)
        r = web.client.post(
            VERIFY, json={**check, "on": "2023-04-01"}, headers=web.employer("123456789012")
        )
        assert r.status_code == 200
        body = r.get_json()
        assert body["status"] == "active" and body["kind"] == "employment"
        assert (body["valid_from"], body["valid_until"]) == ("2023-03-10", "2024-03-09")
        assert set(body) <= {
            "status",
            "kind",
            "valid_from",
            "valid_until",
            "on",
            "checked_at",
            "receipt",
        }
        assert body["receipt"]
        events = web.client.get(
            f"/api/v1/travelers/{traveler_id}/history", headers=web.auditor
        ).get_json()["events"]
        assert events[-1]["type"] == "ExemptionVerified"

    def test_another_employers_contract_is_not_found(self, web):
        _, check = self._worker(web)
        r = web.client.post(VERIFY, json=check, headers=web.employer("999"))
        assert r.status_code == 200
        assert r.get_json()["status"] == "not_found" and r.get_json()["kind"] is None

    def test_probing_another_employers_contract_leaves_the_traveler_untouched(self, web):
        traveler_id, check = self._worker(web)
        history = f"/api/v1/travelers/{traveler_id}/history"
        before = web.client.get(history, headers=web.auditor).get_json()["events"]
        for _ in range(3):
            web.client.post(VERIFY, json=check, headers=web.employer("prober-1"))
        web.client.post(
            VERIFY, json={**check, "contract_number": "NOPE"}, headers=web.employer("123456789012")
        )
        assert web.client.get(history, headers=web.auditor).get_json()["events"] == before
        log = web.client.get(
            "/api/v1/verifications?employer_id=prober-1", headers=web.auditor
        ).get_json()
        assert [(v["status"], v["recorded_on_traveler"]) for v in log["items"]] == [
            ("not_found", False)
        ] * 3
        assert log["items"][0]["contract_number"] == check["contract_number"]
        assert check["document_number"] not in str(log)

    def test_the_log_pages_and_filters_by_time(self, web):
        _, check = self._worker(web)
        employer = unique("E")
        for _ in range(5):
            web.client.post(VERIFY, json=check, headers=web.employer(employer))
        seen, cursor = [], None
        while True:
            query = f"employer_id={employer}&limit=2" + (f"&cursor={cursor}" if cursor else "")
            page = web.client.get(f"/api/v1/verifications?{query}", headers=web.auditor).get_json()
            seen += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == 5 and len({v["receipt_id"] for v in seen}) == 5
        later = "2199-01-01T00:00:00Z"
        r = web.client.get(
            f"/api/v1/verifications?employer_id={employer}&since={later}", headers=web.auditor
        )
        assert r.get_json()["items"] == []

    @pytest.mark.parametrize(
        "query", ["since=2024-01-01T00:00:00", "cursor=abc", "limit=0", "since=yesterday"]
    )
    def test_invalid_log_queries_are_422(self, web, query):
        assert_problem(web.client.get(f"/api/v1/verifications?{query}", headers=web.auditor), 422)

    @pytest.mark.parametrize("role", ["registrar", "employer"])
    def test_only_auditors_read_the_log(self, web, role):
        headers = web.registrar if role == "registrar" else web.employer("123456789012")
        assert_problem(web.client.get("/api/v1/verifications", headers=headers), 403)

    def test_expired_and_unknown_document(self, web):
        _, check = self._worker(web)
        headers = web.employer("123456789012")
        r = web.client.post(VERIFY, json={**check, "on": "2024-06-01"}, headers=headers)
        assert r.get_json()["status"] == "expired"
        r = web.client.post(
            VERIFY, json={**check, "document_number": unique("NO")}, headers=headers
        )
        assert r.get_json()["status"] == "not_found"

    def test_a_date_before_the_term_is_pending(self, web):
        """An addition to api.md's states (README): the term has not begun on that date."""
        _, check = self._worker(web)
        headers = web.employer("123456789012")
        r = web.client.post(VERIFY, json={**check, "on": "2023-03-09"}, headers=headers)
        assert r.get_json()["status"] == "pending"
        r = web.client.post(VERIFY, json={**check, "on": "2023-03-10"}, headers=headers)
        assert r.get_json()["status"] == "active"

    @pytest.mark.parametrize("role", ["registrar", "auditor"])
    def test_only_employers_verify(self, web, role):
        _, check = self._worker(web)
        headers = web.registrar if role == "registrar" else web.auditor
        assert_problem(web.client.post(VERIFY, json=check, headers=headers), 403)

    def test_invalid_verification_is_422(self, web):
        r = web.client.post(VERIFY, json={"nationality": "RUS"}, headers=web.employer("1"))
        assert {"document_number", "contract_number"} <= set(assert_problem(r, 422)["errors"])


def test_verification_is_rate_limited_per_employer(request, tmp_path_factory):
    web = build(request, tmp_path_factory, "sqlite", verification_per_minute=3)
    try:
        check = {"nationality": "RUS", "document_number": "1", "contract_number": "C"}
        for _ in range(3):
            assert web.client.post(VERIFY, json=check, headers=web.employer("A")).status_code == 200
        limited = web.client.post(VERIFY, json=check, headers=web.employer("A"))
        assert 1 <= int(assert_problem(limited, 429) and limited.headers["Retry-After"]) <= 60
        assert web.client.post(VERIFY, json=check, headers=web.employer("B")).status_code == 200
    finally:
        close(web)
