"""On SQLite, /health reports whether the store takes writes, not only whether it reads."""

from __future__ import annotations

import sqlite3
import time

from web_support import assert_problem, settings_for

from infrastructure.settings import sqlite_path
from web.app import create_app


def test_health_says_unwritable_while_another_process_holds_the_write_lock(sqlite_url):
    app = create_app({"SETTINGS": settings_for(sqlite_url)})
    client = app.test_client()
    try:
        assert client.get("/api/v1/health").get_json()["store"] == "ok"
        other = sqlite3.connect(sqlite_path(sqlite_url), isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            started = time.monotonic()
            r = client.get("/api/v1/health")
            seconds = time.monotonic() - started
            body = assert_problem(r, 503)
            assert body["store"] == "unwritable" and "locked" in body["detail"]
            assert int(r.headers["Retry-After"]) > 0
            assert seconds < 3
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert client.get("/api/v1/health").get_json()["store"] == "ok"
    finally:
        app.extensions["borderledger"].service.app.close()
