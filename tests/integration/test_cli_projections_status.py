"""``borderledger projections status`` tells the operator when the rulebook moved under the rows."""

from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner
from web_support import SECRET

from domain.rulebook import ALL_PRESENCE, with_policy
from infrastructure.bootstrap import build_runtime
from infrastructure.readside import ReadSide
from infrastructure.settings import Settings
from infrastructure.usecases.commands import RecordCrossing
from infrastructure.usecases.context import Actor
from web.cli import main


def test_rows_from_the_old_look_back_are_reported_then_recomputed(tmp_path):
    url = f"sqlite:///{tmp_path}/ledger.db"
    ledger = build_runtime(Settings(database_url=url, secret_key=SECRET))
    officer = Actor("officer", office="KZ-ALA")
    tid, *_ = ledger.service.register(officer, "RUS", "75 0001")
    at = datetime(2023, 1, 20, 4, tzinfo=UTC)
    ledger.service.record_crossing(officer, RecordCrossing(tid, "c1", "entry", "KZ-ALA", at))
    old = with_policy(ledger.service.rulebook, "KAZ-EAEU-90-180", lookback=ALL_PRESENCE)
    before = ReadSide(ledger.service.app, old, ledger.read.document_key)
    while before.catch_up():
        pass
    env = {"BORDERLEDGER_SECRET_KEY": SECRET, "DATABASE_URL": url}
    result = CliRunner().invoke(main, ["projections", "status"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 travelers' rows were computed under another rulebook" in result.output
    while ledger.read.catch_up():
        pass
    result = CliRunner().invoke(main, ["projections", "status"], env=env)
    assert "another rulebook" not in result.output
    ledger.service.app.close()
