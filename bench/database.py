"""A throwaway PostgreSQL database per run, and the server facts the output must state."""

from __future__ import annotations

import os
import platform
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
DURABILITY = ("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes", "commit_delay")
OTHER = ("shared_buffers", "max_connections", "wal_level")


def server_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_URL)


def with_database(url: str, dbname: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + dbname, query=""))


@contextmanager
def own_database(base_url: str | None = None) -> Iterator[str]:
    """Create ``borderledger_bench_<hex>`` and drop it afterwards, also when the run fails."""
    base_url = base_url or server_url()
    dbname = f"borderledger_bench_{secrets.token_hex(6)}"
    with psycopg.connect(base_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    try:
        yield with_database(base_url, dbname)
    finally:
        with psycopg.connect(base_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
            )


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(url: str) -> dict:
    """Cores, CPU, Python and the PostgreSQL version and durability settings of this run."""
    names = DURABILITY + OTHER
    with psycopg.connect(url, connect_timeout=5) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        rows = conn.execute(
            "SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s)", (list(names),)
        ).fetchall()
    settings = {name: setting + (f" ({unit})" if unit else "") for name, setting, unit in rows}
    return {
        "cores": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "postgres_version": version,
        **{name: settings.get(name) for name in names},
    }
