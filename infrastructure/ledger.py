"""The event-sourced application: where Traveler events are stored and read back."""

from __future__ import annotations

import pickle
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    Repository,
)
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import Environment, strtobool
from psycopg import ClientCursor, sql

from domain.traveler import DocumentKey, Traveler
from infrastructure.migrations import diagnose, migrate
from infrastructure.private_files import private_sqlite_file
from infrastructure.retries import store_retry
from infrastructure.settings import is_postgres, persistence_env, sqlite_path
from infrastructure.transcodings import DateAsISO, LedgerTranscoder
from infrastructure.write_probe import sqlite_unwritable

RECONNECT_TIMEOUT_SECONDS = 2
RECONNECT_GIVE_UP_SECONDS = 10.0


class LedgerRecorder(PostgresApplicationRecorder):
    """The library's recorder and table lock, in fewer round trips.

    Same statements in the same order: BEGIN, ``SET LOCAL lock_timeout``, ``LOCK TABLE … IN
    EXCLUSIVE MODE``, ``NOTIFY``, the INSERT and COMMIT. A save of a few events sends them all
    as one simple query, the values bound client-side: a round trip costs about as much as the
    insert itself. A larger save binds its rows server-side (``executemany``, pipelined),
    because client-side binding costs some 20 µs an event (bench: ledger_record, ledger_batch).
    """

    # Events. Measured per save, one trip vs row by row: 364 vs 565 µs at 2 events, 735 vs 959
    # at 16, 896 vs 919 at 32: above that, client-side binding costs more than the round trips.
    ONE_TRIP_MAX = 24

    def __init__(self, datastore, **kwargs):
        super().__init__(datastore, **kwargs)
        notify = sql.SQL("NOTIFY {0}").format(sql.Identifier(self.channel_name))
        begin_and_lock = [sql.SQL("BEGIN"), *self.lock_table_statements, notify]
        table = sql.SQL("{0}.{1}").format(
            sql.Identifier(datastore.schema), sql.Identifier(self.events_table_name)
        )
        columns = sql.SQL("(originator_id, originator_version, topic, state)")
        # Plain text once: composing the statement again on every save costs about 60 µs.
        self.save_head = (
            sql.SQL("; ")
            .join([*begin_and_lock, sql.SQL("INSERT INTO {0} {1} VALUES ").format(table, columns)])
            .as_string()
        )
        self.begin_and_lock = sql.SQL("; ").join(begin_and_lock)
        self._select_texts: dict[tuple, str] = {}
        self.insert_row = sql.SQL(
            "INSERT INTO {0} {1} VALUES (%s, %s, %s, %s) RETURNING notification_id"
        ).format(table, columns)

    @store_retry
    def select_events(
        self,
        originator_id: UUID,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        """The library's query, its text composed once per shape rather than on every read
        (about 9 µs of each fast-forward)."""
        shape = (gt is not None, lte is not None, desc, limit is not None)
        statement = self._select_texts.get(shape)
        if statement is None:
            statement = self._select_texts[shape] = "".join(
                [
                    self.select_events_statement.as_string(),
                    " AND originator_version > %s" if shape[0] else "",
                    " AND originator_version <= %s" if shape[1] else "",
                    " ORDER BY originator_version DESC"
                    if desc
                    else " ORDER BY originator_version ASC",
                    " LIMIT %s" if shape[3] else "",
                ]
            )
        params = [originator_id, *(v for v in (gt, lte, limit) if v is not None)]
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True)
            return [
                StoredEvent(
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in curs.fetchall()
            ]

    @store_retry
    def select_notifications(self, *args, **kwargs):
        """The library's, retried within seconds when the database is away."""
        return PostgresApplicationRecorder.select_notifications.__wrapped__(self, *args, **kwargs)

    @store_retry
    def max_notification_id(self) -> int | None:
        """The library's, retried within seconds when the database is away."""
        return PostgresApplicationRecorder.max_notification_id.__wrapped__(self)

    @store_retry
    def insert_events(self, stored_events: list[StoredEvent], **kwargs) -> list[int] | None:
        if not stored_events:
            return None
        # On an error the pool's connection context rolls the aborted transaction back.
        with self.datastore.get_connection() as conn:
            if len(stored_events) <= self.ONE_TRIP_MAX:
                return self._insert_in_one_trip(conn, stored_events)
            return self._insert_row_by_row(conn, stored_events)

    def _insert_row_by_row(self, conn, stored_events: list[StoredEvent]) -> list[int]:
        # One prepared INSERT per row, pipelined: psycopg dumps the rows in C, where arrays for
        # unnest were dumped element by element in Python (18.7 vs 12.2 µs a row, 1,500 rows).
        rows = [(e.originator_id, e.originator_version, e.topic, e.state) for e in stored_events]
        with conn.cursor() as curs:
            curs.execute(self.begin_and_lock)
            curs.executemany(self.insert_row, rows, returning=True)
            ids = [curs.fetchone()["notification_id"]]
            while curs.nextset():
                ids.append(curs.fetchone()["notification_id"])
            curs.execute("COMMIT")
            return ids

    def _insert_in_one_trip(self, conn, stored_events: list[StoredEvent]) -> list[int]:
        # VALUES, not unnest: a simple query is planned afresh, and VALUES plans cheaply.
        rows = ",".join(["(%s,%s,%s,%s)"] * len(stored_events))
        params = [
            v
            for e in stored_events
            for v in (e.originator_id, e.originator_version, e.topic, e.state)
        ]
        with ClientCursor(conn) as curs:
            curs.execute(f"{self.save_head}{rows} RETURNING notification_id; COMMIT", params)
            # One result per statement: move on to the INSERT's notification ids.
            while not curs.statusmessage.startswith("INSERT"):
                curs.nextset()
            return self._fetch_ids_after_insert_events(curs, stored_events)


class PicklingRepository(Repository[UUID]):
    """The library's repository, with three costs taken out (measured by bench: ledger_record).

    Cached aggregates are copied, not deepcopied: a traveler by ``Traveler.detached`` (5 µs
    against 90 µs by pickle at 40 crossings), others by pickle. A fast-forwarded traveler is
    copied under the fast-forward lock, so no other thread's fast-forward can change it
    mid-copy; a reconstructed one is handed out and the cache gets a copy, so it is never
    shared. Events are applied without the library's per-event runtime Protocol check.
    """

    def get(
        self,
        aggregate_id: UUID,
        *,
        version: int | None = None,
        projector_func=None,
        fastforward_skipping: bool = False,
        deepcopy_from_cache: bool = True,
    ):
        projector_func = projector_func or _project
        copying = (
            self.cache and version is None and deepcopy_from_cache and self.deepcopy_from_cache
        )
        if not (copying and self.fastforward):
            aggregate = super().get(
                aggregate_id,
                version=version,
                projector_func=projector_func,
                fastforward_skipping=fastforward_skipping,
                deepcopy_from_cache=False,
            )
            return _copy(aggregate) if copying else aggregate
        try:
            cached = self.cache.get(aggregate_id)
        except KeyError:
            aggregate = self._reconstruct_aggregate(aggregate_id, None, projector_func)
            self.cache.put(aggregate_id, _copy(aggregate))
            return aggregate
        lock = self._use_fastforward_lock(aggregate_id)
        try:
            if not lock.acquire(blocking=not (fastforward_skipping or self.fastforward_skipping)):
                return _pickled(cached)  # skipping: another thread is fast-forwarding it
            try:
                new_events = self.event_store.get(originator_id=aggregate_id, gt=cached.version)
                aggregate = projector_func(cached, new_events)
                if aggregate is None:
                    raise AggregateNotFoundError(aggregate_id)
                return _copy(aggregate)
            finally:
                lock.release()
        finally:
            self._disuse_fastforward_lock(aggregate_id)

    def keep(self, aggregate) -> None:
        """Cache a just-saved aggregate; with fast-forward on, the library keeps the old one."""
        if not self.cache or aggregate.pending_events:
            return
        try:
            current = self.cache.get(aggregate.id)
        except KeyError:
            current = None
        if current is None or current.version < aggregate.version:
            self.cache.put(aggregate.id, aggregate)


def _project(aggregate, domain_events):
    """The library's ``project_aggregate`` without its per-event ``isinstance`` check against a
    runtime Protocol, which costs more than decoding the event on Python 3.11."""
    for event in domain_events:
        aggregate = event.mutate(aggregate)
    return aggregate


def _copy(aggregate):
    return aggregate.detached() if isinstance(aggregate, Traveler) else _pickled(aggregate)


def _pickled(aggregate):
    return pickle.loads(pickle.dumps(aggregate, pickle.HIGHEST_PROTOCOL))


class LedgerProcessingEvent(ProcessingEvent[UUID]):
    """The library's, with a nominal ``isinstance`` first: checks against its runtime Protocols
    cost some 20 µs each on Python 3.11, two per saved aggregate (bench: ledger_batch)."""

    def collect_events(self, *objs, **kwargs) -> None:
        for obj in objs:
            if isinstance(obj, Aggregate):
                self.events.extend(obj.collect_events())
                self.aggregates[obj.id] = obj
            else:
                super().collect_events(obj)
        self.saved_kwargs.update(kwargs)


class LedgerApplication(Application[UUID]):
    """Stores the ledger; tables are ``borderledger_events`` (PostgreSQL) or ``stored_events``."""

    name = "BorderLedger"

    def __init__(self, database_url: str, extra_env: dict | None = None):
        self.database_url = database_url
        env = persistence_env(database_url)
        if not is_postgres(database_url):
            private_sqlite_file(sqlite_path(database_url))
        env.update(extra_env or {})
        postgres = is_postgres(database_url)
        create = strtobool(env.get("CREATE_TABLE", "y"))
        if postgres:
            env.setdefault("APPLICATION_RECORDER_TOPIC", "infrastructure.ledger:LedgerRecorder")
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
        """The library's ``save``, collecting with ``LedgerProcessingEvent``."""
        processing_event = LedgerProcessingEvent()
        processing_event.collect_events(*objs, **kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)
        return recordings

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

    def claims(self, key_ids: list[UUID]) -> dict[UUID, UUID]:
        """The traveler of each claimed document key among ``key_ids``, read in one query."""
        if not key_ids:
            return {}
        recorder = self.recorder
        columns = "originator_id, originator_version, topic, state"
        if self.is_postgres:
            query = sql.SQL(
                "SELECT " + columns + " FROM {}.{} WHERE originator_id = ANY(%s)"
                " AND originator_version = 1"
            ).format(
                sql.Identifier(recorder.datastore.schema),
                sql.Identifier(recorder.events_table_name),
            )
            params: list = [list(key_ids)]
        else:
            marks = ",".join("?" * len(key_ids))
            query = (
                f"SELECT {columns} FROM {recorder.events_table_name}"
                f" WHERE originator_id IN ({marks}) AND originator_version = 1"
            )
            params = [k.hex for k in key_ids]
        with recorder.datastore.transaction(commit=False) as cur:
            cur.execute(query, params)
            rows = cur.fetchall()
        out = {}
        for row in rows:
            event = self.mapper.to_domain_event(
                StoredEvent(
                    originator_id=UUID(str(row["originator_id"])),
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
            )
            if isinstance(event, DocumentKey.Claimed):
                out[event.originator_id] = event.traveler_id
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
