"""Per-key request limits over a sliding minute in one process: the SQLite server's, and a
PostgreSQL server's while its store is down."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable

from infrastructure.errors import StoreUnavailable

WINDOW_SECONDS = 60.0
_SWEEP_EVERY = 1000
LOCAL_SECONDS = 5.0
log = logging.getLogger(__name__)


class RateLimiter:
    """At most ``per_minute`` hits per key in any 60 seconds."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._calls = 0

    def hit(self, key: str) -> int | None:
        """Count a hit; None when allowed, else the seconds to wait before retrying."""
        now = self._clock()
        with self._lock:
            self._calls += 1
            if self._calls % _SWEEP_EVERY == 0:
                self._sweep(now)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - WINDOW_SECONDS:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return max(1, math.ceil(hits[0] + WINDOW_SECONDS - now))
            hits.append(now)
            return None

    def _sweep(self, now: float) -> None:
        """Forget keys idle for a whole window, so memory follows the active clients."""
        idle = [k for k, h in self._hits.items() if not h or h[-1] <= now - WINDOW_SECONDS]
        for k in idle:
            del self._hits[k]


class FallbackLimiter:
    """The shared count, or this process's own while the store is down: the calculator stores
    nothing, so an outage should not stop it (one failed try sends it local for a while)."""

    def __init__(self, shared, local: RateLimiter, clock: Callable[[], float] = time.monotonic):
        self.shared = shared
        self.local = local
        self._clock = clock
        self._local_until = float("-inf")

    def hit(self, key: str) -> int | None:
        if self._clock() >= self._local_until:
            try:
                return self.shared.hit(key)
            except StoreUnavailable as e:
                log.warning("rate limits counted in-process for %ss: %s", LOCAL_SECONDS, e)
                self._local_until = self._clock() + LOCAL_SECONDS
        return self.local.hit(key)
