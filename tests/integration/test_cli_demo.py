"""``borderledger demo``: a sample ledger the API then answers about."""

from __future__ import annotations

import json
import os
import secrets
import subprocess

import click
import pytest
from click.testing import CliRunner
from test_cli_serve import BORDERLEDGER
from web_support import SECRET, Web, bearer, settings_for

from infrastructure.bootstrap import build_service
from web.app import create_app
from web.cli import QUICKSTART_DB, _quickstart_sample, main


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


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    if request.param == "postgres":
        return f"{request.getfixturevalue('postgres_url')}?schema=demo_{secrets.token_hex(4)}"
    return f"sqlite:///{tmp_path}/ledger.db"


def position(url: str) -> int:
    service = build_service(settings_for(url))
    try:
        return service.app.position()
    finally:
        service.app.close()


def test_a_second_demo_is_refused_in_one_line_and_changes_nothing(url, tmp_path):
    env = {**os.environ, "BORDERLEDGER_SECRET_KEY": SECRET, "DATABASE_URL": url}
    args = [BORDERLEDGER, "demo", "--travelers", "50", "--seed", "7"]
    first = subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    loaded = position(url)
    again = subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.splitlines() == [
        "Error: the ledger already holds events; demo loads only into an empty ledger "
        "(point DATABASE_URL at a new database)"
    ]
    assert position(url) == loaded


def test_quickstart_finds_its_travelers_in_a_ledger_demo_filled(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{QUICKSTART_DB}"
    env = {"BORDERLEDGER_SECRET_KEY": SECRET, "DATABASE_URL": url}
    result = CliRunner().invoke(main, ["demo"], env=env)
    assert result.exit_code == 0, result.output
    loaded = position(url)
    assert _quickstart_sample(settings_for(url)) == json.loads(result.stdout)["sample"]
    assert position(url) == loaded


def test_quickstart_refuses_a_ledger_without_the_demo_travelers(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{QUICKSTART_DB}"
    env = {"BORDERLEDGER_SECRET_KEY": SECRET, "DATABASE_URL": url}
    assert (
        CliRunner().invoke(main, ["demo", "--travelers", "5", "--seed", "7"], env=env).exit_code
        == 0
    )
    with pytest.raises(click.ClickException, match="without the demo's travelers"):
        _quickstart_sample(settings_for(url))
