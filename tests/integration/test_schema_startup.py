"""Everything starting at once on a new PostgreSQL database comes up: the schema is made once,
under one lock, however many processes race to make it."""

from __future__ import annotations

import os
import secrets
import subprocess
import threading
import time
import urllib.request
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql
from test_cli_serve import BORDERLEDGER, free_port, start, stop
from web_support import SECRET, settings_for

from web.app import create_app

pytestmark = pytest.mark.postgres


def _build(url: str, barrier: threading.Barrier, apps: list, errors: list) -> None:
    barrier.wait()
    try:
        apps.append(create_app({"SETTINGS": settings_for(url)}))
    except Exception as e:  # any failure to start is the finding
        errors.append(e)


def test_eight_apps_built_at_once_on_fresh_schemas_all_start(postgres_url):
    for _ in range(5):
        url = f"{postgres_url}?schema=race_{secrets.token_hex(4)}"
        barrier, errors, apps = threading.Barrier(8), [], []
        threads = [
            threading.Thread(target=_build, args=(url, barrier, apps, errors)) for _ in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for app in apps:
            app.extensions["borderledger"].service.app.close()
        assert errors == [] and len(apps) == 8


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.mark.slow
def test_serve_and_the_worker_come_up_together_on_ten_fresh_databases(postgres_url, tmp_path):
    server = urlsplit(postgres_url)
    for round_ in range(10):
        name = f"borderledger_boot_{secrets.token_hex(4)}"
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        env = {
            "DATABASE_URL": urlunsplit(server._replace(path=f"/{name}")),
            "BORDERLEDGER_SECRET_KEY": SECRET,
        }
        port = free_port()
        api = start(["serve", "--port", str(port), "--workers", "3"], env, tmp_path)
        worker = start(["projections", "run", "--poll", "0.2"], env, tmp_path)
        try:
            deadline = time.monotonic() + 60
            while not _answers(port):
                assert api.poll() is None, f"round {round_}: serve exited {api.returncode}"
                assert worker.poll() is None, f"round {round_}: the worker exited"
                assert time.monotonic() < deadline, f"round {round_}: serve did not answer"
                time.sleep(0.2)
            time.sleep(1.0)  # and they stay up
            assert api.poll() is None and worker.poll() is None, f"round {round_}"
            assert all(_answers(port) for _ in range(3))
        finally:
            stop(api)
            stop(worker)
            with psycopg.connect(postgres_url, autocommit=True) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        assert "Traceback" not in api.stderr.read() + worker.stderr.read(), f"round {round_}"


def test_a_missing_database_is_one_line_naming_it_and_the_fix(postgres_url, tmp_path):
    server = urlsplit(postgres_url)
    name = f"borderledger_absent_{secrets.token_hex(4)}"
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(server._replace(path=f"/{name}")),
        "BORDERLEDGER_SECRET_KEY": SECRET,
    }
    for args in (["serve", "--port", str(free_port())], ["projections", "status"], ["demo"]):
        done = subprocess.run(
            [BORDERLEDGER, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert done.returncode != 0, args
        lines = (done.stdout + done.stderr).strip().splitlines()
        assert len(lines) == 1, (args, done.stdout + done.stderr)
        assert f'database "{name}" does not exist' in lines[0] and "createdb" in lines[0]
