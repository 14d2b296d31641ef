"""A generated population of travelers with the patterns the ledger meets in real life.

Used by ``borderledger demo``, the read-side tests and the benchmarks. Deterministic for a seed.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from infrastructure.service import LedgerService
from infrastructure.usecases.commands import BatchItem, CorrectCrossing, GrantExemption
from infrastructure.usecases.context import Actor

LOADER = Actor("demo-loader", office=None, admin=True)
_UUID_NS = uuid.UUID("0b6f8a9e-1d5c-4a0a-9a54-7e0f6f9d2c11")


@dataclass
class PlannedCrossing:
    crossing_id: str
    direction: str
    border_post: str
    occurred_at: datetime


@dataclass
class PlannedTraveler:
    pattern: str
    nationality: str
    document_number: str
    crossings: list[PlannedCrossing] = field(default_factory=list)
    exemptions: list[dict] = field(default_factory=list)
    terminations: list[dict] = field(default_factory=list)
    corrections: list[dict] = field(default_factory=list)
    voids: list[str] = field(default_factory=list)


class _Builder:
    def __init__(self, rnd: random.Random, index: int, pattern: str, nationality: str):
        self.rnd = rnd
        self.index = index
        self.plan = PlannedTraveler(pattern, nationality, f"{nationality[:2]}{index:08d}")

    def _id(self, kind: str) -> str:
        n = len(self.plan.crossings) + len(self.plan.exemptions)
        return str(uuid.uuid5(_UUID_NS, f"{self.index}:{kind}:{n}"))

    def cross(self, direction: str, post: str, day: date, hour: int | None = None) -> str:
        hour = self.rnd.randint(1, 20) if hour is None else hour
        at = datetime.combine(day, time(hour, self.rnd.randint(0, 59)), UTC)
        cid = self._id("crossing")
        self.plan.crossings.append(PlannedCrossing(cid, direction, post, at))
        return cid

    def stay(self, post: str, entry: date, exit_: date | None) -> None:
        self.cross("entry", post, entry, hour=3)
        if exit_ is not None:
            self.cross("exit", post, exit_, hour=12)

    def exemption(self, **fields) -> str:
        eid = self._id("exemption")
        self.plan.exemptions.append({"exemption_id": eid, **fields})
        return eid


KAZ_POSTS = ("KZ-ALA", "KZ-NQZ", "KZ-URA")
SCHENGEN_POSTS = ("FR-CDG", "DE-FRA")
EAEU = ("RUS", "RUS", "RUS", "KGZ", "BLR", "ARM")
LAST_DAY = date(2026, 10, 31)


def _visa_runner(b: _Builder) -> None:
    """90 days in, a few days out, again: legal before 27 Jan 2023, an overstay after."""
    day = date(2022, 3, 1) + timedelta(days=b.rnd.randint(0, 240))
    runs = b.rnd.randint(2, 6)
    for i in range(runs):
        stay = b.rnd.randint(80, 90)
        exit_ = day + timedelta(days=stay - 1)
        if exit_ > LAST_DAY or (i == runs - 1 and b.rnd.random() < 0.3):
            b.stay(b.rnd.choice(KAZ_POSTS), day, None)
            return
        b.stay(b.rnd.choice(KAZ_POSTS), day, exit_)
        day = exit_ + timedelta(days=b.rnd.randint(1, 5))


def _autumn_arrival(b: _Builder) -> None:
    """Arrived after the September 2022 mobilisation; keeps to 90/180 or overstays a little."""
    day = date(2022, 9, 21) + timedelta(days=b.rnd.randint(0, 40))
    while day < LAST_DAY - timedelta(days=30):
        length = b.rnd.choice((30, 60, 89, 90, 92, 95))
        exit_ = day + timedelta(days=length - 1)
        if exit_ > LAST_DAY:
            b.stay(b.rnd.choice(KAZ_POSTS), day, None)
            return
        b.stay(b.rnd.choice(KAZ_POSTS), day, exit_)
        day = exit_ + timedelta(days=b.rnd.randint(60, 200))


def _worker(b: _Builder) -> None:
    """Lives in Kazakhstan on an employment contract, sometimes ended early."""
    entry = date(2023, 2, 1) + timedelta(days=b.rnd.randint(0, 1300))
    b.stay(b.rnd.choice(KAZ_POSTS), entry, None)
    start = entry + timedelta(days=b.rnd.randint(3, 20))
    until = start + timedelta(days=b.rnd.choice((364, 729, 1094)))
    eid = b.exemption(
        kind="employment",
        jurisdiction="KAZ",
        valid_from=start,
        valid_until=until,
        contract_number=f"EC-{b.index:06d}",
        employer_id=f"{100000000000 + b.index % 40:012d}",
    )
    if b.rnd.random() < 0.4:
        ended = start + timedelta(days=b.rnd.randint(30, 300))
        b.plan.terminations.append(
            {"exemption_id": eid, "ended_on": ended, "reason": "contract terminated"}
        )


def _tourist(b: _Builder) -> None:
    """A few short trips to the Schengen area."""
    day = date(2023, 1, 1) + timedelta(days=b.rnd.randint(0, 300))
    for _ in range(b.rnd.randint(1, 6)):
        exit_ = day + timedelta(days=b.rnd.randint(0, 45))
        if exit_ > LAST_DAY:
            return
        b.stay(b.rnd.choice(SCHENGEN_POSTS), day, exit_)
        day = exit_ + timedelta(days=b.rnd.randint(10, 120))


def _bishkek(b: _Builder) -> None:
    """Russians and Kazakhs in Kyrgyzstan across the 2024 and 2025 rule changes."""
    day = date(2024, 1, 10) + timedelta(days=b.rnd.randint(0, 500))
    for _ in range(b.rnd.randint(1, 4)):
        exit_ = day + timedelta(days=b.rnd.randint(20, 120))
        if exit_ > LAST_DAY:
            b.stay("KG-FRU", day, None)
            return
        b.stay("KG-FRU", day, exit_)
        day = exit_ + timedelta(days=b.rnd.randint(5, 90))


def _imperfect(b: _Builder) -> None:
    """Missing exits, an exit with no entry, late and corrected records."""
    _autumn_arrival(b)
    crossings = b.plan.crossings
    roll = b.rnd.random()
    if roll < 0.3 and len(crossings) > 2:
        exits = [c for c in crossings if c.direction == "exit"]
        if exits:
            crossings.remove(b.rnd.choice(exits))
    elif roll < 0.5:
        b.cross(
            "exit", b.rnd.choice(KAZ_POSTS), date(2022, 6, 1) + timedelta(days=b.rnd.randint(0, 60))
        )
    elif roll < 0.8 and crossings:
        wrong = b.rnd.choice(crossings)
        b.plan.corrections.append(
            {
                "crossing_id": wrong.crossing_id,
                "occurred_at": wrong.occurred_at + timedelta(days=b.rnd.choice((-2, -1, 1, 2))),
                "reason": "date mistyped at the post",
            }
        )
    elif crossings:
        b.plan.voids.append(b.rnd.choice(crossings).crossing_id)
    # Late records: some crossings reach the ledger out of order.
    b.rnd.shuffle(crossings)


PATTERNS = (
    ("visa_runner", 0.25, _visa_runner, EAEU),
    ("autumn_arrival", 0.25, _autumn_arrival, EAEU),
    ("worker", 0.15, _worker, ("RUS", "KGZ", "BLR")),
    ("tourist", 0.15, _tourist, ("USA", "GBR", "CAN", "JPN", "AUS")),
    ("bishkek", 0.1, _bishkek, ("RUS", "KAZ")),
    ("imperfect", 0.1, _imperfect, EAEU),
)


def population(seed: int, travelers: int) -> list[PlannedTraveler]:
    """``travelers`` planned histories drawn from the patterns above."""
    rnd = random.Random(seed)
    weights = [w for _, w, _, _ in PATTERNS]
    out = []
    for i in range(travelers):
        name, _, make, nationalities = rnd.choices(PATTERNS, weights)[0]
        b = _Builder(rnd, seed * 1_000_000 + i, name, rnd.choice(nationalities))
        make(b)
        out.append(b.plan)
    return out


def batch_items(plans: list[PlannedTraveler]) -> list[BatchItem]:
    """The plans' crossings as batch items, in recording order."""
    return [
        BatchItem(
            p.nationality,
            p.document_number,
            c.crossing_id,
            c.direction,
            c.border_post,
            c.occurred_at,
        )
        for p in plans
        for c in p.crossings
    ]


def load(service: LedgerService, plans: list[PlannedTraveler], actor: Actor = LOADER) -> dict:
    """Record the plans through the service, crossings in batches; returns counts."""
    items = batch_items(plans)
    rejected = 0
    for start in range(0, len(items), 1000):
        results, *_ = service.record_batch(actor, items[start : start + 1000])
        rejected += sum(1 for r in results if r["status"] == "rejected")
    exemptions = 0
    for p in plans:
        if not (p.exemptions or p.corrections or p.voids):
            continue
        tid = service.find_traveler(p.nationality, p.document_number)
        for e in p.exemptions:
            service.grant_exemption(actor, GrantExemption(tid, **e))
            exemptions += 1
        for t in p.terminations:
            service.end_exemption(actor, tid, **t)
        for c in p.corrections:
            service.correct_crossing(
                actor,
                CorrectCrossing(tid, c["crossing_id"], c["reason"], occurred_at=c["occurred_at"]),
            )
        for v in p.voids:
            service.void_crossing(actor, tid, v, "recorded twice by mistake")
    return {
        "travelers": len(plans),
        "crossings": len(items) - rejected,
        "rejected": rejected,
        "exemptions": exemptions,
    }


def load_demo(service: LedgerService, travelers: int = 300, seed: int = 2023) -> dict:
    """The sample ledger of ``borderledger demo``, with one worker to verify as an employer."""
    plans = population(seed, travelers)
    return {**load(service, plans), "sample": demo_sample(service, plans)}


def demo_sample(service: LedgerService, plans: list[PlannedTraveler]) -> dict:
    """A visitor and a worker of loaded plans (NotFoundError when they are not in the ledger)."""
    # Prefer a worker whose contract still runs, so the employer's check confirms something.
    workers = [p for p in plans if p.pattern == "worker"]
    running = [
        p
        for p in workers
        if not p.terminations and p.exemptions[0]["valid_until"] >= LAST_DAY + timedelta(days=90)
    ]
    worker = (running or workers)[0]
    exemption = worker.exemptions[0]
    visitor = next(p for p in plans if p.pattern == "autumn_arrival")
    return {
        "traveler_id": str(service.find_traveler(visitor.nationality, visitor.document_number)),
        "nationality": visitor.nationality,
        "document_number": visitor.document_number,
        "jurisdiction": "KAZ",
        "worker": {
            "traveler_id": str(service.find_traveler(worker.nationality, worker.document_number)),
            "nationality": worker.nationality,
            "document_number": worker.document_number,
            "employer_id": exemption["employer_id"],
            "contract_number": exemption["contract_number"],
        },
    }
