"""The recorders: PostgreSQL with fewer round trips, and both keeping travelers' wrapped data
keys in the transaction of their events (checked against eventsourcing 9.5.6).

Private members relied on: ``lock_table_statements``, ``select_events_statement``,
``channel_name``, ``_fetch_ids_after_insert_events``, ``_insert_events`` (SQLite) and the
``__wrapped__`` of the library's retrying ``select_notifications`` and ``max_notification_id``.

``insert_events`` takes two more keywords: ``data_keys`` (traveler id, wrapped key) rows to
insert and ``shred`` (traveler ids) whose keys to delete, with the events or not at all.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg import ClientCursor, sql

from infrastructure.retries import store_retry

# Each traveler's data key, wrapped by the master key (PostgreSQL DDL: migrations.py).
DATA_KEYS_TABLE = "borderledger_data_keys"
SQLITE_DATA_KEYS_TABLE = "data_keys"


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder, with the data key table beside the events."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {SQLITE_DATA_KEYS_TABLE}"
            " (traveler_id TEXT PRIMARY KEY, wrapped BLOB NOT NULL)",
        ]

    def _insert_events(self, c, stored_events, *, data_keys=(), shred=(), **kwargs):
        if data_keys:
            c.executemany(
                f"INSERT INTO {SQLITE_DATA_KEYS_TABLE} VALUES (?, ?)",
                [(tid.hex, wrapped) for tid, wrapped in data_keys],
            )
        if shred:
            c.executemany(
                f"DELETE FROM {SQLITE_DATA_KEYS_TABLE} WHERE traveler_id = ?",
                [(tid.hex,) for tid in shred],
            )
        return super()._insert_events(c, stored_events, **kwargs)

    def select_data_key(self, traveler_id: UUID) -> bytes | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT wrapped FROM {SQLITE_DATA_KEYS_TABLE} WHERE traveler_id = ?",
                (traveler_id.hex,),
            )
            row = c.fetchone()
        return bytes(row[0]) if row else None


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
        # Plain text once, not composed on every save (bench: ledger_record).
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
        keys = sql.Identifier(datastore.schema, DATA_KEYS_TABLE)
        self.insert_key = sql.SQL("INSERT INTO {0} (traveler_id, wrapped) VALUES ").format(keys)
        self.insert_key_row = sql.SQL(
            "INSERT INTO {0} (traveler_id, wrapped) VALUES (%s, %s)"
        ).format(keys)
        self.delete_keys = sql.SQL("DELETE FROM {0} WHERE traveler_id = ANY(%s)").format(keys)
        self.select_key = sql.SQL("SELECT wrapped FROM {0} WHERE traveler_id = %s").format(keys)

    @store_retry
    def select_data_key(self, traveler_id: UUID) -> bytes | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_key, (traveler_id,))
            row = curs.fetchone()
        return bytes(row["wrapped"]) if row else None

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
        (bench: ledger_record)."""
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
    def insert_events(
        self, stored_events: list[StoredEvent], *, data_keys=(), shred=(), **kwargs
    ) -> list[int] | None:
        if not stored_events:
            return None
        # On an error the pool's connection context rolls the aborted transaction back.
        with self.datastore.get_connection() as conn:
            if len(stored_events) + len(data_keys) <= self.ONE_TRIP_MAX:
                return self._insert_in_one_trip(conn, stored_events, data_keys, shred)
            return self._insert_row_by_row(conn, stored_events, data_keys, shred)

    def _insert_row_by_row(
        self, conn, stored_events: list[StoredEvent], data_keys=(), shred=()
    ) -> list[int]:
        # One prepared INSERT per row, pipelined: psycopg dumps the rows in C, where arrays for
        # unnest were dumped element by element in Python (bench: ledger_batch).
        rows = [(e.originator_id, e.originator_version, e.topic, e.state) for e in stored_events]
        with conn.cursor() as curs:
            curs.execute(self.begin_and_lock)
            if data_keys:
                curs.executemany(self.insert_key_row, list(data_keys))
            if shred:
                curs.execute(self.delete_keys, (list(shred),))
            curs.executemany(self.insert_row, rows, returning=True)
            ids = [curs.fetchone()["notification_id"]]
            while curs.nextset():
                ids.append(curs.fetchone()["notification_id"])
            curs.execute("COMMIT")
            return ids

    def _insert_in_one_trip(
        self, conn, stored_events: list[StoredEvent], data_keys=(), shred=()
    ) -> list[int]:
        # VALUES, not unnest: a simple query is planned afresh, and VALUES plans cheaply.
        rows = ",".join(["(%s,%s,%s,%s)"] * len(stored_events))
        params = [
            v
            for e in stored_events
            for v in (e.originator_id, e.originator_version, e.topic, e.state)
        ]
        # Keys after the events' INSERT, whose result (the ids) is the first one read below.
        keys = ""
        if data_keys:
            keys += "; " + self.insert_key.as_string(conn) + ",".join(["(%s,%s)"] * len(data_keys))
            params += [v for row in data_keys for v in row]
        if shred:
            keys += "; " + self.delete_keys.as_string(conn)
            params.append(list(shred))
        with ClientCursor(conn) as curs:
            curs.execute(f"{self.save_head}{rows} RETURNING notification_id{keys}; COMMIT", params)
            # One result per statement: move on to the INSERT's notification ids.
            while not curs.statusmessage.startswith("INSERT"):
                curs.nextset()
            return self._fetch_ids_after_insert_events(curs, stored_events)
