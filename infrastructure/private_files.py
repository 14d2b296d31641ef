"""Files that hold personal data: readable and writable by their owner only (0600)."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE = 0o600
_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def private_sqlite_file(path: str) -> None:
    """Make the database file 0600 before SQLite opens it: SQLite gives its -wal and -shm the
    database file's mode, so they follow. Files left open to others by an earlier version are
    closed to them too."""
    if path == ":memory:" or path.startswith("file:") or not Path(path).parent.is_dir():
        return  # in memory, a URI of the caller's own, or a folder SQLite will report missing
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE))
    for suffix in _SQLITE_COMPANIONS:
        companion = Path(path + suffix)
        if companion.exists() and companion.stat().st_mode & 0o077:
            companion.chmod(PRIVATE)
