"""Whether the SQLite store takes a write now: reads succeed on a locked, read-only or full
database, so a health check that only reads would say "ok" while every write fails."""

from __future__ import annotations

import sqlite3

PROBE_TIMEOUT_SECONDS = 0.5
_PROBE = (
    "BEGIN IMMEDIATE",
    "CREATE TABLE IF NOT EXISTS borderledger_write_probe "
    "(id integer PRIMARY KEY, writes integer NOT NULL)",
    "INSERT INTO borderledger_write_probe VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET writes = writes + 1",
    "COMMIT",
)


def sqlite_unwritable(path: str) -> str | None:
    """Why a committed one-row write fails within half a second, or None when it succeeds."""
    try:
        conn = sqlite3.connect(
            path, timeout=PROBE_TIMEOUT_SECONDS, isolation_level=None, uri=path.startswith("file:")
        )
    except sqlite3.Error as e:
        return str(e)
    try:
        for statement in _PROBE:
            conn.execute(statement)
        return None
    except sqlite3.Error as e:
        return str(e)
    finally:
        conn.close()
