"""Serving the API with gunicorn, and keeping SQLite projections fresh in-process."""

from __future__ import annotations

import logging
import os
import threading
import time

from gunicorn.app.base import BaseApplication

from infrastructure.bootstrap import prepare_store
from infrastructure.settings import Settings, is_postgres
from web.app import create_app
from web.worker import ProblemWorker

PULL_INTERVAL_SECONDS = 1.0
# gunicorn's default logs the request line ("%(r)s", query string included: lookups carry
# document numbers there) and the Referer (a page's URL). The path without its query instead.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'
log = logging.getLogger(__name__)


class Server(BaseApplication):
    """gunicorn run from Python: each worker builds its own app (and its own connections)."""

    def __init__(self, settings: Settings, options: dict):
        self.settings = settings
        self.options = options
        super().__init__()

    def run(self) -> None:
        if is_postgres(self.settings.database_url):
            # Once, before the workers fork, so they start on a made schema.
            prepare_store(self.settings)
        super().run()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        app = create_app({"SETTINGS": self.settings})
        if not is_postgres(self.settings.database_url):
            start_pull_loop(app.extensions["borderledger"].read)
        return app


def options(settings: Settings, host: str, port: int, workers: int | None) -> dict:
    """Several workers on PostgreSQL; on SQLite one worker with threads (one writer at a time)."""
    base = {
        "bind": f"{host}:{port}",
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "timeout": 60,
        "graceful_timeout": 10,
        # One shared control socket per user would make concurrent servers collide.
        "control_socket_disable": True,
    }
    if is_postgres(settings.database_url):
        count = workers or min(2 * (os.cpu_count() or 1) + 1, 8)
        return {**base, "workers": count, "worker_class": ProblemWorker, "threads": 2}
    return {**base, "workers": 1, "worker_class": ProblemWorker, "threads": 4}


def start_pull_loop(read, interval: float = PULL_INTERVAL_SECONDS) -> threading.Thread:
    """Apply new ledger events to the SQLite read models, waiting ``interval`` when idle."""

    def loop() -> None:
        while True:
            try:
                busy = read.catch_up()
            except Exception:
                log.exception("projection catch-up failed; retrying")
                busy = 0
            if not busy:
                time.sleep(interval)

    thread = threading.Thread(target=loop, name="projections-pull", daemon=True)
    thread.start()
    return thread
