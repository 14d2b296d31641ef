"""HTTP cases against the real ``borderledger serve`` with several workers, loopback only."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.cases_ledger import POST
from bench.client import Request, get, hammer
from bench.ledger import Ledger
from bench.sizes import Sizes

HOST = "127.0.0.1"
HELLO = "/api/v1/border-posts"
SECRET = "bench-secret-" + "b" * 32


@dataclass
class HttpCases:
    runners: dict[str, Callable[[], float]]
    notes: list[str]


def _command() -> list[str]:
    script = Path(sys.executable).with_name("borderledger")
    return [str(script)] if script.exists() else [sys.executable, "-m", "web.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _env(ledger: Ledger) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": ledger.url,
        "BORDERLEDGER_SECRET_KEY": SECRET,
        **ledger.key_env,
    }


def _token(ledger: Ledger) -> str:
    out = subprocess.run(
        [*_command(), "token", "issue", "--role", "admin"],
        env=_env(ledger),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return out.stdout.strip()


def _wait_ready(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"borderledger serve exited with {process.returncode}")
        try:
            if get(HOST, port, HELLO)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"borderledger serve not ready on port {port} after {seconds} s")


def _stop(process: subprocess.Popen) -> None:
    """Stop the server we started: its own process group, by id."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def server(ledger: Ledger, sizes: Sizes) -> Iterator[HttpCases]:
    """A running ``borderledger serve`` on a free loopback port, and its cases."""
    port = _free_port()
    args = ["serve", "--host", HOST, "--port", str(port), "--workers", str(sizes.http_workers)]
    process = subprocess.Popen(
        [*_command(), *args],
        env=_env(ledger),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_ready(port, process)
        headers = {
            "Authorization": f"Bearer {_token(ledger)}",
            "Content-Type": "application/json",
        }
        yield HttpCases(
            runners=_runners(port, headers, ledger, sizes),
            notes=[
                f"HTTP: borderledger serve, {sizes.http_workers} workers, "
                f"{sizes.http_clients} keep-alive client threads, loopback; hello is GET {HELLO}"
            ],
        )
    finally:
        _stop(process)


def _runners(port: int, headers: dict, ledger: Ledger, sizes: Sizes) -> dict:
    clients = sizes.http_clients
    per_client = max(1, sizes.http_requests // clients)
    ids = ledger.traveler_ids
    since = datetime.now(UTC) - timedelta(days=10)
    counter = itertools.count()

    def hello() -> list[Request]:
        return [("GET", HELLO, None)] * per_client

    def status(i: int) -> Callable[[], list[Request]]:
        def make() -> list[Request]:
            return [
                (
                    "GET",
                    f"/api/v1/travelers/{ids[(i + k * clients) % len(ids)]}/status"
                    "?jurisdiction=KAZ",
                    None,
                )
                for k in range(per_client)
            ]

        return make

    def record(i: int) -> Callable[[], list[Request]]:
        """Thread ``i`` writes to its own travelers, so clients do not contend for one."""

        def make() -> list[Request]:
            out = []
            for k in range(per_client):
                n = next(counter)
                body = {
                    "crossing_id": str(uuid.uuid4()),
                    "direction": "entry" if n % 2 == 0 else "exit",
                    "border_post": POST,
                    "occurred_at": (since + timedelta(seconds=n)).isoformat(),
                }
                tid = ids[(i + k * clients) % len(ids)]
                out.append(("POST", f"/api/v1/travelers/{tid}/crossings", body))
            return out

        return make

    def case(streams) -> Callable[[], float]:
        return lambda: hammer(HOST, port, headers, streams, sizes.http_seconds)

    return {
        "http_hello": case([hello] * clients),
        "http_status": case([status(i) for i in range(clients)]),
        "http_record": case([record(i) for i in range(clients)]),
    }
