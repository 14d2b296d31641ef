"""The PostgreSQL schema, created in one step under one advisory lock.

API workers, the projection worker and a second ``serve`` start together on a new database, and
concurrent ``CREATE … IF NOT EXISTS`` still collide in the catalog (``pg_type_typname_nsp_index``):
every starter takes the same transaction lock, so the first creates and the others find it done.
"""

from __future__ import annotations

import contextlib
import re
import zlib
from collections.abc import Iterable
from urllib.parse import urlparse

import psycopg
from psycopg import errors, sql

from infrastructure.checkpoints import FIRST_HEAD, TABLES
from infrastructure.eventstore.recorder import DATA_KEYS_TABLE
from infrastructure.settings import ConfigurationError, postgres_dsn, schema_of
from infrastructure.views_sql import REGISTRY_TABLE

RATE_LIMITS_TABLE = "borderledger_rate_limits"
LOCK_KEY = zlib.crc32(b"borderledger:schema")
CONNECT_TIMEOUT_SECONDS = 5


class DatabaseMissing(ConfigurationError):
    """DATABASE_URL names a database the server does not have."""


def migrate(database_url: str, library_statements: Iterable[sql.Composable]) -> None:
    """Create the schema, the library's tables, the projection registry, the ledger head and its
    checkpoints, the rate limits and the travelers' wrapped data keys."""
    schema = schema_of(database_url)
    prefix = sql.Identifier(schema).as_string() + "."
    with _connect(database_url) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        for statement in library_statements:
            if "CREATE TYPE" in statement.as_string(conn):
                # No IF NOT EXISTS for types: a savepoint keeps the transaction usable.
                try:
                    with conn.transaction():
                        conn.execute(statement)
                except errors.DuplicateObject:
                    pass
            else:
                conn.execute(statement)
        conn.execute(REGISTRY_TABLE.replace("{p}", prefix))
        for statement in TABLES:
            conn.execute(statement.replace("{p}", prefix))
        conn.execute(FIRST_HEAD[0].replace("{p}", prefix), FIRST_HEAD[1])
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (name text, key text, minute bigint,"
                " hits integer NOT NULL, PRIMARY KEY (name, key, minute))"
            ).format(sql.Identifier(schema, RATE_LIMITS_TABLE))
        )
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (traveler_id uuid PRIMARY KEY,"
                " wrapped bytea NOT NULL)"
            ).format(sql.Identifier(schema, DATA_KEYS_TABLE))
        )


def diagnose(database_url: str) -> None:
    """After the pool failed to connect: raise ``DatabaseMissing`` if that is why."""
    with contextlib.suppress(psycopg.OperationalError):  # another reason: the caller's stands
        _connect(database_url).close()


def _connect(database_url: str) -> psycopg.Connection:
    try:
        return psycopg.connect(
            postgres_dsn(database_url), autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
        )
    except psycopg.OperationalError as e:
        missing = re.search(r'database "([^"]+)" does not exist', str(e))
        if missing:
            raise DatabaseMissing(_create_first(database_url, missing[1])) from None
        raise


def _create_first(database_url: str, name: str) -> str:
    """One line naming the database and how to create it."""
    url = urlparse(postgres_dsn(database_url))
    host, port, user = url.hostname or "127.0.0.1", url.port or 5432, url.username or "postgres"
    return (
        f'database "{name}" does not exist on {host}:{port}; create it first: '
        f"createdb -h {host} -p {port} -U {user} {name} "
        f'(or in psql: CREATE DATABASE "{name}";)'
    )
