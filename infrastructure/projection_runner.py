"""Feeding the status projection from the ledger: pull steps, the PostgreSQL worker, rebuilds.

The library's ``ProjectionRunner`` calls the view once per event (one transaction each) and its
LISTEN/NOTIFY subscription can stall on a lost notification (issue #305); this loop pulls
batches with ``select_notifications``, listens only to wake early, and polls regardless.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from psycopg import sql

from infrastructure.ledger import LedgerApplication
from infrastructure.settings import postgres_dsn
from infrastructure.views_sql import SqlBackend, SqlStatusView, add_generation, generations, promote
from projections.projection import StatusProjection
from projections.views import AlreadyApplied

log = logging.getLogger(__name__)

TRAVELER_TOPICS = "borderledger:Traveler."
LIVE_BATCH = 1000
REBUILD_BATCH = 5000


class Puller:
    """One projection over one view generation, advanced a batch at a time."""

    def __init__(self, app: LedgerApplication, projection: StatusProjection, batch: int):
        self.app = app
        self.projection = projection
        self.batch = batch

    def step(self) -> int:
        """Process the next batch after the view's position; returns notifications consumed."""
        after = self.projection.view.position()
        notes = self.app.recorder.select_notifications(
            start=after, limit=self.batch, inclusive_of_start=False
        )
        if not notes:
            return 0
        events = [
            (n.id, self.app.mapper.to_domain_event(n))
            for n in notes
            if n.topic.startswith(TRAVELER_TOPICS)
        ]
        self.projection.process(events, after, notes[-1].id)
        return len(notes)


def live_view(db: SqlBackend) -> SqlStatusView:
    """The generation readers use, created empty on first use."""
    live = [g for g, _, is_live in generations(db) if is_live]
    return SqlStatusView(db, live[0] if live else add_generation(db, live=True))


def rebuild(
    db: SqlBackend,
    make_projection: Callable[[SqlStatusView], StatusProjection],
    app: LedgerApplication,
    progress: Callable[[int], None] = lambda position: None,
) -> SqlStatusView:
    """Fill a fresh generation from position 0 (or resume an unfinished one), then promote it.

    Readers keep the old generation until the new one has caught up with the ledger.
    """
    pending = [g for g, _, is_live in generations(db) if not is_live]
    view = SqlStatusView(db, pending[-1] if pending else add_generation(db, live=False))
    puller = Puller(app, make_projection(view), REBUILD_BATCH)
    while puller.step():
        progress(view.position())
    promote(db, view.generation)
    return view


class Worker:
    """The PostgreSQL projection process: one per database, batches, stall detection."""

    def __init__(
        self,
        app: LedgerApplication,
        db: SqlBackend,
        make_projection: Callable[[SqlStatusView], StatusProjection],
        poll_seconds: float = 1.0,
    ):
        self.app = app
        self.db = db
        self.make_projection = make_projection
        self.poll_seconds = poll_seconds
        self.stop = threading.Event()
        self.stalls = 0

    def _puller(self) -> Puller:
        return Puller(self.app, self.make_projection(live_view(self.db)), LIVE_BATCH)

    def run(self) -> None:
        channel = self.app.recorder.channel_name
        dsn = postgres_dsn(self.app.database_url)
        puller = self._puller()
        while not self.stop.is_set():
            with psycopg.connect(dsn, autocommit=True) as listener:
                listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                puller = self._follow(listener, puller)

    def _follow(self, listener: psycopg.Connection, puller: Puller) -> Puller:
        """Process until stopped, or until a stall says the LISTEN connection is suspect."""
        while not self.stop.is_set():
            try:
                while puller.projection.refresh_stale():
                    pass
                if puller.step():
                    continue
            except AlreadyApplied:
                # Another generation went live (a rebuild finished): follow it.
                puller = self._puller()
                continue
            notified = any(True for _ in listener.notifies(timeout=self.poll_seconds, stop_after=1))
            if notified or self.stop.is_set():
                continue
            if self.db.ledger_position() > puller.projection.view.position():
                # The ledger moved and no notification came: the subscription stalled.
                self.stalls += 1
                log.warning("stay_status: no notification for new events; re-listening")
                return puller
        return puller
