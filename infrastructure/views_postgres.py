"""The status view on PostgreSQL: the ledger's connection pool, its schema, advisory locks."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.rows import tuple_row

from infrastructure.ledger import LedgerApplication
from infrastructure.settings import postgres_dsn
from infrastructure.views_sql import SqlBackend


class PostgresBackend(SqlBackend):
    ph = "%s"
    day_type = "date"

    def __init__(self, app: LedgerApplication):
        self.app = app
        self.datastore = app.recorder.datastore
        self.prefix = f'"{self.datastore.schema}".'

    @contextmanager
    def tx(self, commit: bool) -> Iterator[psycopg.Cursor]:
        with self.datastore.get_connection() as conn, conn.transaction(force_rollback=not commit):
            yield conn.cursor(row_factory=tuple_row)

    def ledger_position(self) -> int:
        return self.app.recorder.max_notification_id() or 0


@contextmanager
def advisory_lock(database_url: str, name: str) -> Iterator[bool]:
    """Hold a session-level advisory lock while the block runs; yields whether it was won.

    The lock lives on its own connection, so it goes when the process dies, even by SIGKILL.
    """
    key = zlib.crc32(f"borderledger:{name}".encode())
    with psycopg.connect(postgres_dsn(database_url), autocommit=True) as conn:
        won = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]
        yield won
