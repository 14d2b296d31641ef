"""The PostgreSQL projection worker as a real process: SIGKILL, restart, one runner, stalls."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from web_support import key_env, keys_for

from domain.traveler import RecordedBy, Traveler
from infrastructure.bootstrap import build_runtime
from infrastructure.documents import document_key_id
from infrastructure.population import load, population
from infrastructure.settings import Settings, postgres_dsn

pytestmark = pytest.mark.postgres

SECRET = "worker-test-secret-" + "w" * 24
CLI = str(Path(sys.executable).parent / "borderledger")


@pytest.fixture
def url(postgres_url):
    return f"{postgres_url}?schema=worker_{secrets.token_hex(4)}"


@pytest.fixture
def ledger(url):
    return build_runtime(Settings(database_url=url, secret_key=SECRET, keys=keys_for(url)))


def start(url: str, *args: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "BORDERLEDGER_SECRET_KEY": SECRET, **key_env(url)}
    return subprocess.Popen(
        [CLI, "projections", *args], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def wait_for(check, timeout: float = 60.0, every: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("timed out")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)


def test_worker_killed_mid_batch_resumes_without_loss_or_double(ledger, url, tmp_path):
    read = ledger.read
    load(ledger.service, population(21, 400))
    worker = start(url, "run", "--poll", "0.2", log=tmp_path / "w1.log")
    try:
        # More writes while it works, so the kill lands with events still pending.
        writer = threading.Thread(target=load, args=(ledger.service, population(22, 400)))
        writer.start()
        wait_for(lambda: read.lag()[0]["position"] > 0 and read.lag()[0]["lag"] > 0)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        writer.join()
        assert read.lag()[0]["lag"] > 0
    finally:
        if worker.poll() is None:
            worker.kill()
    again = start(url, "run", "--poll", "0.2", log=tmp_path / "w2.log")
    try:
        wait_for(lambda: read.lag()[0]["lag"] == 0, every=0.2)
    finally:
        stop(again)
    assert read.verify() == []


def test_rebuild_killed_midway_leaves_readers_on_the_old_tables_then_resumes(ledger, url, tmp_path):
    read = ledger.read
    load(ledger.service, population(23, 500))
    while read.catch_up():
        pass
    live = read.view().generation
    rebuild = start(url, "rebuild", log=tmp_path / "r1.log")
    try:
        wait_for(lambda: any(not is_live and p > 0 for _, p, is_live in read.generations()))
        rebuild.send_signal(signal.SIGKILL)
        rebuild.wait(timeout=10)
    finally:
        if rebuild.poll() is None:
            rebuild.kill()
    half = [(g, p) for g, p, is_live in read.generations() if not is_live]
    assert half and 0 < half[0][1] < ledger.service.app.position()
    assert read.view().generation == live
    assert read.verify() == []
    done = start(url, "rebuild", log=tmp_path / "r2.log")
    assert done.wait(timeout=120) == 0, (tmp_path / "r2.log").read_text()
    assert [(g, is_live) for g, _, is_live in read.generations()] == [(half[0][0], True)]
    assert read.verify() == []


def test_only_one_runner_per_database(ledger, url, tmp_path):
    first = start(url, "run", "--poll", "0.2", log=tmp_path / "a.log")
    try:
        wait_for(lambda: "started" in (tmp_path / "a.log").read_text())
        second = start(url, "run", log=tmp_path / "b.log")
        assert second.wait(timeout=30) != 0
        assert "another projection runner" in (tmp_path / "b.log").read_text()
    finally:
        stop(first)


def _insert_without_notify(ledger) -> None:
    """Append a traveler the way a lost NOTIFY looks to a listener: rows, no notification."""
    app = ledger.service.app
    number = "LOSTNOTIFY1"
    t = Traveler.register(
        uuid.uuid4(),
        "RUS",
        "passport",
        number,
        RecordedBy("test"),
        datetime.now(UTC),
        document_key_id=str(document_key_id(ledger.read.document_key, "RUS", number)),
    )
    stored = [app.mapper.sealed(app.mapper.to_stored_event(e), "")[0] for e in t.collect_events()]
    table = sql.Identifier(app.recorder.datastore.schema, app.recorder.events_table_name)
    with psycopg.connect(postgres_dsn(app.database_url)) as conn:
        conn.cursor().executemany(
            sql.SQL(
                "INSERT INTO {} (originator_id, originator_version, topic, state) "
                "VALUES (%s, %s, %s, %s)"
            ).format(table),
            [(s.originator_id, s.originator_version, s.topic, s.state) for s in stored],
        )


def test_worker_notices_a_lost_notification_and_recovers(ledger):
    read = ledger.read
    worker = read.worker(poll_seconds=0.2)
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        load(ledger.service, population(24, 20))
        # Idle: the status view and the running ledger hash both caught up.
        wait_for(lambda: all(row["lag"] == 0 for row in read.lag()))
        assert worker.stalls == 0
        # Insert while the worker waits, every queued notification spent: were it stepping,
        # it would read the rows in passing, with no stall to notice.
        quiet = worker.quiet_polls
        wait_for(lambda: worker.quiet_polls > quiet)
        time.sleep(0.05)
        _insert_without_notify(ledger)
        wait_for(lambda: read.lag()[0]["lag"] == 0)
        assert worker.stalls == 1
    finally:
        worker.stop.set()
        thread.join(timeout=10)
    assert read.verify() == []


def test_a_rebuild_while_the_worker_runs_leaves_it_following_the_new_tables(ledger, url, tmp_path):
    read = ledger.read
    load(ledger.service, population(25, 300))
    worker = start(url, "run", "--poll", "0.2", log=tmp_path / "w.log")
    try:
        wait_for(lambda: read.lag()[0]["lag"] == 0, every=0.2)
        first = read.view().generation
        for i in range(2):
            rebuild = start(url, "rebuild", log=tmp_path / f"r{i}.log")
            # Writes while the rebuild runs and after its swap: the worker must apply them.
            load(ledger.service, population(26 + i, 100))
            assert rebuild.wait(timeout=120) == 0, (tmp_path / f"r{i}.log").read_text()
            time.sleep(2.5)  # the worker died about 2 s after the swap
            assert worker.poll() is None, (tmp_path / "w.log").read_text()
        load(ledger.service, population(28, 50))
        wait_for(lambda: read.lag()[0]["lag"] == 0, every=0.2)
        assert worker.poll() is None, (tmp_path / "w.log").read_text()
    finally:
        if worker.poll() is None:
            stop(worker)
    assert read.view().generation == first + 2
    assert read.verify() == []
