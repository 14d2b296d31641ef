"""``audit checkpoint`` and the checkpoints the serve loop or worker make, checked by ``audit
verify`` on SQLite and PostgreSQL: clean when untouched, ``truncated`` after deleting the end."""

from __future__ import annotations

import base64
import json
import secrets
import sqlite3
import threading
import time

import psycopg
import pytest
from click.testing import CliRunner
from psycopg import sql

from infrastructure.bootstrap import build_runtime
from infrastructure.keys import SIGNING_KEY_FILE_NAME, load_keys
from infrastructure.population import load, population
from infrastructure.settings import Settings, schema_of, sqlite_path
from web.cli import main

SECRET = "audit-checkpoint-secret-" + "a" * 24


@pytest.fixture(params=["sqlite", "postgres"])
def env(request, tmp_path) -> dict:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/ledger.db"
    else:
        url = f"{request.getfixturevalue('postgres_url')}?schema=acp_{secrets.token_hex(5)}"
    keys = load_keys({}, tmp_path)
    return {
        "DATABASE_URL": url,
        "BORDERLEDGER_SECRET_KEY": SECRET,
        "BORDERLEDGER_DATA_KEY": base64.b64encode(keys.data_key).decode(),
        "BORDERLEDGER_SIGNING_KEY": str(tmp_path / SIGNING_KEY_FILE_NAME),
        "BORDERLEDGER_KEY_FILE": str(tmp_path / "borderledger.key"),
    }


def run(env: dict, *args: str):
    return CliRunner().invoke(main, ["audit", *args], env=env)


def problems(result) -> set[tuple[str, int, str]]:
    lines = [line.split(", ") for line in result.stdout.splitlines()]
    return {(s, int(v), k) for s, v, k in lines}


def checkpoint_by_the_runner(runtime) -> dict:
    """What serve's in-process loop (SQLite) or the projection worker (PostgreSQL) signs."""
    read = runtime.read
    if not runtime.service.is_postgres:
        while read.catch_up():
            pass
        return read.latest_checkpoint()
    worker = read.worker(poll_seconds=0.1)
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            made = read.latest_checkpoint()
            if made and made["position"] == runtime.service.position():
                return made
            time.sleep(0.05)
        raise AssertionError("the worker made no checkpoint")
    finally:
        worker.stop.set()
        thread.join(timeout=20)


def delete_last_events(url: str, count: int) -> None:
    """An attacker with the database: the newest ``count`` events go."""
    if url.startswith("postgresql"):
        table = sql.Identifier(schema_of(url), "borderledger_events").as_string()
        with psycopg.connect(url.split("?", 1)[0]) as conn:
            conn.execute(
                f"DELETE FROM {table} WHERE notification_id IN (SELECT notification_id FROM"
                f" {table} ORDER BY notification_id DESC LIMIT %s)",
                (count,),
            )
        return
    with sqlite3.connect(sqlite_path(url)) as conn:
        conn.execute(
            "DELETE FROM stored_events WHERE rowid IN"
            " (SELECT rowid FROM stored_events ORDER BY rowid DESC LIMIT ?)",
            (count,),
        )


def test_checkpoints_verify_until_the_end_of_the_ledger_is_deleted(env, tmp_path):
    runtime = build_runtime(Settings.from_env(env))
    try:
        load(runtime.service, population(3, 8))
        by_runner = checkpoint_by_the_runner(runtime)
        load(runtime.service, population(4, 4))
        position = runtime.service.position()
    finally:
        runtime.service.close()
    saved = tmp_path / "saved.json"
    made = run(env, "checkpoint", "--out", str(saved))
    assert made.exit_code == 0, made.output
    by_cli = json.loads(saved.read_text())
    assert by_cli["position"] == position > by_runner["position"]
    printed = run(env, "checkpoint")
    assert printed.exit_code == 0 and json.loads(printed.stdout)["position"] == position

    clean = run(env, "verify", "--checkpoint", str(saved))
    assert (clean.exit_code, problems(clean)) == (0, set()), clean.output

    delete_last_events(env["DATABASE_URL"], 2)
    # The stored checkpoints alone find it; the auditor's saved copy too.
    truncated = run(env, "verify")
    assert truncated.exit_code == 1, truncated.output
    assert ("checkpoint", position, "truncated") in problems(truncated)
    assert ("checkpoint", by_runner["position"], "truncated") not in problems(truncated)
    with_copy = run(env, "verify", "--checkpoint", str(saved))
    assert with_copy.exit_code == 1
    assert ("checkpoint", position, "truncated") in problems(with_copy)


def test_checkpoint_says_why_it_could_not_run(env):
    broken = {**env, "BORDERLEDGER_DATA_KEY": "not base64 of 32 bytes"}
    result = run(broken, "checkpoint")
    assert result.exit_code == 2
    assert result.stderr.startswith("audit checkpoint could not run:")
