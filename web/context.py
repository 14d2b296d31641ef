"""Where a request finds the ledger the app was built with."""

from __future__ import annotations

from flask import current_app

from infrastructure.service import LedgerService


def ledger():
    """The object built at start-up: ``.service``, ``.settings`` and ``.read``."""
    return current_app.extensions["borderledger"]


def service() -> LedgerService:
    return ledger().service
