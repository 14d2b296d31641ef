"""On PostgreSQL the request limits are counted in the database, so every server process
shares them: with N workers a limit stays what was configured, not N times it."""

from __future__ import annotations

import secrets

from web_support import assert_problem, settings_for

from infrastructure.ledger import LedgerApplication
from infrastructure.ratelimits import SharedRateLimiter
from web.app import create_app

NOON = 29_916_667 * 60 + 20.0  # 20 s into a clock minute


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_two_processes_share_one_count_per_key_and_minute(postgres_url):
    url = f"{postgres_url}?schema=limits_{secrets.token_hex(4)}"
    first, second = LedgerApplication(url), LedgerApplication(url)
    clock = Clock(NOON)
    try:
        a = SharedRateLimiter(first, "verification", 3, clock)
        b = SharedRateLimiter(second, "verification", 3, clock)
        assert [a.hit("E1"), b.hit("E1"), a.hit("E1")] == [None, None, None]
        assert b.hit("E1") == 40  # refused until the next minute starts, 40 s away
        assert a.hit("E2") is None  # another employer has its own count
        assert SharedRateLimiter(first, "calculator", 3, clock).hit("E1") is None
        clock.now += 40
        assert a.hit("E1") is None
    finally:
        first.close()
        second.close()


def test_the_api_on_postgresql_limits_across_its_workers(postgres_url):
    url = f"{postgres_url}?schema=limits_{secrets.token_hex(4)}"
    settings = settings_for(url, calculator_per_minute=2)
    workers = [create_app({"SETTINGS": settings}) for _ in range(2)]
    clock = Clock(NOON)
    try:
        for app in workers:
            limiter = app.extensions["borderledger.limits"]["calculator"].shared
            assert isinstance(limiter, SharedRateLimiter)
            limiter._clock = clock  # both workers in the same minute, whatever the real time
        body = {"jurisdiction": "KAZ", "nationality": "RUS", "stays": []}
        here = {"REMOTE_ADDR": "10.0.0.1"}
        answers = [
            workers[i % 2].test_client().post("/api/v1/calculator", json=body, environ_base=here)
            for i in range(3)
        ]
        assert [r.status_code for r in answers[:2]] == [200, 200]
        assert_problem(answers[2], 429)
        assert answers[2].headers["Retry-After"] == "40"
    finally:
        for app in workers:
            app.extensions["borderledger"].service.app.close()
