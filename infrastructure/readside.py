"""The read side as web and CLI see it: overstays, lag, catch-up, rebuild and verification."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime
from uuid import UUID

from domain.answers import PenaltyBand
from domain.traveler import Traveler
from infrastructure.checkpoints import LedgerHashes, ensure_tables
from infrastructure.documents import document_key_id
from infrastructure.errors import store_boundary
from infrastructure.ledger import LedgerApplication
from infrastructure.projection_runner import LIVE_BATCH, Puller, Worker, live_view, rebuild
from infrastructure.usecases.context import utc_now
from infrastructure.views_postgres import PostgresBackend, SessionLock, advisory_lock
from infrastructure.views_sql import (
    PROJECTION,
    SqlBackend,
    SqlStatusView,
    ensure_registry,
    generations,
)
from infrastructure.views_sqlite import SqliteBackend
from projections import ledger_hash
from projections.facts import TravelerFacts
from projections.projection import StatusProjection
from projections.status import derive

REGISTERED = Traveler.Registered.TOPIC


def _cursor(day: date, traveler_id: str) -> str:
    return base64.urlsafe_b64encode(f"{day.isoformat()}|{traveler_id}".encode()).decode()


def _uncursor(text: str) -> tuple[date, str]:
    try:
        day, tid = base64.urlsafe_b64decode(text.encode()).decode().split("|")
        return date.fromisoformat(day), str(UUID(tid))
    except ValueError as e:
        raise ValueError("malformed cursor") from e


def facts_of(t: Traveler) -> TravelerFacts:
    """A traveler's facts taken from the aggregate itself (the check on the projection's fold)."""
    crossings = {cid: versions[-1].crossing for cid, versions in t.crossings.items()}
    voided = {cid for cid, versions in t.crossings.items() if versions[-1].voided}
    exemptions = {e.exemption_id: e for e in t.exemptions_known_at()}
    return TravelerFacts(t.id, t.nationality, t.version, crossings, frozenset(voided), exemptions)


def backend_of(app: LedgerApplication) -> SqlBackend:
    return PostgresBackend(app) if app.is_postgres else SqliteBackend(app)


def ledger_hashes(app: LedgerApplication, clock: Callable[[], datetime] = utc_now) -> LedgerHashes:
    """The running ledger hash and its checkpoints of ``app``'s store, tables made if need be."""
    db = backend_of(app)
    if not app.is_postgres:
        ensure_tables(db)  # PostgreSQL's come with the migration
    return LedgerHashes(app, db, clock)


class ReadSide:
    """Queries on the live generation of the status projection, and its upkeep."""

    def __init__(
        self,
        app: LedgerApplication,
        rulebook,
        document_key: bytes,
        clock: Callable[[], datetime] = utc_now,
    ):
        self.app = app
        self.rulebook = rulebook
        self.document_key = document_key
        self.db: SqlBackend = backend_of(app)
        ensure_registry(self.db)
        self.ledger = ledger_hashes(app, clock)

    def projection(self, view: SqlStatusView) -> StatusProjection:
        return StatusProjection(view, self.rulebook, self._hash)

    def _hash(self, nationality: str, number: str) -> str:
        """The document index's key: the claim's id, which events carry in clear."""
        return str(document_key_id(self.document_key, nationality, number))

    def view(self) -> SqlStatusView:
        return live_view(self.db)

    # -- queries ---------------------------------------------------------------------------

    @store_boundary
    def overstays(
        self, jurisdiction: str, as_of: date, limit: int = 100, cursor: str | None = None
    ) -> dict:
        """Travelers present on ``as_of`` past their latest legal exit, by that deadline."""
        after = _uncursor(cursor) if cursor else None
        found = self.view().overstays(jurisdiction, as_of, limit + 1, after)
        items = [
            {
                "traveler_id": str(d.traveler_id),
                "nationality": d.nationality,
                "entered_on": d.entered_on,
                "latest_legal_exit": d.latest_legal_exit,
                "days_over": (as_of - d.latest_legal_exit).days,
                "penalty_band": PenaltyBand.for_overstay(
                    jurisdiction, (as_of - d.latest_legal_exit).days
                ),
            }
            for d in found[:limit]
        ]
        more = len(found) > limit
        last = found[limit - 1] if more else None
        return {
            "items": items,
            "next_cursor": _cursor(last.latest_legal_exit, str(last.traveler_id)) if last else None,
        }

    @store_boundary
    def find_document(self, nationality: str, document_number: str) -> UUID | None:
        return self.view().find_document(self._hash(nationality, document_number))

    @store_boundary
    def generations(self) -> list[tuple[int, int, bool]]:
        """(generation, position, live): a non-live one is a rebuild in progress."""
        return generations(self.db)

    @store_boundary
    def stale_rows(self) -> int:
        """Travelers whose rows predate the current rulebook (its digest changed)."""
        return self.view().count_stale(self.rulebook.digest)

    @store_boundary
    def lag(self) -> list[dict]:
        """One row per projection: the status view first, then the running ledger hash."""
        ledger = self.db.ledger_position()
        positions = {
            PROJECTION: self.view().position(),
            ledger_hash.PROJECTION: self.ledger.heads.head().position,
        }
        return [
            {
                "projection": name,
                "position": position,
                "ledger_position": ledger,
                "lag": max(0, ledger - position),
            }
            for name, position in positions.items()
        ]

    @store_boundary
    def latest_checkpoint(self) -> dict | None:
        return self.ledger.checkpoints.latest()

    @store_boundary
    def checkpoints_after(self, position: int, limit: int) -> list[dict]:
        return self.ledger.checkpoints.after(position, limit)

    # -- upkeep ----------------------------------------------------------------------------

    @store_boundary
    def catch_up(self) -> int:
        """One pull step (the SQLite serve loop): rulebook refresh, then pending events for the
        status view and the ledger hash, then a checkpoint if one is due."""
        projection = self.projection(self.view())
        refreshed = projection.refresh_stale()
        if refreshed:
            return refreshed
        moved = Puller(self.app, projection, LIVE_BATCH).step() + self.ledger.step()
        self.ledger.checkpoint_if_due()
        return moved

    @store_boundary
    def checkpoint(self) -> dict:
        """Fold what the ledger hash has not yet, then sign and store a checkpoint now."""
        return self.ledger.checkpoint()

    @store_boundary
    def rebuild(self, progress: Callable[[int], None] = lambda position: None) -> SqlStatusView:
        """Rebuild from position 0 into a fresh generation; ``progress`` gets its position."""
        return rebuild(self.db, self.projection, self.app, progress)

    @store_boundary
    def rebuild_ledger_hash(self) -> ledger_hash.LedgerHead:
        """Fold the running ledger hash again from position 0 and put that head in place."""
        return self.ledger.rebuild()

    def worker(self, poll_seconds: float = 1.0, claim: Callable[[], bool] = lambda: True) -> Worker:
        return Worker(self.app, self.db, self.projection, poll_seconds, claim, self.ledger)

    def runner_lock(self) -> SessionLock | None:
        """One worker per PostgreSQL database; None on SQLite, where serve projects in-process."""
        if not self.app.is_postgres:
            return None
        return SessionLock(self.app.database_url, "stay_status:run")

    def rebuild_lock(self) -> AbstractContextManager[bool]:
        """Yields whether this process may rebuild now: one rebuild at a time per database."""
        if not self.app.is_postgres:
            return nullcontext(True)
        return advisory_lock(self.app.database_url, "stay_status:rebuild")

    # -- verification ----------------------------------------------------------------------

    @store_boundary
    def traveler_ids(self) -> list[UUID]:
        """Every registered traveler, from the ledger itself."""
        out, start = [], 0
        while True:
            notes = self.app.recorder.select_notifications(
                start=start, limit=5000, topics=[REGISTERED], inclusive_of_start=False
            )
            out += [n.originator_id for n in notes]
            if len(notes) < 5000:
                return out
            start = notes[-1].id

    @store_boundary
    def verify(self) -> list[dict]:
        """Every field of every row against the engine run on the ledger; the differences.

        Travelers with events after the view's position are not compared (they are lag).
        """
        view = self.view()
        position = view.position()
        diffs: list[dict] = []
        ledger_ids = self.traveler_ids()
        for tid in ledger_ids:
            t = self.app.repository.get(tid)
            if (self.app.position_of(tid, t.version) or 0) > position:
                continue
            diffs += self._compare(view, t)
        extra = set(view.traveler_ids()) - set(ledger_ids)
        diffs += [{"traveler_id": str(t), "field": "traveler", "expected": None} for t in extra]
        return diffs

    def _compare(self, view: SqlStatusView, t: Traveler) -> list[dict]:
        facts = facts_of(t)
        rows, deadlines = derive(facts, self.rulebook, 0)
        diffs = []
        got = {r.jurisdiction: r for r in view.status_of(t.id)}
        for row in rows:
            actual = got.pop(row.jurisdiction, None)
            for name, value in dataclasses.asdict(row).items():
                seen = getattr(actual, name) if actual else None
                if name != "position" and seen != value:
                    diffs.append(
                        {
                            "traveler_id": str(t.id),
                            "jurisdiction": row.jurisdiction,
                            "field": name,
                            "expected": value,
                            "actual": seen,
                        }
                    )
        diffs += [
            {"traveler_id": str(t.id), "jurisdiction": j, "field": "row", "expected": None}
            for j in got
        ]
        if sorted(deadlines, key=repr) != sorted(view.deadlines_of(t.id), key=repr):
            diffs.append({"traveler_id": str(t.id), "field": "deadlines"})
        if view.load_facts([t.id]).get(t.id) != facts:
            diffs.append({"traveler_id": str(t.id), "field": "facts"})
        for doc in t.documents:
            if doc.document_number is None:
                continue  # erased
            digest = self._hash(doc.nationality, doc.document_number)
            if view.find_document(digest) != t.id:
                diffs.append({"traveler_id": str(t.id), "field": "document_index"})
        return diffs
