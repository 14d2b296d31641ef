"""Wiring: settings in, a ready ledger service out."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from domain.posts import BorderPost, PostRegistry
from domain.rulebook import default_rulebook
from infrastructure.ledger import LedgerApplication
from infrastructure.ratelimits import SharedRateLimiter
from infrastructure.readside import ReadSide
from infrastructure.service import LedgerService
from infrastructure.settings import ConfigurationError, Settings
from infrastructure.usecases.context import utc_now


def load_posts(path: str | None) -> PostRegistry:
    """The shipped registry, extended by a JSON list of posts when configured."""
    registry = PostRegistry()
    if not path:
        return registry
    try:
        extra = [BorderPost(**row) for row in json.loads(Path(path).read_text())]
        return registry.with_posts(extra)
    except (OSError, ValueError, TypeError) as e:
        raise ConfigurationError(f"BORDERLEDGER_POSTS_FILE: {e}") from e


def derived_key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


def build_service(
    settings: Settings, clock: Callable[[], datetime] = utc_now, app_env: dict | None = None
) -> LedgerService:
    app = LedgerApplication(settings.database_url, app_env, settings.keys)
    return LedgerService(
        app=app,
        rulebook=default_rulebook(settings.kaz_effective),
        posts=load_posts(settings.posts_file),
        document_key=derived_key(settings.document_key.decode(), "document-index"),
        receipt_key=derived_key(settings.secret_key, "verification-receipt"),
        clock=clock,
    )


def prepare_store(settings: Settings) -> None:
    """Create the store's tables now (a missing database fails here, in one line)."""
    LedgerApplication(settings.database_url, keys=settings.keys).close()


@dataclass
class Runtime:
    """What a process needs: the write service, the read side and the settings they came from."""

    service: LedgerService
    read: ReadSide
    settings: Settings

    def shared_limiter(self, name: str, per_minute: int) -> SharedRateLimiter | None:
        """A request limit counted in PostgreSQL for every server process; None on SQLite."""
        if not self.service.is_postgres:
            return None
        return SharedRateLimiter(self.service.app, name, per_minute)


def build_runtime(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Runtime:
    service = build_service(settings, clock)
    key = derived_key(settings.document_key.decode(), "document-index")
    return Runtime(service, ReadSide(service.app, service.rulebook, key, clock), settings)
