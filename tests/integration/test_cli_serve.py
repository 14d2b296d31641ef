"""End to end: the real ``borderledger`` process on a free port, spoken to over HTTP."""

from __future__ import annotations

import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from web_support import SECRET, token

BORDERLEDGER = str(Path(sys.executable).with_name("borderledger"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited early"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer in time")


def call(port: int, method: str, path: str, body=None, headers=None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def start(args: list[str], env: dict, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [BORDERLEDGER, *args],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the server's own process group (gunicorn master and its workers)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_serve_on_postgresql_with_several_workers(postgres_url, tmp_path):
    port = free_port()
    env = {
        "DATABASE_URL": f"{postgres_url}?schema=serve_{secrets.token_hex(4)}",
        "BORDERLEDGER_SECRET_KEY": SECRET,
    }
    proc = start(["serve", "--port", str(port), "--workers", "2"], env, tmp_path)
    try:
        wait_until_up(port, proc)
        registrar = {"Authorization": f"Bearer {token('registrar', office='KZ-ALA')}"}
        auditor = {"Authorization": f"Bearer {token('auditor')}"}
        status, body = call(
            port,
            "POST",
            "/api/v1/travelers",
            {"nationality": "RUS", "document_number": uuid.uuid4().hex[:20]},
            registrar,
        )
        assert status == 201
        traveler = f"/api/v1/travelers/{body['traveler_id']}"
        crossing = {
            "crossing_id": str(uuid.uuid4()),
            "direction": "entry",
            "border_post": "KZ-ALA",
            "occurred_at": "2023-02-01T04:00:00Z",
        }
        assert call(port, "POST", f"{traveler}/crossings", crossing, registrar)[0] == 201
        # Several requests, so that both workers answer some: each sees every acknowledged write.
        for _ in range(6):
            status, body = call(
                port, "GET", f"{traveler}/status?jurisdiction=KAZ&as_of=2023-03-15", headers=auditor
            )
            assert (status, body["days_used"]) == (200, 43)
        status, body = call(port, "GET", "/api/v1/nowhere")
        assert (status, body["status"]) == (404, 404)
    finally:
        stop(proc)
    assert "Booting worker" in proc.stderr.read()


def run_curl(command: str) -> dict:
    """What curl would do with the printed command (-s, -X, -H, -d and the URL)."""
    args = shlex.split(command)
    assert args[0] == "curl"
    method, headers, body, url = "GET", {}, None, None
    it = iter(args[1:])
    for arg in it:
        if arg == "-X":
            method = next(it)
        elif arg == "-H":
            name, _, value = next(it).partition(": ")
            headers[name] = value
        elif arg == "-d":
            body = next(it).encode()
        elif arg != "-s":
            url = arg
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read())


def projections_catch_up(port: int, seconds: float = 60) -> bool:
    """On SQLite, serve applies new events to the read models itself: the lag reaches 0."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _, health = call(port, "GET", "/api/v1/health")
        if health["ledger_position"] > 0 and health["projections"][0]["lag"] == 0:
            return True
        time.sleep(0.5)
    return False


def quickstart(cwd: Path) -> tuple[list[dict], int]:
    """Run ``borderledger quickstart`` once: the printed commands' answers, the ledger position."""
    port = free_port()
    env = {"BORDERLEDGER_SECRET_KEY": "", "DATABASE_URL": ""}
    proc = start(["quickstart", "--port", str(port)], env, cwd)
    try:
        commands = []
        while len(commands) < 3:
            line = proc.stdout.readline()
            assert line, "quickstart stopped before printing its commands"
            if line.startswith("curl "):
                commands.append(line.strip())
        wait_until_up(port, proc)
        outputs = [run_curl(c) for c in commands]
        assert projections_catch_up(port), "the in-process projection loop did not catch up"
        return outputs, call(port, "GET", "/api/v1/health")[1]["ledger_position"]
    finally:
        stop(proc)


def test_quickstart_prints_three_curl_commands_that_answer(tmp_path):
    (status, history, verification), position = quickstart(tmp_path)
    assert status["jurisdiction"] == "KAZ" and "days_used" in status
    assert history["chain_valid"] is True
    assert "status" in history["events"][-1]
    assert verification["kind"] == "employment"
    assert (tmp_path / "borderledger.db").exists() and (tmp_path / "borderledger.key").exists()
    (again, *_), position_again = quickstart(tmp_path)
    assert again["traveler_id"] == status["traveler_id"]
    # The demo is loaded once; the second run's verification is the only new event.
    assert position_again == position + 1
