"""Timing helpers: every case reports a rate or a latency from one timed block."""

from __future__ import annotations

import time
from collections.abc import Callable


def elapsed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def per_second(count: int, work: Callable[[], object]) -> float:
    return count / elapsed(work)


def ms_each(count: int, work: Callable[[], object]) -> float:
    return elapsed(work) * 1000 / count
