"""The status view on SQLite: the same file and connection pool as the ledger."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from infrastructure.ledger import LedgerApplication
from infrastructure.views_sql import SqlBackend


class SqliteBackend(SqlBackend):
    def __init__(self, app: LedgerApplication):
        self.app = app
        self.datastore = app.recorder.datastore

    @contextmanager
    def tx(self, commit: bool) -> Iterator[sqlite3.Cursor]:
        with self.datastore.transaction(commit=commit) as cur:
            yield cur.sqlite_cursor

    def lock_registry(self, cur) -> None:
        """Nothing to do: the datastore lets one writing transaction run at a time."""

    def ledger_position(self) -> int:
        return self.app.recorder.max_notification_id() or 0
