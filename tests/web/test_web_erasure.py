"""Erasure over HTTP: crypto-shredding end to end, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from web_support import WebCase, assert_problem, bearer, catch_up, unique

from domain.chain import receipt_message
from infrastructure.audit import verify_ledger
from infrastructure.keys import signature_valid

TRAVELERS = "/api/v1/travelers"


def _registered(web) -> tuple[str, dict, str]:
    body = {
        "nationality": "RUS",
        "document_number": unique("P"),
        "surname": "Kuznetsova",
        "given_names": "Anna Sergeevna",
        "birth_date": "1988-02-29",
    }
    r = web.client.post(TRAVELERS, json=body, headers=web.registrar)
    assert r.status_code == 201
    tid = r.get_json()["traveler_id"]
    second = unique("K")
    linked = {"nationality": "KAZ", "document_number": second}
    r = web.client.post(f"{TRAVELERS}/{tid}/documents", json=linked, headers=web.registrar)
    assert r.status_code == 201
    assert web.cross(tid, "entry", "2024-01-10").status_code == 201
    assert web.cross(tid, "exit", "2024-02-10").status_code == 201
    return tid, body, second


class TestErasure(WebCase):
    def test_erasure_shreds_the_personal_data_and_keeps_the_facts(self, web):
        tid, body, second = _registered(web)
        before = web.client.get(f"{TRAVELERS}/{tid}", headers=web.auditor).get_json()
        assert (before["surname"], before["birth_date"], before["erased"]) == (
            "Kuznetsova",
            "1988-02-29",
            False,
        )
        url = f"{TRAVELERS}/{tid}/erasure"
        first = web.client.post(url, json={"reason": "request under Art. 17"}, headers=web.admin)
        assert first.status_code == 201, first.get_json()
        assert first.get_json()["erased"] is True and first.get_json()["position"] > 0
        again = web.client.post(url, json={"reason": "again"}, headers=web.admin)
        assert again.status_code == 200
        assert again.get_json()["position"] == first.get_json()["position"]
        receipt = first.get_json()["receipt"]
        assert again.get_json()["receipt"] == receipt
        assert receipt["position"] == first.get_json()["position"]
        keys = web.app.extensions["borderledger"].service.app.keys
        signed = receipt_message(**{k: receipt[k] for k in ("position", "event_hash", "signed_at")})
        assert signature_valid(keys.public_key, signed, receipt["signature"])

        after = web.client.get(f"{TRAVELERS}/{tid}", headers=web.registrar).get_json()
        assert after["erased"] is True
        assert after["surname"] is after["given_names"] is after["birth_date"] is None
        assert [d["document_number"] for d in after["documents"]] == [None, None]
        assert [d["nationality"] for d in after["documents"]] == ["RUS", "KAZ"]

        for nationality, number in (("RUS", body["document_number"]), ("KAZ", second)):
            q = {"nationality": nationality, "document_number": number}
            assert_problem(web.client.get(TRAVELERS, query_string=q, headers=web.auditor), 404)

        status = web.client.get(
            f"{TRAVELERS}/{tid}/status?jurisdiction=KAZ&as_of=2024-03-01", headers=web.auditor
        )
        assert status.status_code == 200 and status.get_json()["days_used"] == 32
        history = web.client.get(f"{TRAVELERS}/{tid}/history", headers=web.auditor).get_json()
        assert history["chain_valid"] is True
        events = {e["type"]: e["data"] for e in history["events"]}
        assert events["Erased"] == {"reason": "request under Art. 17"}
        erased = next(e for e in history["events"] if e["type"] == "Erased")
        assert (erased["position"], erased["hash"]) == (receipt["position"], receipt["event_hash"])
        for kind in ("Registered", "DocumentLinked"):
            assert events[kind]["erased"] is True and events[kind]["document_number"] is None
        assert events["Registered"]["surname"] is None
        assert "Kuznetsova" not in str(history)

        ledger = web.app.extensions["borderledger"]
        app = ledger.service.app
        assert verify_ledger(app, app.keys.public_key) == []
        catch_up(web)
        assert ledger.read.verify() == []

    def test_a_document_registers_again_as_a_new_traveler_after_erasure(self, web):
        tid, body, _ = _registered(web)
        url = f"{TRAVELERS}/{tid}/erasure"
        assert web.client.post(url, json={"reason": "x"}, headers=web.admin).status_code == 201
        again = {"nationality": "RUS", "document_number": body["document_number"]}
        r = web.client.post(TRAVELERS, json=again, headers=web.registrar)
        assert r.status_code == 201 and r.get_json()["traveler_id"] != tid
        q = {"nationality": "RUS", "document_number": body["document_number"]}
        found = web.client.get(TRAVELERS, query_string=q, headers=web.auditor).get_json()
        assert found["traveler_id"] == r.get_json()["traveler_id"]
        app = web.app.extensions["borderledger"].service.app
        assert verify_ledger(app, app.keys.public_key) == []

    def test_a_batch_registers_an_erased_traveler_s_document_anew(self, web):
        tid, body, _ = _registered(web)
        url = f"{TRAVELERS}/{tid}/erasure"
        assert web.client.post(url, json={"reason": "x"}, headers=web.admin).status_code == 201
        item = {
            "nationality": "RUS",
            "document_number": body["document_number"],
            "crossing_id": str(uuid.uuid4()),
            "direction": "entry",
            "border_post": "KZ-ALA",
            "occurred_at": "2024-05-01T04:00:00Z",
        }
        r = web.client.post(
            "/api/v1/crossings/batch", json={"crossings": [item]}, headers=web.admin
        )
        result = r.get_json()["results"][0]
        assert result["status"] == "created" and result["traveler_id"] != tid
        app = web.app.extensions["borderledger"].service.app
        assert verify_ledger(app, app.keys.public_key) == []

    def test_an_erased_traveler_links_no_document(self, web):
        tid, _, _ = _registered(web)
        url = f"{TRAVELERS}/{tid}/erasure"
        assert web.client.post(url, json={"reason": "x"}, headers=web.admin).status_code == 201
        doc = {"nationality": "KGZ", "document_number": unique("G")}
        r = web.client.post(f"{TRAVELERS}/{tid}/documents", json=doc, headers=web.registrar)
        assert_problem(r, 409)

    def test_unknown_traveler_is_404(self, web):
        url = f"{TRAVELERS}/{uuid.uuid4()}/erasure"
        assert_problem(web.client.post(url, json={"reason": "x"}, headers=web.admin), 404)
        assert_problem(web.client.get(f"{TRAVELERS}/{uuid.uuid4()}", headers=web.auditor), 404)

    @pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x", "extra": 1}])
    def test_bad_body_is_422(self, web, body):
        tid = web.register()
        r = web.client.post(f"{TRAVELERS}/{tid}/erasure", json=body, headers=web.admin)
        assert_problem(r, 422)

    def test_malformed_json_is_400(self, web):
        tid = web.register()
        r = web.client.post(
            f"{TRAVELERS}/{tid}/erasure",
            data="{",
            content_type="application/json",
            headers=web.admin,
        )
        assert_problem(r, 400)

    @pytest.mark.parametrize("role", ["registrar", "auditor", "employer"])
    def test_only_an_admin_erases(self, web, role):
        tid = web.register()
        headers = bearer(role, office="KZ-ALA", employer_id="E1")
        r = web.client.post(f"{TRAVELERS}/{tid}/erasure", json={"reason": "x"}, headers=headers)
        assert_problem(r, 403)
