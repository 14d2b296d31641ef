"""Per-key request limits over a sliding minute, kept in the one process that serves SQLite."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0
_SWEEP_EVERY = 1000


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
