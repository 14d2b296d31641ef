"""Request limits shared by every server process through PostgreSQL.

With several gunicorn workers, limits kept in each process would let N times the configured
number through; counting in the database keeps the limit what the operator set.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from psycopg import sql

from infrastructure.errors import store_boundary
from infrastructure.ledger import LedgerApplication
from infrastructure.migrations import RATE_LIMITS_TABLE as TABLE

WINDOW_SECONDS = 60
_SWEEP_EVERY = 1000


class SharedRateLimiter:
    """At most ``per_minute`` hits per key in each clock minute, counted in PostgreSQL (the
    table comes with the ledger's migration)."""

    def __init__(
        self,
        app: LedgerApplication,
        name: str,
        per_minute: int,
        clock: Callable[[], float] = time.time,
    ):
        self.datastore = app.recorder.datastore
        self.name = name
        self.per_minute = per_minute
        self._clock = clock
        self._calls = 0
        table = sql.Identifier(self.datastore.schema, TABLE)
        self._hit = sql.SQL(
            "INSERT INTO {} (name, key, minute, hits) VALUES (%s, %s, %s, 1)"
            " ON CONFLICT (name, key, minute) DO UPDATE SET hits = {}.hits + 1 RETURNING hits"
        ).format(table, sql.Identifier(TABLE))
        self._sweep = sql.SQL("DELETE FROM {} WHERE minute < %s").format(table)

    @store_boundary
    def hit(self, key: str) -> int | None:
        """Count a hit; None when allowed, else the seconds until the next minute starts."""
        now = self._clock()
        minute = int(now // WINDOW_SECONDS)
        self._calls += 1
        with self.datastore.transaction(commit=True) as cur:
            cur.execute(self._hit, (self.name, key, minute))
            hits = cur.fetchone()["hits"]
            if self._calls % _SWEEP_EVERY == 0:
                cur.execute(self._sweep, (minute - 1,))
        if hits <= self.per_minute:
            return None
        return max(1, math.ceil((minute + 1) * WINDOW_SECONDS - now))
