"""The running ledger hash kept beside the read models, and the checkpoints that sign its head.

``ledger_head`` holds one row (position, events, ledger hash), moved by a conditional update as
the status view's position is; ``ledger_checkpoints`` one row per signed checkpoint. The fold is
``projections.ledger_hash``; the clock that decides when a checkpoint is due is read here, by
the runner, never by the fold. The signing key stays in the process: only signatures are stored.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from domain.chain import checkpoint_message
from infrastructure.eventstore.sealing import stored_hash
from infrastructure.views_sql import SqlBackend
from projections.ledger_hash import GENESIS_HEAD, HeadStore, LedgerHead, advance
from projections.views import AlreadyApplied

if TYPE_CHECKING:
    from infrastructure.keys import LedgerKeys
    from infrastructure.ledger import LedgerApplication

HEAD_NAME = "ledger"
# A checkpoint at least this often while the head moves.
CHECKPOINT_EVERY = timedelta(seconds=60)
FOLD_BATCH = 5000
CHECKPOINT_FIELDS = ("position", "events", "ledger_hash", "signed_at", "key_id", "signature")

TABLES = (
    "CREATE TABLE IF NOT EXISTS {p}ledger_head (name text PRIMARY KEY, position bigint NOT NULL,"
    " events bigint NOT NULL, ledger_hash text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {p}ledger_checkpoints (position bigint PRIMARY KEY,"
    " events bigint NOT NULL, ledger_hash text NOT NULL, signed_at text NOT NULL,"
    " key_id text NOT NULL, signature text NOT NULL)",
)
FIRST_HEAD = (
    "INSERT INTO {p}ledger_head VALUES (%s, 0, 0, %s) ON CONFLICT (name) DO NOTHING",
    (HEAD_NAME, GENESIS_HEAD.ledger_hash),
)


def ensure_tables(db: SqlBackend) -> None:
    """Create both tables and the genesis head (PostgreSQL's migration does the same)."""
    with db.tx(commit=True) as cur:
        for statement in TABLES:
            cur.execute(db.sql(statement))
        cur.execute(db.sql(FIRST_HEAD[0]), FIRST_HEAD[1])


def sqlite_has_tables(db: SqlBackend) -> bool:
    """Whether a SQLite store has the checkpoint table (a ledger never served has none)."""
    with db.tx(commit=False) as cur:
        cur.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='ledger_checkpoints'")
        return cur.fetchone() is not None


class HeadTable(HeadStore):
    """The head in ``ledger_head``."""

    def __init__(self, db: SqlBackend):
        self.db = db

    def head(self) -> LedgerHead:
        with self.db.tx(commit=False) as cur:
            cur.execute(
                self.db.sql(
                    "SELECT position, events, ledger_hash FROM {p}ledger_head WHERE name=%s"
                ),
                (HEAD_NAME,),
            )
            row = cur.fetchone()
        return LedgerHead(int(row[0]), int(row[1]), row[2]) if row else GENESIS_HEAD

    def commit(self, before: LedgerHead, after: LedgerHead) -> None:
        with self.db.tx(commit=True) as cur:
            cur.execute(
                self.db.sql(
                    "UPDATE {p}ledger_head SET position=%s, events=%s, ledger_hash=%s"
                    " WHERE name=%s AND position=%s AND events=%s AND ledger_hash=%s"
                ),
                (after.position, after.events, after.ledger_hash, HEAD_NAME, *_values(before)),
            )
            if cur.rowcount != 1:
                raise AlreadyApplied(f"the ledger head is not at {before.position}")

    def replace(self, head: LedgerHead) -> None:
        with self.db.tx(commit=True) as cur:
            cur.execute(
                self.db.sql(
                    "UPDATE {p}ledger_head SET position=%s, events=%s, ledger_hash=%s WHERE name=%s"
                ),
                (*_values(head), HEAD_NAME),
            )


def _values(head: LedgerHead) -> tuple[int, int, str]:
    return head.position, head.events, head.ledger_hash


class CheckpointTable:
    """Signed checkpoints in ``ledger_checkpoints``, one per position, oldest first."""

    COLUMNS = ", ".join(CHECKPOINT_FIELDS)

    def __init__(self, db: SqlBackend):
        self.db = db

    def add(self, checkpoint: dict) -> bool:
        """Store ``checkpoint``; False when one at its position is already stored."""
        with self.db.tx(commit=True) as cur:
            cur.execute(
                self.db.sql(
                    f"INSERT INTO {{p}}ledger_checkpoints ({self.COLUMNS})"
                    " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (position) DO NOTHING"
                ),
                tuple(checkpoint[name] for name in CHECKPOINT_FIELDS),
            )
            return cur.rowcount == 1

    def latest(self) -> dict | None:
        rows = self._select("ORDER BY position DESC LIMIT 1", ())
        return rows[0] if rows else None

    def after(self, position: int, limit: int) -> list[dict]:
        return self._select("WHERE position > %s ORDER BY position LIMIT %s", (position, limit))

    def every(self, batch: int = 1000) -> Iterator[dict]:
        position = -1
        while page := self.after(position, batch):
            yield from page
            position = page[-1]["position"]

    def _select(self, tail: str, params: tuple) -> list[dict]:
        with self.db.tx(commit=False) as cur:
            cur.execute(
                self.db.sql(f"SELECT {self.COLUMNS} FROM {{p}}ledger_checkpoints {tail}"), params
            )
            rows = cur.fetchall()
        return [
            {
                name: (int(v) if name in ("position", "events") else v)
                for name, v in zip(CHECKPOINT_FIELDS, r, strict=True)
            }
            for r in rows
        ]


def sign_checkpoint(keys: LedgerKeys, head: LedgerHead, signed_at: datetime) -> dict:
    """A checkpoint of ``head``: what ``audit verify`` checks against a re-fold of the store."""
    body = {
        "position": head.position,
        "events": head.events,
        "ledger_hash": head.ledger_hash,
        "signed_at": signed_at.isoformat(),
        "key_id": keys.key_id,
    }
    return {**body, "signature": keys.sign(checkpoint_message(**body))}


class LedgerHashes:
    """Folds the store into the head, a batch at a time and exactly once, and signs checkpoints
    of it: when due (the head moved and the last is ``every`` old), or when asked."""

    def __init__(
        self,
        app: LedgerApplication,
        db: SqlBackend,
        clock: Callable[[], datetime],
        every: timedelta = CHECKPOINT_EVERY,
    ):
        self.app = app
        self.heads = HeadTable(db)
        self.checkpoints = CheckpointTable(db)
        self.clock = clock
        self.every = every
        self._last: dict | None = None

    def step(self, batch: int = FOLD_BATCH) -> int:
        """Fold the next batch after the stored head; returns notifications consumed."""
        before = self.heads.head()
        notes = self.app.recorder.select_notifications(
            start=before.position, limit=batch, inclusive_of_start=False
        )
        if not notes:
            return 0
        after = advance(before, ((n.id, stored_hash(n)) for n in notes))
        # Another runner (or ``audit checkpoint``) may have folded them first: read on.
        with contextlib.suppress(AlreadyApplied):
            self.heads.commit(before, after)
        return len(notes)

    def catch_up(self) -> LedgerHead:
        while self.step():
            pass
        return self.heads.head()

    def rebuild(self) -> LedgerHead:
        """Fold the whole store again from position 0 and put that head in place."""
        head, start = GENESIS_HEAD, 0
        while notes := self.app.recorder.select_notifications(
            start=start, limit=FOLD_BATCH, inclusive_of_start=False
        ):
            head = advance(head, ((n.id, stored_hash(n)) for n in notes))
            start = notes[-1].id
        self.heads.replace(head)
        return head

    def checkpoint(self) -> dict:
        """Fold whatever is not yet folded, then sign and store a checkpoint of the head now."""
        head = self.catch_up()
        made = sign_checkpoint(self.app.keys, head, self.clock())
        self.checkpoints.add(made)
        self._last = made
        return made

    def checkpoint_if_due(self) -> dict | None:
        """A new checkpoint when the head moved past the last one and that one is old enough."""
        head = self.heads.head()
        if not head.events:
            return None
        now = self.clock()
        last = self._last
        if last is not None and (last["position"] >= head.position or not self._old(last, now)):
            return None
        last = self._last = self.checkpoints.latest()  # another process may have made one
        if last is not None and (last["position"] >= head.position or not self._old(last, now)):
            return None
        made = sign_checkpoint(self.app.keys, head, now)
        self.checkpoints.add(made)
        self._last = made
        return made

    def _old(self, checkpoint: dict, now: datetime) -> bool:
        try:
            signed_at = datetime.fromisoformat(checkpoint["signed_at"])
        except (TypeError, ValueError):
            return True
        return now - signed_at >= self.every
