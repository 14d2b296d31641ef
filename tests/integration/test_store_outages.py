"""A private PostgreSQL crashed under a running API and projection worker, then started again:
answers are 503 within seconds while it is away, and everything resumes by itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from private_postgres import private_postgres  # noqa: F401 (fixture)
from web_support import SECRET, assert_problem, bearer, key_env, keys_for, settings_for

from infrastructure.bootstrap import build_runtime
from infrastructure.errors import StoreUnavailable
from infrastructure.population import load, population
from web.app import create_app

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CLI = str(Path(sys.executable).parent / "borderledger")
WITHIN_SECONDS = 3.0


def wait_for(check, timeout: float = 30.0, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("timed out")


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_every_route_answers_503_fast_and_the_calculator_keeps_answering(private_postgres):  # noqa: F811
    url = private_postgres.create_database("outage_api")
    app = create_app({"SETTINGS": settings_for(url, calculator_per_minute=3)})
    client = app.test_client()
    registrar, auditor = bearer("registrar", office="KZ-ALA"), bearer("auditor")
    try:
        made = client.post(
            "/api/v1/travelers",
            json={"nationality": "RUS", "document_number": uuid.uuid4().hex[:12]},
            headers=registrar,
        )
        assert made.status_code == 201
        traveler = f"/api/v1/travelers/{made.get_json()['traveler_id']}"
        calculation = {"jurisdiction": "KAZ", "nationality": "RUS", "stays": []}
        assert client.post("/api/v1/calculator", json=calculation).status_code == 200
        assert client.get("/api/v1/health").status_code == 200

        private_postgres.crash()
        crossing = {
            "crossing_id": str(uuid.uuid4()),
            "direction": "entry",
            "border_post": "KZ-ALA",
            "occurred_at": "2023-02-01T04:00:00Z",
        }
        person = {"nationality": "KGZ", "document_number": "N1"}
        routes = [
            ("POST", f"{traveler}/crossings", crossing, registrar),
            ("POST", "/api/v1/travelers", person, registrar),
            ("GET", f"{traveler}/status?jurisdiction=KAZ", None, auditor),
            ("GET", f"{traveler}/history", None, auditor),
            ("GET", "/api/v1/overstays?jurisdiction=KAZ", None, auditor),
            ("GET", "/api/v1/health", None, {}),
        ]
        for method, path, body, headers in routes:
            r, seconds = timed(lambda: client.open(path, method=method, json=body, headers=headers))  # noqa: B023
            assert_problem(r, 503)
            assert int(r.headers["Retry-After"]) > 0
            assert seconds < WITHIN_SECONDS, (method, path, seconds)
        # The calculator stores nothing: it answers, its limit counted in-process meanwhile.
        answers, seconds = timed(
            lambda: [client.post("/api/v1/calculator", json=calculation) for _ in range(4)]
        )
        assert [r.status_code for r in answers] == [200, 200, 200, 429]
        assert seconds < WITHIN_SECONDS

        private_postgres.start()
        again = {**crossing, "crossing_id": str(uuid.uuid4())}
        wait_for(
            lambda: (
                client.post(f"{traveler}/crossings", json=again, headers=registrar).status_code
                == 201
            )
        )
    finally:
        app.extensions["borderledger"].service.app.close()


def keep_writing(service, stop: threading.Event, failures: list) -> None:
    """Load small populations until stopped, noting the writes the outage refused."""
    seed = 1000
    while not stop.is_set():
        try:
            load(service, population(seed, 10))
        except StoreUnavailable as e:
            failures.append(e)
            time.sleep(0.2)
        seed += 1


def test_the_projection_worker_outlives_a_database_crash_and_catches_up(private_postgres, tmp_path):  # noqa: F811
    from infrastructure.settings import Settings

    url = private_postgres.create_database("outage_worker")
    ledger = build_runtime(Settings(database_url=url, secret_key=SECRET, keys=keys_for(url)))
    read = ledger.read
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [CLI, "projections", "run", "--poll", "0.2"],
        env={
            **os.environ,
            "DATABASE_URL": url,
            "BORDERLEDGER_SECRET_KEY": SECRET,
            **key_env(url),
        },
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    stop, failures = threading.Event(), []
    writer = threading.Thread(target=keep_writing, args=(ledger.service, stop, failures))
    try:
        writer.start()
        wait_for(lambda: read.lag()[0]["position"] > 200)
        private_postgres.crash()
        # Away for several of the worker's reconnect attempts.
        wait_for(lambda: "reconnect attempt 3" in log.read_text(), timeout=30)
        assert worker.poll() is None, log.read_text()
        private_postgres.start()
        wait_for(lambda: read.lag()[0]["position"] > 0 and len(failures) > 0)
        time.sleep(1.0)  # writes after the restart, too
        stop.set()
        writer.join(timeout=30)
        wait_for(lambda: read.lag()[0]["lag"] == 0, timeout=60)
        assert worker.poll() is None, log.read_text()
        verify = subprocess.run(
            [CLI, "projections", "verify"],
            env={
                **os.environ,
                "DATABASE_URL": url,
                "BORDERLEDGER_SECRET_KEY": SECRET,
                **key_env(url),
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert verify.returncode == 0, verify.stdout + verify.stderr
        assert "0 differences" in verify.stdout
    finally:
        stop.set()
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=20)
        ledger.service.app.close()
    text = log.read_text()
    attempts = text.count("database unavailable")
    # One line per reconnect attempt (backoff), not one per event or per poll.
    assert 3 <= attempts <= 12, text
    assert text.count("database back after") == 1, text
    assert "Traceback" not in text, text
