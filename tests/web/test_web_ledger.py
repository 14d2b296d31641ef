"""Checkpoints and the public key over HTTP: what an auditor fetches, pins and verifies."""

from __future__ import annotations

from web_support import WebCase, assert_problem, catch_up

from domain.chain import checkpoint_message
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
