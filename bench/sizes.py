"""How much work each mode does: small for quick and smoke, larger for full."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    rounds: int  # each case runs once per round, rounds interleaved; the median is reported
    single: int  # transactions per round in the one-per-transaction cases
    batches: int  # 1,000-row batches per round in the batch cases
    travelers: int  # pre-loaded population (its events are what raw_read and rebuild read)
    statuses: int  # status reads per round
    engine: int  # engine evaluations per round
    http_requests: int  # requests per round and HTTP case (also bounded by http_seconds)
    http_seconds: float
    http_workers: int  # server worker processes
    http_clients: int  # concurrent client threads


MODES = {
    "smoke": Sizes(1, 20, 1, 20, 5, 2, 40, 5.0, 2, 4),
    "quick": Sizes(3, 200, 2, 300, 100, 10, 400, 3.0, 2, 8),
    "full": Sizes(5, 1000, 10, 3000, 500, 50, 3000, 10.0, 4, 16),
}
