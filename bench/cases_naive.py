"""The naive peer's cases: per-crossing load-and-save, and a status view per event."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import timedelta

from eventsourcing.persistence import Tracking

from bench.cases_ledger import FIRST_NEW, POST
from bench.ledger import NOW, Ledger
from bench.measure import elapsed, per_second
from bench.naive import NaiveApplication, NaiveStatusProjection, Visitor, status_view
from bench.sizes import Sizes
from domain.rulebook import default_rulebook


def naive_record(db_url: str, ledger: Ledger, sizes: Sizes) -> Callable[[], float]:
    """Crossings per second: ``repository.get`` → command → ``save``, the population's histories."""
    app = NaiveApplication(db_url)
    visitors = []
    for plan in ledger.plans:
        v = Visitor(plan.nationality, plan.document_number)
        for c in plan.crossings:
            v.record_crossing(c.crossing_id, c.direction, c.border_post, c.occurred_at)
        visitors.append(v)
    for start in range(0, len(visitors), 100):
        app.save(*visitors[start : start + 100])
    ids = itertools.cycle([v.id for v in visitors])
    counts: dict = {}

    def crossing(vid) -> tuple:
        k = counts[vid] = counts.get(vid, -1) + 1
        direction = "entry" if k % 2 == 0 else "exit"
        return vid, str(uuid.uuid4()), direction, POST, FIRST_NEW + timedelta(minutes=k)

    def run() -> float:
        work = [crossing(next(ids)) for _ in range(sizes.single)]

        def record():
            for args in work:
                app.record(*args)

        return per_second(len(work), record)

    return run


def naive_projection(db_url: str, ledger: Ledger, sizes: Sizes) -> Callable[[], float]:
    """Ledger events per second into a status view, one transaction per event, from position 0."""
    app = ledger.service.app
    view = status_view(db_url)
    limit = 2 * sizes.single

    def run() -> float:
        view.reset()
        projection = NaiveStatusProjection(view, default_rulebook(), NOW.date())
        done: list[int] = []

        def project():
            for n in app.recorder.select_notifications(1, limit):
                projection.process_event(app.mapper.to_domain_event(n), Tracking(app.name, n.id))
                done.append(n.id)

        seconds = elapsed(project)
        return len(done) / seconds

    return run
