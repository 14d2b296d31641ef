"""The service's own cases: record, batch, live status and the engine on a long history."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from bench.ledger import Ledger
from bench.measure import ms_each, per_second
from bench.sizes import Sizes
from domain.engine import Engine, Facts
from domain.errors import NotFoundError
from domain.records import Crossing
from domain.rulebook import default_rulebook
from infrastructure.population import LOADER, batch_items, population
from infrastructure.service import LedgerService
from infrastructure.usecases.commands import BatchItem, RecordCrossing

POST = "KZ-ALA"
FIRST_NEW = datetime(2026, 11, 1, tzinfo=UTC)


def ledger_record(ledger: Ledger, sizes: Sizes) -> Callable[[], float]:
    """Crossings per second through ``record_crossing``, round-robin over existing travelers."""
    service = ledger.service
    travelers = itertools.cycle(ledger.traveler_ids)
    counts: dict = {}

    def crossing(tid) -> tuple:
        k = counts[tid] = counts.get(tid, -1) + 1
        direction = "entry" if k % 2 == 0 else "exit"
        return tid, str(uuid.uuid4()), direction, POST, FIRST_NEW + timedelta(minutes=k)

    def run() -> float:
        work = [crossing(next(travelers)) for _ in range(sizes.single)]

        def record():
            for args in work:
                service.record_crossing(LOADER, RecordCrossing(*args))

        return per_second(len(work), record)

    return run


def ledger_batch(ledger: Ledger, sizes: Sizes) -> Callable[[], float]:
    """Crossings per second through ``record_batch``, 1,000 per call, first-seen travelers."""
    service = ledger.service
    seeds = itertools.count(10_000)  # populations of their own: never the pre-loaded seed

    def items() -> list[BatchItem]:
        out: list[BatchItem] = []
        while len(out) < 1000 * sizes.batches:
            out += batch_items(population(next(seeds), 200))
        return out[: 1000 * sizes.batches]

    def run() -> float:
        work = items()

        def record():
            for start in range(0, len(work), 1000):
                service.record_batch(LOADER, work[start : start + 1000])

        return per_second(len(work), record)

    return run


def _history(count: int, first: date) -> list[Crossing]:
    """``count`` alternating entries and exits, spread evenly from ``first`` over ten years."""
    step = 3652 / count
    out = []
    for i in range(count):
        day = first + timedelta(days=int(i * step))
        at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=8 + i % 2)
        out.append(
            Crossing(f"c{i}", "entry" if i % 2 == 0 else "exit", POST, "KAZ", at, day, seq=i + 1)
        )
    return out


def status_live(ledger: Ledger, sizes: Sizes) -> Callable[[], float]:
    """Milliseconds per ``status`` of a traveler with 20 crossings, read from the ledger."""
    service = ledger.service
    crossings = _history(20, date(2025, 1, 1))
    items = [
        BatchItem("RUS", "BENCH0020", str(uuid.uuid4()), c.direction, POST, c.occurred_at)
        for c in crossings
    ]
    service.record_batch(LOADER, items)
    tid = service.find_traveler("RUS", "BENCH0020")

    def run() -> float:
        def read():
            for _ in range(sizes.statuses):
                service.status(tid, "KAZ")

        return ms_each(sizes.statuses, read)

    return run


def engine_long_history(sizes: Sizes) -> Callable[[], float]:
    """Milliseconds per status from the engine alone, 2,000 crossings over ten years."""
    rulebook = default_rulebook()
    crossings = _history(2000, date(2016, 11, 1))
    as_of = date(2026, 11, 30)

    def run() -> float:
        def evaluate():
            for _ in range(sizes.engine):
                facts = Facts.from_crossings("KAZ", "RUS", crossings, [], as_of)
                Engine(rulebook, facts).status(as_of)

        return ms_each(sizes.engine, evaluate)

    return run


LONG_DOCUMENT = "BENCH2000"
HISTORY_PAGE = 200


def long_traveler(service: LedgerService):
    """The traveler with 2,000 crossings over ten years (2,001 events), recorded once."""
    try:
        return service.find_traveler("RUS", LONG_DOCUMENT)
    except NotFoundError:
        pass
    items = [
        BatchItem("RUS", LONG_DOCUMENT, c.crossing_id, c.direction, POST, c.occurred_at)
        for c in _history(2000, date(2016, 11, 1))
    ]
    service.record_batch(LOADER, items)
    return service.find_traveler("RUS", LONG_DOCUMENT)


def status_long(ledger: Ledger, sizes: Sizes) -> Callable[[], float]:
    """Milliseconds per status of the 2,000-crossing traveler, from the ledger, not cached."""
    service = ledger.set_aside()
    tid = long_traveler(service)

    def run() -> float:
        def read():
            for _ in range(sizes.engine):
                service.forget_answers()
                service.status(tid, "KAZ")

        return ms_each(sizes.engine, read)

    return run


def history_page_with_status(ledger: Ledger, sizes: Sizes) -> Callable[[], float]:
    """Milliseconds for the last page of 200 events with their statuses, same traveler."""
    service = ledger.set_aside()
    tid = long_traveler(service)
    # Events 1,801..2,000 of 2,001: the most history before a page that still has a next one.
    after = 2001 - HISTORY_PAGE - 1

    def run() -> float:
        def read():
            service.forget_answers()
            page = service.history(tid, "KAZ", limit=HISTORY_PAGE, after_version=after)
            assert len(page["events"]) == HISTORY_PAGE and page["next_after_version"] == 2000

        return ms_each(1, read)

    return run
