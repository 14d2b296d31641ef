"""Store retries that give up within seconds when the database is away but keep trying under
lock contention: a dead store must answer 503 in time, a busy one should still succeed."""

from __future__ import annotations

import time
from functools import wraps

from eventsourcing.persistence import InterfaceError, OperationalError

# lock_not_available, serialization_failure, deadlock_detected: the database is there and busy.
CONTENTION_STATES = frozenset({"55P03", "40001", "40P01"})
CONTENTION_ATTEMPTS = 10
CONTENTION_WAIT_SECONDS = 0.2
# Connection failures: a pool of stale connections after a restart drains in a few quick tries;
# with the pool's 1 s wait for a connection, a store that is down fails a call in about 2 s.
OUTAGE_BUDGET_SECONDS = 1.5
OUTAGE_WAIT_SECONDS = 0.1


def is_contention(error: BaseException) -> bool:
    cause = error.__cause__ or error
    return getattr(cause, "sqlstate", None) in CONTENTION_STATES


def store_retry(func):
    """Retry ``func`` on the library's store errors: ten times under contention, else for at
    most ``OUTAGE_BUDGET_SECONDS``."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        started = time.monotonic()
        attempts = 0
        while True:
            try:
                return func(*args, **kwargs)
            except (InterfaceError, OperationalError) as e:
                attempts += 1
                if is_contention(e):
                    if attempts >= CONTENTION_ATTEMPTS:
                        raise
                    time.sleep(CONTENTION_WAIT_SECONDS)
                    continue
                if time.monotonic() - started + OUTAGE_WAIT_SECONDS > OUTAGE_BUDGET_SECONDS:
                    raise
                time.sleep(OUTAGE_WAIT_SECONDS)

    return wrapper
