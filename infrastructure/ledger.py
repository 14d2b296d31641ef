"""The event-sourced application: where Traveler events are stored and read back."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.utils import Environment, strtobool
from psycopg import sql

from domain.traveler import DocumentKey
from infrastructure.eventstore.mapper import LedgerMapper
from infrastructure.eventstore.personal import DataKeys, refuse_unencrypted
from infrastructure.eventstore.repository import PicklingRepository, project
from infrastructure.eventstore.saving import save
from infrastructure.eventstore.sealing import refuse_unsealed
from infrastructure.eventstore.transcodings import DateAsISO, LedgerTranscoder
from infrastructure.keys import LedgerKeys
from infrastructure.migrations import diagnose, migrate
from infrastructure.private_files import private_sqlite_file
from infrastructure.settings import is_postgres, persistence_env, sqlite_path
from infrastructure.write_probe import sqlite_unwritable

RECONNECT_TIMEOUT_SECONDS = 2
RECONNECT_GIVE_UP_SECONDS = 10.0


class LedgerApplication(Application[UUID]):
    """Stores the ledger; tables are ``borderledger_events`` (PostgreSQL) or ``stored_events``."""

    name = "BorderLedger"

    def __init__(
        self, database_url: str, extra_env: dict | None = None, keys: LedgerKeys | None = None
    ):
        self.database_url = database_url
        # Fresh keys when none are given: a process or test that keeps nothing.
        self.keys = keys or LedgerKeys.generate()
        env = persistence_env(database_url)
        if not is_postgres(database_url):
            private_sqlite_file(sqlite_path(database_url))
        env.update(extra_env or {})
        postgres = is_postgres(database_url)
        create = strtobool(env.get("CREATE_TABLE", "y"))
        recorder = "LedgerRecorder" if postgres else "LedgerSQLiteRecorder"
        env.setdefault(
            "APPLICATION_RECORDER_TOPIC", f"infrastructure.eventstore.recorder:{recorder}"
        )
        if postgres:
            # Tables come from one locked migration below, not the library's unlocked DDL.
            env["CREATE_TABLE"] = "n"
        env.setdefault("AGGREGATE_CACHE_MAXSIZE", "1000")
        env.setdefault("AGGREGATE_CACHE_FASTFORWARD", "y")
        try:
            super().__init__(env=env)
        except OperationalError:
            if postgres:
                diagnose(database_url)  # a missing database says so in one line
            raise
        if postgres:
            _bound_reconnects(self.recorder.datastore)
            if create:
                migrate(database_url, self.recorder.sql_create_statements)
                self.recorder.datastore.register_type_adapters()
        refuse_unsealed(self.recorder)
        refuse_unencrypted(self.recorder)

    def construct_mapper(self) -> LedgerMapper:
        """The library's mapper, sealing with the key derived from the signing key and
        encrypting personal fields with each traveler's data key."""
        return LedgerMapper(
            transcoder=self.construct_transcoder(),
            seal_key=self.keys.seal_key,
            data_keys=DataKeys(self.keys.data_key, lambda: self.recorder),
        )

    def construct_repository(self) -> PicklingRepository:
        maxsize = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return PicklingRepository(
            event_store=self.events,
            snapshot_store=self.snapshots,
            cache_maxsize=int(maxsize) if maxsize else None,
            fastforward=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD, "y")),
            fastforward_skipping=strtobool(
                self.env.get(self.AGGREGATE_CACHE_FASTFORWARD_SKIPPING, "n")
            ),
            deepcopy_from_cache=strtobool(self.env.get(self.DEEPCOPY_FROM_AGGREGATE_CACHE, "y")),
        )

    def save(self, *objs, **kwargs):
        """Store the aggregates' new events, chained and sealed (``infrastructure.eventstore``)."""
        return save(self, *objs, **kwargs)

    def construct_transcoder(self) -> LedgerTranscoder:
        """The library's JSON transcoder, with orjson writing plain event states."""
        transcoder = LedgerTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

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

    def unwritable(self) -> str | None:
        """SQLite: why a write would fail now (locked, read-only, full); None when it would not.
        PostgreSQL answers writes or refuses connections, which reads already notice."""
        if self.is_postgres:
            return None
        return sqlite_unwritable(self.env.get("SQLITE_DBNAME"))

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

    def replay(self, originator_id: UUID, personal: bool):
        """The aggregate replayed from its stored events, bypassing the repository's cache (whose
        aggregates never hold personal data): with personal fields decrypted, or None for all."""
        stored = self.recorder.select_events(originator_id)
        return project(None, (self.mapper.to_domain_event(s, personal=personal) for s in stored))

    def stored_at(self, originator_id: UUID, version: int) -> tuple[int, StoredEvent] | None:
        """One stored event with its ledger position, read in one query (None when absent)."""
        datastore = self.recorder.datastore
        table = self.recorder.events_table_name
        if self.is_postgres:
            query = sql.SQL(
                "SELECT notification_id, topic, state FROM {}.{}"
                " WHERE originator_id=%s AND originator_version=%s"
            ).format(sql.Identifier(datastore.schema), sql.Identifier(table))
            params: tuple = (originator_id, version)
        else:
            query = (
                f"SELECT rowid, topic, state FROM {table}"
                " WHERE originator_id=? AND originator_version=?"
            )
            params = (originator_id.hex, version)
        with datastore.transaction(commit=False) as cur:
            cur.execute(query, params)
            row = cur.fetchone()
        if row is None:
            return None
        if self.is_postgres:  # rows as dicts
            row = (row["notification_id"], row["topic"], row["state"])
        return row[0], StoredEvent(originator_id, version, row[1], bytes(row[2]))

    def claims(self, key_ids: list[UUID]) -> dict[UUID, UUID | None]:
        """The traveler holding each document key among ``key_ids``, read in one query; None
        for a key released (its traveler erased), absent for a key never claimed."""
        if not key_ids:
            return {}
        recorder = self.recorder
        columns = "originator_id, originator_version, topic, state"
        if self.is_postgres:
            query = sql.SQL(
                "SELECT " + columns + " FROM {}.{} WHERE originator_id = ANY(%s)"
                " ORDER BY originator_id, originator_version"
            ).format(
                sql.Identifier(recorder.datastore.schema),
                sql.Identifier(recorder.events_table_name),
            )
            params: list = [list(key_ids)]
        else:
            marks = ",".join("?" * len(key_ids))
            query = (
                f"SELECT {columns} FROM {recorder.events_table_name}"
                f" WHERE originator_id IN ({marks}) ORDER BY originator_id, originator_version"
            )
            params = [k.hex for k in key_ids]
        with recorder.datastore.transaction(commit=False) as cur:
            cur.execute(query, params)
            rows = cur.fetchall()
        out: dict[UUID, UUID | None] = {}
        for row in rows:
            event = self.mapper.to_domain_event(
                StoredEvent(
                    originator_id=UUID(str(row["originator_id"])),
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
            )
            if isinstance(event, DocumentKey.Claimed | DocumentKey.Reclaimed):
                out[event.originator_id] = event.traveler_id
            elif isinstance(event, DocumentKey.Released):
                out[event.originator_id] = None
        return out

    def position(self) -> int:
        return self.recorder.max_notification_id() or 0


def _bound_reconnects(datastore: PostgresDatastore) -> None:
    """New connections time out in seconds, and the pool's reconnection backoff (doubling up to
    five minutes) restarts every 10 s: after an outage the pool finds the database again within
    seconds of its return, however long it was away."""
    pool = datastore.pool
    pool.kwargs = {**(pool.kwargs or {}), "connect_timeout": RECONNECT_TIMEOUT_SECONDS}
    pool.reconnect_timeout = RECONNECT_GIVE_UP_SECONDS
