"""``projections verify`` passes only a view that is caught up and equal to the ledger."""

from __future__ import annotations

import os

from click.testing import CliRunner
from web_support import keys_for

from infrastructure.bootstrap import build_runtime
from infrastructure.population import load, population
from infrastructure.settings import Settings
from web.cli import main

SECRET = "verify-test-secret-" + "v" * 24


def test_verify_fails_while_the_view_is_behind_and_says_how_far(sqlite_url):
    keys = keys_for(sqlite_url)
    ledger = build_runtime(Settings(database_url=sqlite_url, secret_key=SECRET, keys=keys))
    load(ledger.service, population(31, 20))
    env = {**os.environ, "DATABASE_URL": sqlite_url, "BORDERLEDGER_SECRET_KEY": SECRET}
    behind = ledger.read.lag()[0]["lag"]
    assert behind > 0

    result = CliRunner().invoke(main, ["projections", "verify"], env=env)
    assert result.exit_code == 2, result.output
    assert f"stay_status is {behind} events behind the ledger" in result.output

    while ledger.read.catch_up():
        pass
    result = CliRunner().invoke(main, ["projections", "verify"], env=env)
    assert result.exit_code == 0, result.output
    assert "0 differences" in result.output and "behind" not in result.output
