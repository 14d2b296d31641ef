"""Rules, border posts and health over HTTP: open to anyone."""

from __future__ import annotations

from web_support import WebCase, catch_up


class TestReference(WebCase):
    def test_border_posts_list_the_shipped_registry(self, web):
        posts = web.client.get("/api/v1/border-posts").get_json()["border_posts"]
        zones = {p["code"]: (p["jurisdiction"], p["timezone"]) for p in posts}
        assert zones["KZ-URA"] == ("KAZ", "Asia/Oral")
        assert zones["FR-CDG"] == ("SCHENGEN", "Europe/Paris")
        assert {"KZ-ALA", "KZ-NQZ", "KG-FRU", "DE-FRA"} <= set(zones)

    def test_rules_list_every_version(self, web):
        rules = web.client.get("/api/v1/rules").get_json()["rules"]
        ids = {r["id"] for r in rules}
        assert {"KAZ-EAEU-PER-ENTRY", "KAZ-EAEU-90-180"} <= ids
        assert {r["jurisdiction"] for r in rules} == {"KAZ", "KGZ", "SCHENGEN"}

    def test_rules_show_each_versions_look_back(self, web):
        """Days before 27 January 2023 do not count against KAZ 90/180 (domain.md §4)."""
        rules = web.client.get("/api/v1/rules").get_json()["rules"]
        lookback = {r["id"]: r["policies"]["lookback"] for r in rules}
        assert lookback.pop("KAZ-EAEU-90-180") == "days_since_effective"
        assert set(lookback.values()) == {"all_presence"}

    def test_health_reports_the_store_and_projection_lag(self, web):
        web.cross(web.register(), "entry", "2023-02-01")
        body = web.client.get("/api/v1/health").get_json()
        assert body["store"] == "ok" and body["ledger_position"] > 0
        lags = body["projections"]
        assert [lag["projection"] for lag in lags] == ["stay_status", "ledger_hash"]
        assert all(lag["ledger_position"] == body["ledger_position"] for lag in lags)
        catch_up(web)
        lags = web.client.get("/api/v1/health").get_json()["projections"]
        assert [lag["lag"] for lag in lags] == [0, 0]
