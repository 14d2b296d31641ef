"""Checkpoints and the public key over HTTP: what an auditor fetches, pins and verifies."""

from __future__ import annotations

from web_support import WebCase, assert_problem, catch_up, unique

from domain.chain import checkpoint_message, receipt_message
from infrastructure.keys import key_id_of, load_public_key, signature_valid

CHECKPOINTS = "/api/v1/ledger/checkpoints"
SIGNED = ("position", "events", "ledger_hash", "signed_at", "key_id")


def public_key(web):
    r = web.client.get("/api/v1/ledger/public-key")
    assert r.status_code == 200
    assert r.mimetype == "application/x-pem-file"
    key = load_public_key(r.get_data())
    assert r.headers["X-Key-Id"] == key_id_of(key)
    return key


class TestLatestBeforeAny(WebCase):
    def test_no_checkpoint_yet_is_a_404_problem(self, web):
        assert_problem(web.client.get(f"{CHECKPOINTS}/latest", headers=web.auditor), 404)


class TestCheckpoints(WebCase):
    def test_the_public_key_needs_no_token_and_is_the_signing_key(self, web):
        key = public_key(web)
        settings = web.app.extensions["borderledger"].settings
        assert key_id_of(key) == settings.keys.key_id

    def test_the_latest_checkpoint_verifies_with_the_public_key(self, web):
        web.cross(web.register(), "entry", "2023-02-01")
        catch_up(web)  # the serve loop's step: a checkpoint is due on the first events
        r = web.client.get(f"{CHECKPOINTS}/latest", headers=web.auditor)
        assert r.status_code == 200
        cp = r.get_json()
        assert cp["position"] == web.app.extensions["borderledger"].service.position()
        message = checkpoint_message(**{k: cp[k] for k in SIGNED})
        assert signature_valid(public_key(web), message, cp["signature"])
        cp["events"] += 1
        message = checkpoint_message(**{k: cp[k] for k in SIGNED})
        assert not signature_valid(public_key(web), message, cp["signature"])

    def test_checkpoints_page_after_a_position(self, web):
        read = web.app.extensions["borderledger"].read
        for _ in range(3):
            web.register()
            read.checkpoint()
        r = web.client.get(CHECKPOINTS, query_string={"limit": 2}, headers=web.auditor)
        assert r.status_code == 200
        page = r.get_json()
        positions = [cp["position"] for cp in page["checkpoints"]]
        assert len(positions) == 2 and positions == sorted(positions)
        rest = web.client.get(page["next"], headers=web.auditor).get_json()
        assert rest["checkpoints"][0]["position"] > positions[-1]
        everything = web.client.get(CHECKPOINTS, headers=web.auditor).get_json()
        assert everything["next"] is None
        assert everything["checkpoints"][: len(positions)] == page["checkpoints"]
        after = everything["checkpoints"][-2]["position"]
        r = web.client.get(CHECKPOINTS, query_string={"after_position": after}, headers=web.auditor)
        assert r.get_json()["checkpoints"] == everything["checkpoints"][-1:]

    def test_bad_paging_is_a_422(self, web):
        for query in ({"limit": 0}, {"limit": 1001}, {"after_position": -1}):
            r = web.client.get(CHECKPOINTS, query_string=query, headers=web.auditor)
            assert_problem(r, 422)


def receipt_holds(web, receipt: dict) -> bool:
    """The receipt's signature checks with the key served at /ledger/public-key."""
    message = receipt_message(
        position=receipt["position"],
        event_hash=receipt["event_hash"],
        signed_at=receipt["signed_at"],
    )
    return signature_valid(public_key(web), message, receipt["signature"])


def history_hash(web, traveler_id: str, position: int) -> str:
    r = web.client.get(f"/api/v1/travelers/{traveler_id}/history", headers=web.auditor)
    (event,) = [e for e in r.get_json()["events"] if e["position"] == position]
    return event["hash"]


class TestReceipts(WebCase):
    def post(self, web, url: str, body: dict, status: int = 201) -> dict:
        r = web.client.post(url, json=body, headers=web.admin)
        assert r.status_code == status, r.get_json()
        answer = r.get_json()
        receipt = answer["receipt"]
        assert receipt["position"] == answer["position"]
        assert receipt_holds(web, receipt)
        return answer

    def test_each_write_is_receipted_with_its_event_as_history_shows_it(self, web):
        base = "/api/v1/travelers"
        registered = self.post(web, base, {"nationality": "RUS", "document_number": unique("R")})
        tid = registered["traveler_id"]
        crossing = {
            "crossing_id": "r-1",
            "direction": "entry",
            "border_post": "KZ-ALA",
            "occurred_at": "2023-02-01T04:00:00Z",
        }
        grant = {
            "exemption_id": "x-1",
            "kind": "employment",
            "jurisdiction": "KAZ",
            "valid_from": "2023-03-10",
            "valid_until": "2024-03-09",
            "contract_number": "EC-1",
            "employer_id": "123456789012",
        }
        writes = [
            (f"{base}/{tid}/crossings", crossing),
            (f"{base}/{tid}/crossings/r-1/correction", {"direction": "exit", "reason": "typo"}),
            (f"{base}/{tid}/crossings/r-1/void", {"reason": "recorded twice"}),
            (f"{base}/{tid}/exemptions", grant),
            (
                f"{base}/{tid}/exemptions/x-1/termination",
                {"ended_on": "2023-09-30", "reason": "contract ended"},
            ),
        ]
        for url, body in writes:
            receipt = self.post(web, url, body)["receipt"]
            assert receipt["event_hash"] == history_hash(web, tid, receipt["position"]), url
        batch = {"crossings": [{**crossing, "crossing_id": "r-2", "nationality": "RUS"}]}
        batch["crossings"][0]["document_number"] = unique("B")
        answer = self.post(web, "/api/v1/crossings/batch", batch, status=200)
        assert answer["results"][0]["status"] == "created"
        linked = self.post(
            web,
            f"{base}/{tid}/documents",
            {"nationality": "RUS", "document_number": unique("L")},
        )
        assert linked["receipt"]["position"] > answer["receipt"]["position"]

    def test_a_retried_write_answers_the_same_receipt(self, web):
        tid = web.register()
        first = web.cross(tid, "entry", "2023-02-01", crossing_id="same-1")
        again = web.cross(tid, "entry", "2023-02-01", crossing_id="same-1")
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.get_json()["receipt"] == first.get_json()["receipt"]
        receipt = first.get_json()["receipt"]
        assert receipt["event_hash"] == history_hash(web, tid, receipt["position"])

    def test_a_receipt_altered_in_any_field_fails(self, web):
        receipt = web.cross(web.register(), "entry", "2023-02-01").get_json()["receipt"]
        assert receipt_holds(web, receipt)
        for name, value in (("position", receipt["position"] + 1), ("event_hash", "0" * 64)):
            assert not receipt_holds(web, {**receipt, name: value})
        assert not receipt_holds(web, {**receipt, "signed_at": "2020-01-01T00:00:00+00:00"})

    def test_a_batch_that_stores_nothing_has_no_receipt(self, web):
        bad = {"nationality": "RUS", "document_number": unique("N"), "crossing_id": "n-1"}
        r = web.client.post("/api/v1/crossings/batch", json={"crossings": [bad]}, headers=web.admin)
        assert r.status_code == 200
        assert r.get_json()["results"][0]["status"] == "rejected"
        assert (r.get_json()["position"], r.get_json()["receipt"]) == (None, None)
