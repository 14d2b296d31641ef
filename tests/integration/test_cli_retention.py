"""``borderledger retention plan|apply``: who is due on a day, and erasing them."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from uuid import UUID

import pytest
from click.testing import CliRunner
from web_support import SECRET, key_env, settings_for

from infrastructure.audit import verify_ledger
from infrastructure.bootstrap import build_service
from infrastructure.usecases.commands import RecordCrossing
from infrastructure.usecases.context import Actor
from web.cli import main

OFFICER = Actor("officer", "KZ-ALA", admin=True)
# name -> the KAZ crossings (direction, day); RUS under the 90/180 rule.
HISTORIES = {
    "short": [("entry", "2023-02-01"), ("exit", "2023-03-01")],  # due 2026-03-01
    "later": [("entry", "2023-04-01"), ("exit", "2023-05-01")],  # due 2026-05-01
    "overstay": [("entry", "2023-03-01"), ("exit", "2023-09-01")],  # 184 days: 2028-09-01
    "present": [("entry", "2023-06-01")],  # never
}


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    if request.param == "postgres":
        return f"{request.getfixturevalue('postgres_url')}?schema=ret_{secrets.token_hex(4)}"
    return f"sqlite:///{tmp_path}/ledger.db"


def ledger(url: str) -> dict[str, str]:
    service = build_service(settings_for(url))
    ids = {}
    try:
        for name, crossings in HISTORIES.items():
            doc = f"R{secrets.token_hex(5).upper()}"
            tid, *_ = service.register(OFFICER, "RUS", doc, surname=f"Name-{name}")
            for n, (direction, day) in enumerate(crossings):
                at = datetime.fromisoformat(f"{day}T06:00:00").replace(tzinfo=UTC)
                service.record_crossing(
                    OFFICER, RecordCrossing(tid, f"{name}-{n}", direction, "KZ-ALA", at)
                )
            ids[name] = str(tid)
    finally:
        service.close()
    return ids


def run(url: str, *args):
    env = {"BORDERLEDGER_SECRET_KEY": SECRET, "DATABASE_URL": url, **key_env(url)}
    return CliRunner().invoke(main, ["retention", *args], env=env)


def planned(result) -> dict[str, tuple[str, str]]:
    lines = [line for line in result.stdout.splitlines() if line.count(", ") == 2]
    return {tid: (reason, day) for tid, reason, day in (line.split(", ") for line in lines)}


def test_plan_lists_who_is_due_with_reason_and_day(url):
    ids = ledger(url)
    early = run(url, "plan", "--as-of", "2026-02-28")
    assert early.exit_code == 0, early.output
    assert planned(early) == {}
    assert "0 traveler(s) due for erasure on 2026-02-28" in early.stdout
    first = planned(run(url, "plan", "--as-of", "2026-03-01"))
    assert first == {ids["short"]: ("last_exit", "2026-03-01")}
    before = planned(run(url, "plan", "--as-of", "2028-08-31"))
    assert set(before) == {ids["short"], ids["later"]}
    late = run(url, "plan", "--as-of", "2028-09-01")
    assert planned(late)[ids["overstay"]] == ("overstay", "2028-09-01")
    assert ids["present"] not in planned(late)
    assert "3 traveler(s) due" in late.stdout


def test_apply_erases_the_due_travelers_only(url):
    ids = ledger(url)
    applied = run(url, "apply", "--as-of", "2026-05-01")
    assert applied.exit_code == 0, applied.output
    assert "2 traveler(s) erased for retention on 2026-05-01" in applied.stdout
    assert planned(run(url, "plan", "--as-of", "2026-05-01")) == {}
    service = build_service(settings_for(url))
    try:
        for name in ("short", "later"):
            profile = service.profile(UUID(ids[name]))
            assert profile["erased"] and profile["surname"] is None
            erased = service.history(UUID(ids[name]))["events"][-1]
            assert (erased["type"], erased["data"]["reason"]) == ("Erased", "retention")
            assert erased["recorded_by"]["actor"] == "retention"
        for name in ("overstay", "present"):
            assert service.profile(UUID(ids[name]))["surname"] == f"Name-{name}"
        app = service.app
        assert verify_ledger(app, app.keys.public_key) == []
    finally:
        service.close()
    assert "0 traveler(s) erased" in run(url, "apply", "--as-of", "2026-05-01").stdout


def test_a_bad_date_is_a_usage_error(url):
    result = run(url, "plan", "--as-of", "01/05/2026")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
