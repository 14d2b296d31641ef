"""One error for "the store is away or busy", so callers above infrastructure need no driver."""

from __future__ import annotations

import sqlite3
from functools import wraps

import psycopg
import psycopg_pool
from eventsourcing import persistence

# What a lost PostgreSQL connection raises, through the library's datastore or psycopg directly.
CONNECTION_ERRORS = (
    persistence.OperationalError,
    persistence.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
# What the drivers and the library raise when the database is down, unreachable, restarting
# or locked (SQLite's "database is locked"): the request may succeed if retried later.
DRIVER_ERRORS = (*CONNECTION_ERRORS, psycopg_pool.PoolTimeout, sqlite3.OperationalError)


class StoreUnavailable(Exception):
    """The ledger store cannot answer now (down, unreachable or locked); try again later."""


def store_boundary(func):
    """``func`` with the drivers' outage errors raised as ``StoreUnavailable``."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DRIVER_ERRORS as e:
            raise StoreUnavailable(str(e)) from e

    return wrapper


def store_boundary_class(cls):
    """``cls`` with ``store_boundary`` on each of its own public methods: a facade's callers
    see ``StoreUnavailable`` and never a driver's error."""
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and callable(member):
            setattr(cls, name, store_boundary(member))
    return cls
