"""projection_rebuild: the read side's own rebuild of the status projection from position 0."""

from __future__ import annotations

from collections.abc import Callable

from psycopg import sql

from bench.ledger import SCHEMA, TABLE, Ledger
from bench.measure import elapsed


def stored_events(ledger: Ledger) -> int:
    """Events in the ledger: what a rebuild reads (positions have gaps, so count rows)."""
    query = sql.SQL("SELECT count(*) AS n FROM {}.{}").format(
        sql.Identifier(SCHEMA), sql.Identifier(TABLE)
    )
    with ledger.service.app.recorder.datastore.transaction(commit=False) as cur:
        cur.execute(query)
        return cur.fetchone()["n"]


def projection_rebuild(ledger: Ledger) -> Callable[[], float]:
    """Ledger events per second through ``ReadSide.rebuild`` into a fresh generation."""

    def run() -> float:
        events = stored_events(ledger)
        return events / elapsed(ledger.read.rebuild)

    return run
