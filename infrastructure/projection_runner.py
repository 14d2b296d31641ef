"""Feeding the status projection from the ledger: pull steps, the PostgreSQL worker, rebuilds.

The library's ``ProjectionRunner`` calls the view once per event (one transaction each) and its
LISTEN/NOTIFY subscription can stall on a lost notification (issue #305); this loop pulls
batches with ``select_notifications``, listens only to wake early, and polls regardless.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import psycopg
from eventsourcing import persistence
from psycopg import sql

from infrastructure.checkpoints import LedgerHashes
from infrastructure.errors import CONNECTION_ERRORS
from infrastructure.ledger import LedgerApplication
from infrastructure.settings import postgres_dsn
from infrastructure.views_sql import SqlBackend, SqlStatusView, add_generation, generations, promote
from projections.projection import StatusProjection
from projections.views import AlreadyApplied

log = logging.getLogger(__name__)

# What a generation dropped under a running step raises.
GONE_ERRORS = (persistence.ProgrammingError, psycopg.errors.UndefinedTable)

TRAVELER_TOPICS = "borderledger:Traveler."
LIVE_BATCH = 1000
LEDGER_BATCH = 5000
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
            (n.id, self.app.mapper.to_pseudonymous_event(n))
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
    """The PostgreSQL projection process: one per database, batches, stall detection, and
    reconnection with backoff when the database goes away, resuming from the tracked position.
    With ``ledger`` it also folds the running ledger hash and signs checkpoints when due."""

    def __init__(
        self,
        app: LedgerApplication,
        db: SqlBackend,
        make_projection: Callable[[SqlStatusView], StatusProjection],
        poll_seconds: float = 1.0,
        claim: Callable[[], bool] = lambda: True,
        ledger: LedgerHashes | None = None,
    ):
        self.app = app
        self.db = db
        self.make_projection = make_projection
        self.ledger = ledger
        self.poll_seconds = poll_seconds
        self.claim = claim
        self.stop = threading.Event()
        self.stalls = 0
        self.quiet_polls = 0  # waits that ended with no notification
        self.displaced = False

    def _puller(self) -> Puller:
        return Puller(self.app, self.make_projection(live_view(self.db)), LIVE_BATCH)

    def run(self) -> None:
        """Until stopped, or until another runner holds the database's runner lock."""
        channel = self.app.recorder.channel_name
        dsn = postgres_dsn(self.app.database_url)
        puller, backoff = None, Backoff()
        while not self.stop.is_set():
            try:
                if not self.claim():
                    self.displaced = True
                    log.error("stay_status: another projection runner holds this database")
                    return
                if backoff.failures:
                    # The database is back (the claim reached it): drop the pool's connections
                    # to the server that went away, or each would fail one more attempt.
                    self.app.recorder.datastore.pool.check()
                puller = puller or self._puller()
                with psycopg.connect(dsn, autocommit=True, connect_timeout=2) as listener:
                    listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    if backoff.failures:
                        log.warning(
                            "stay_status: database back after %.1f s; resuming at position %s",
                            backoff.elapsed(),
                            puller.projection.view.position(),
                        )
                        backoff = Backoff()
                    puller = self._follow(listener, puller)
            except CONNECTION_ERRORS as e:
                wait = backoff.next()
                log.warning(
                    "stay_status: database unavailable (%s); reconnect attempt %d in %.1f s",
                    str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__,
                    backoff.failures,
                    wait,
                )
                self.stop.wait(wait)

    def _follow(self, listener: psycopg.Connection, puller: Puller) -> Puller:
        """Process until stopped, or until a stall says the LISTEN connection is suspect."""
        while not self.stop.is_set():
            try:
                while puller.projection.refresh_stale():
                    pass
                moved = puller.step()
                if self.ledger is not None:
                    # Only a full batch skips the wait: events the status step did not see
                    # (a lost notification) must still be found by the stall check below.
                    moved += self.ledger.step(LEDGER_BATCH) == LEDGER_BATCH
                    self.ledger.checkpoint_if_due()
                if moved:
                    continue
            except (AlreadyApplied, *GONE_ERRORS) as e:
                # A rebuild swapped another generation in (and dropped ours): follow it.
                if not isinstance(e, AlreadyApplied) and not self._replaced(puller):
                    raise
                puller = self._puller()
                log.info("stay_status: following generation %s", puller.projection.view.generation)
                continue
            notified = any(True for _ in listener.notifies(timeout=self.poll_seconds, stop_after=1))
            if notified:
                # Those already queued too: the next step reads every event they announce.
                for _ in listener.notifies(timeout=0):
                    pass
            if notified or self.stop.is_set():
                continue
            self.quiet_polls += 1
            if self.db.ledger_position() > puller.projection.view.position():
                # The ledger moved and no notification came: the subscription stalled.
                self.stalls += 1
                log.warning("stay_status: no notification for new events; re-listening")
                return puller
        return puller

    def _replaced(self, puller: Puller) -> bool:
        live = [g for g, _, is_live in generations(self.db) if is_live]
        return puller.projection.view.generation not in live


class Backoff:
    """Waits that double from half a second to ``MAX_WAIT`` seconds, and how long it has been."""

    FIRST_WAIT = 0.5
    MAX_WAIT = 10.0

    def __init__(self):
        self.failures = 0
        self.started = 0.0

    def next(self) -> float:
        if not self.failures:
            self.started = time.monotonic()
        self.failures += 1
        return min(self.MAX_WAIT, self.FIRST_WAIT * 2 ** (self.failures - 1))

    def elapsed(self) -> float:
        return time.monotonic() - self.started
