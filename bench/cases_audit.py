"""audit_verify: ``audit verify``'s whole-store check, events per second, beside raw_read."""

from __future__ import annotations

from collections.abc import Callable

from bench.cases_projection import stored_events
from bench.ledger import Ledger
from bench.measure import elapsed
from infrastructure.audit import verify_ledger


def audit_verify(ledger: Ledger) -> Callable[[], float]:
    """Ledger events per second through ``verify_ledger``: every seal, chain and claim, and the
    running hash against the stored checkpoints (one is signed at setup)."""
    app = ledger.service.app
    ledger.read.checkpoint()

    def run() -> float:
        events = stored_events(ledger)
        found: list = []
        seconds = elapsed(lambda: found.extend(verify_ledger(app, app.keys.public_key)))
        if found:
            raise RuntimeError(f"the bench ledger does not verify: {found[:3]}")
        return events / seconds

    return run
