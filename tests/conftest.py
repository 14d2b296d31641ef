"""Shared fixtures: a throwaway PostgreSQL database per test session and a SQLite file per test."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

DEFAULT_TEST_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _with_database(url: str, dbname: str) -> str:
    """Return ``url`` with its database name replaced by ``dbname`` (query string kept)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database created for this test session and dropped after it.

    The server comes from ``TEST_POSTGRES_URL``. When it is unreachable the tests using this
    fixture are skipped, or fail when ``REQUIRE_POSTGRES=1``.
    """
    base_url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_TEST_POSTGRES_URL)
    try:
        admin = psycopg.connect(base_url, connect_timeout=3, autocommit=True)
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL unreachable at TEST_POSTGRES_URL={base_url!r}: {exc}"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)

    dbname = f"borderledger_test_{secrets.token_hex(6)}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        yield _with_database(base_url, dbname)
    finally:
        with psycopg.connect(base_url, connect_timeout=3, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """URL of a SQLite database file in the test's own temporary directory."""
    return f"sqlite:///{tmp_path}/ledger.db"
