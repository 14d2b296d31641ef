"""The event-sourced application: where Traveler events are stored and read back."""

from __future__ import annotations

from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder
from eventsourcing.utils import Environment
from psycopg import sql

from domain.traveler import DocumentKey, Traveler
from infrastructure.settings import is_postgres, persistence_env, postgres_dsn, schema_of
from infrastructure.transcodings import DateAsISO


class LedgerApplication(Application[UUID]):
    """Stores the ledger; tables are ``borderledger_events`` (PostgreSQL) or ``stored_events``."""

    name = "BorderLedger"

    def __init__(self, database_url: str, extra_env: dict | None = None):
        self.database_url = database_url
        env = persistence_env(database_url)
        if is_postgres(database_url):
            ensure_schema(database_url)
        env.update(extra_env or {})
        env.setdefault("AGGREGATE_CACHE_MAXSIZE", "1000")
        env.setdefault("AGGREGATE_CACHE_FASTFORWARD", "y")
        super().__init__(env=env)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_env(self, name: str, env: dict | None = None) -> Environment:
        # Only our own settings configure persistence: a stray variable in the process
        # environment (say POSTGRES_ENABLE_DB_FUNCTIONS) must not change durability.
        return Environment(name, dict(env or {}))

    @property
    def is_postgres(self) -> bool:
        return is_postgres(self.database_url)

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        """The ledger position (notification id) of one stored event."""
        return self.positions(originator_id).get(version)

    def positions(self, originator_id: UUID) -> dict[int, int]:
        """Ledger positions of one aggregate's events, by version."""
        datastore = self.recorder.datastore
        table = self.recorder.events_table_name
        if self.is_postgres:
            query = sql.SQL(
                "SELECT originator_version, notification_id FROM {}.{} WHERE originator_id=%s"
            ).format(sql.Identifier(datastore.schema), sql.Identifier(table))
            with datastore.transaction(commit=False) as cur:
                cur.execute(query, (originator_id,))
                return {r["originator_version"]: r["notification_id"] for r in cur.fetchall()}
        with datastore.transaction(commit=False) as cur:
            cur.execute(
                f"SELECT originator_version, rowid FROM {table} WHERE originator_id=?",
                (originator_id.hex,),
            )
            return {r[0]: r[1] for r in cur.fetchall()}

    def position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def traveler(self, traveler_id: UUID) -> Traveler:
        return self.repository.get(traveler_id)

    def document_key(self, key_id: UUID) -> DocumentKey:
        return self.repository.get(key_id)


def ensure_schema(database_url: str) -> None:
    """Create the ledger's PostgreSQL schema (the library creates tables, not schemas)."""
    with psycopg.connect(postgres_dsn(database_url), autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                sql.Identifier(schema_of(database_url))
            )
        )
