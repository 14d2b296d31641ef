"""``borderledger demo``: a sample ledger the API then answers about."""

from __future__ import annotations

import json

from click.testing import CliRunner
from test_web_support import SECRET, Web, bearer, settings_for

from web.app import create_app
from web.cli import main


def test_the_demo_ledger_answers_status_history_and_verification(tmp_path):
    url = f"sqlite:///{tmp_path}/ledger.db"
    env = {"BORDERLEDGER_SECRET_KEY": SECRET, "DATABASE_URL": url}
    result = CliRunner().invoke(main, ["demo", "--travelers", "40", "--seed", "7"], env=env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["travelers"] == 40 and summary["crossings"] > 40
    sample = summary["sample"]
    app = create_app({"SETTINGS": settings_for(url)})
    web = Web(app, app.test_client(), "sqlite")
    try:
        traveler = f"/api/v1/travelers/{sample['traveler_id']}"
        status = web.client.get(
            f"{traveler}/status", query_string={"jurisdiction": "KAZ"}, headers=web.auditor
        )
        assert status.status_code == 200 and status.get_json()["rule"] is not None
        history = web.client.get(f"{traveler}/history", headers=web.auditor).get_json()
        assert history["chain_valid"] is True and len(history["events"]) > 1
        worker = sample["worker"]
        check = {k: worker[k] for k in ("nationality", "document_number", "contract_number")}
        answer = web.client.post(
            "/api/v1/exemptions/verify",
            json=check,
            headers=bearer("employer", employer_id=worker["employer_id"]),
        )
        assert answer.get_json()["status"] in ("active", "ended", "expired", "pending")
        assert answer.get_json()["kind"] == "employment"
    finally:
        app.extensions["borderledger"].service.app.close()
