"""``--mode scale``: the growth table, the same cases at 10 k, 100 k and 1 M stored events."""

from __future__ import annotations

import random
import statistics
import uuid
from collections.abc import Callable
from dataclasses import replace

from bench import cases_projection, cases_raw
from bench.cases_ledger import ledger_record
from bench.ledger import NOW, SCHEMA, TABLE, Ledger, open_ledger
from bench.measure import ms_each
from bench.sizes import MODES
from domain.traveler import Traveler
from infrastructure.population import LOADER, population

LEVELS = (10_000, 100_000, 1_000_000)
SIZES = replace(MODES["quick"], single=300)
ROUNDS = 3
SAMPLE = 200  # travelers whose status is read at each level


def _fill(ledger: Ledger, target: int, seed: int) -> int:
    """Add generated travelers until ``target`` events are stored; returns the count stored.

    Pre-filling goes through the library's batched save (``app.save`` of 500 aggregates per
    transaction) with aggregates built in memory by the domain's own commands: fast, and every
    stored event is a real, decodable Traveler event. It skips the document index and the
    service's per-item checks, which the measured cases do not read.
    """
    app, posts = ledger.service.app, ledger.service.posts
    stored = app.position()
    while stored < target:
        travelers = []
        for plan in population(seed, 500):
            t = Traveler.register(
                uuid.uuid4(),
                plan.nationality,
                "passport",
                plan.document_number,
                LOADER.recorded_by,
                NOW,
            )
            for c in plan.crossings:
                post = posts.get(c.border_post)
                t.record_crossing(
                    c.crossing_id, c.direction, post, c.occurred_at, LOADER.recorded_by, NOW
                )
            travelers.append(t)
        app.save(*travelers)
        ledger.traveler_ids += [t.id for t in travelers]
        stored = app.position()
        seed += 1
    return stored


def _median(run: Callable[[], float]) -> float:
    return statistics.median(run() for _ in range(ROUNDS))


def _status_ms(ledger: Ledger, ids: list) -> float:
    service = ledger.service

    def read():
        for tid in ids:
            service.status(tid, "KAZ")

    return ms_each(len(ids), read)


def run(db_url: str, machine: dict, log: Callable[[str], None]) -> dict:
    ledger = open_ledger(db_url, 0)
    rows = []
    seed = 50_000
    try:
        for level in LEVELS:
            stored = _fill(ledger, level, seed)
            seed += level // 500
            log(f"{stored} events stored")
            rnd = random.Random(level)
            sample = rnd.sample(ledger.traveler_ids, SAMPLE)
            record = ledger_record(replace(ledger, traveler_ids=sample), SIZES)
            raw = cases_raw.raw_single_insert(db_url, SIZES)
            rows.append(
                {
                    "events": stored,
                    "raw_single_insert": {"value": _median(raw), "unit": "rows/s"},
                    "ledger_record": {"value": _median(record), "unit": "crossings/s"},
                    "status_cold": {"value": _status_ms(ledger, sample), "unit": "ms/status"},
                    "raw_read": {
                        "value": cases_raw.raw_read(db_url, SCHEMA, TABLE)(),
                        "unit": "rows/s",
                    },
                    "projection_rebuild": {
                        "value": cases_projection.projection_rebuild(ledger)(),
                        "unit": "events/s",
                    },
                }
            )
    finally:
        ledger.close()
    return {
        "mode": "scale",
        "machine": machine,
        "levels": rows,
        "notes": [
            "pre-filled through the library's batched save, 500 in-memory travelers per "
            "transaction; cases then run through the service on travelers sampled across the "
            "whole ledger (mostly not in the aggregate cache)",
        ],
    }


def table(doc: dict) -> str:
    m = doc["machine"]
    lines = [
        f"mode scale · {m['cores']} cores {m['cpu_model']} · PostgreSQL {m['postgres_version']}"
        f" · fsync={m['fsync']} synchronous_commit={m['synchronous_commit']}",
        "",
        f"{'events':>10}{'raw insert/s':>14}{'record/s':>10}{'status ms':>11}"
        f"{'raw read/s':>12}{'rebuild/s':>11}{'rebuild s':>11}",
    ]
    for row in doc["levels"]:
        rebuild = row["projection_rebuild"]["value"]
        lines.append(
            f"{row['events']:>10,}{row['raw_single_insert']['value']:>14,.0f}"
            f"{row['ledger_record']['value']:>10,.0f}{row['status_cold']['value']:>11.2f}"
            f"{row['raw_read']['value']:>12,.0f}{rebuild:>11,.0f}{row['events'] / rebuild:>11.1f}"
        )
    lines += [f"note: {n}" for n in doc["notes"]]
    return "\n".join(lines)
