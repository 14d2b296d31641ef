"""A long history's status, and its timeline page rendered by the app (what drawing costs)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from bench.cases_ledger import POST, _history
from bench.ledger import Ledger, fixed_clock
from bench.measure import ms_each
from bench.sizes import Sizes
from infrastructure.population import LOADER
from infrastructure.settings import Settings
from infrastructure.usecases.commands import BatchItem
from web.app import create_app
from web.auth import issue_token

SECRET = "bench-ui-secret-" + "x" * 32
AS_OF = date(2026, 11, 30)


def _traveler(ledger: Ledger, document: str, crossings: int, first: date):
    items = [
        BatchItem("RUS", document, str(uuid.uuid4()), c.direction, POST, c.occurred_at)
        for c in _history(crossings, first)
    ]
    for start in range(0, len(items), 1000):
        ledger.service.record_batch(LOADER, items[start : start + 1000])
    return ledger.service.find_traveler("RUS", document)


def _days() -> Callable[[], date]:
    """A new as_of each call: the service keeps answers, and a kept answer measures nothing."""
    counter = itertools.count()
    return lambda: AS_OF - timedelta(days=next(counter))


def ui_timeline(ledger: Ledger, sizes: Sizes) -> Callable[[], float]:
    """Milliseconds per timeline page (chart, status, 200 history rows) of a 500-event traveler,
    rendered server side through the Flask test client as an auditor."""
    tid = _traveler(ledger, "BENCH0499", 499, date(2016, 11, 1))  # + registration: 500 events
    app = create_app(
        {
            "SETTINGS": Settings(
                database_url=ledger.url, secret_key=SECRET, keys=ledger.service.app.keys
            ),
            "CLOCK": fixed_clock,
        }
    )
    client = app.test_client()
    with client.session_transaction() as session:
        session["token"] = issue_token(SECRET, "auditor", datetime.now(UTC), 24 * 3600)
    day = _days()
    count = max(sizes.statuses // 10, 3)

    def run() -> float:
        def render():
            for _ in range(count):
                r = client.get(f"/ui/travelers/{tid}?jurisdiction=KAZ&as_of={day()}")
                assert r.status_code == 200 and b'data-chart="timeline"' in r.data, r.status

        return ms_each(count, render)

    return run
