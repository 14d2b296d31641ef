"""Browser tests: the real server as a process, driven by the system's headless Chromium."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
BORDERLEDGER = str(Path(sys.executable).with_name("borderledger"))
# Screenshots land in a temporary folder; `make screenshots` points them at docs/screenshots/, so
# a test run leaves the working tree as it found it.
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "borderledger-screenshots"
)


def _required() -> bool:
    return os.environ.get("REQUIRE_POSTGRES") == "1" or bool(os.environ.get("CI"))


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session; missing, it fails on CI and skips elsewhere."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        message = f"{', '.join(missing)} missing: apt-get install chromium chromium-driver"
        if _required():
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = Path(os.environ.get("TMPDIR", "/tmp")) / f"bl-chromium-{secrets.token_hex(6)}"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--window-size=1280,1000",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        subprocess.run(["rm", "-rf", str(profile)], check=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running ``borderledger serve`` and the environment its tokens are issued in."""

    base: str
    env: dict
    process: subprocess.Popen
    travelers: dict = field(default_factory=dict)

    def token(self, role: str, *extra: str) -> str:
        out = subprocess.run(
            [BORDERLEDGER, "token", "issue", "--role", role, *extra],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()

    def call(self, method: str, path: str, token: str, body=None) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())


def start_server(database_url: str, workdir: Path, demo: int = 0, *serve: str) -> Server:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BORDERLEDGER_SECRET_KEY": "browser-tests-" + secrets.token_hex(24),
        "BORDERLEDGER_KEY_FILE": str(workdir / "borderledger.key"),
    }
    if demo:
        subprocess.run(
            [BORDERLEDGER, "demo", "--travelers", str(demo)],
            env=env,
            cwd=workdir,
            check=True,
            capture_output=True,
            timeout=600,
        )
    port = free_port()
    process = subprocess.Popen(
        [BORDERLEDGER, "serve", "--port", str(port), *serve],
        env=env,
        cwd=workdir,
        stdout=(workdir / "server.log").open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        assert process.poll() is None, "the server exited early"
        try:
            with urllib.request.urlopen(base + "/api/v1/health", timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError("the server did not answer in time") from None
            time.sleep(0.3)
    return Server(base, env, process)


def stop_server(server: Server) -> None:
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()
