"""The database limit: psycopg alone, writing and reading event-sized rows."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable

import psycopg
from psycopg import sql

from bench.measure import elapsed, per_second
from bench.sizes import Sizes

TOPIC = "borderledger:Traveler.CrossingRecorded"
# The same shape and indexes as the library's events table, so the limit is a fair one.
DDL = """
CREATE TABLE IF NOT EXISTS bench_raw (
  originator_id uuid NOT NULL,
  originator_version bigint NOT NULL,
  topic text,
  state bytea,
  notification_id bigserial,
  PRIMARY KEY (originator_id, originator_version)
);
CREATE UNIQUE INDEX IF NOT EXISTS bench_raw_position ON bench_raw (notification_id);
"""
INSERT = (
    "INSERT INTO bench_raw (originator_id, originator_version, topic, state)"
    " VALUES (%s, %s, %s, %s)"
)


def _row() -> tuple:
    """One event-sized row: ≈250 bytes with its uuid, version and topic."""
    return (uuid.uuid4(), 1, TOPIC, os.urandom(190))


def _connect(url: str) -> psycopg.Connection:
    conn = psycopg.connect(url, autocommit=True)
    conn.execute(DDL)
    return conn


def raw_single_insert(url: str, sizes: Sizes) -> Callable[[], float]:
    """Rows per second, one durable transaction each."""
    conn = _connect(url)

    def run() -> float:
        rows = [_row() for _ in range(sizes.single)]

        def work():
            for row in rows:
                conn.execute(INSERT, row, prepare=True)

        return per_second(len(rows), work)

    return run


def raw_batch_insert(url: str, sizes: Sizes) -> Callable[[], float]:
    """Rows per second, ``executemany`` of 1,000 rows per transaction."""
    conn = _connect(url)

    def run() -> float:
        batches = [[_row() for _ in range(1000)] for _ in range(sizes.batches)]

        def work():
            for batch in batches:
                with conn.transaction(), conn.cursor() as cur:
                    cur.executemany(INSERT, batch)

        return per_second(1000 * len(batches), work)

    return run


def raw_read(url: str, schema: str, table: str) -> Callable[[], float]:
    """Rows per second, reading every row of the ledger's own events table in position order."""
    conn = psycopg.connect(url, autocommit=True)
    query = sql.SQL("SELECT * FROM {}.{} ORDER BY notification_id").format(
        sql.Identifier(schema), sql.Identifier(table)
    )

    def run() -> float:
        rows: list = []

        def work():
            with conn.cursor() as cur:
                cur.execute(query)
                rows.extend(cur.fetchall())

        seconds = elapsed(work)
        return len(rows) / seconds

    return run
