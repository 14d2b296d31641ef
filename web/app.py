"""The Flask application factory: nothing is built until ``create_app`` is called."""

from __future__ import annotations

from flask import Flask

from infrastructure.bootstrap import build_runtime
from infrastructure.settings import Settings
from infrastructure.usecases.context import utc_now
from web.api import answers, audit, crossings, erasure, exemptions, meta, reference, travelers
from web.api import ledger as ledger_api
from web.guards import CALCULATOR, VERIFICATION
from web.openapi import SETTINGS as OPENAPI_SETTINGS
from web.openapi import LedgerApi
from web.problems import register_error_handlers
from web.throttle import FallbackLimiter, RateLimiter
from web.ui import register_pages


def create_app(config: dict | None = None) -> Flask:
    """Build the API around one ledger.

    ``config`` may carry ``SETTINGS`` (default: from the environment), ``CLOCK`` (default: UTC
    now), ``LEDGER`` (an already built ledger to share), and any Flask setting.
    """
    config = dict(config or {})
    settings: Settings = config.pop("SETTINGS", None) or Settings.from_env()
    clock = config.pop("CLOCK", utc_now)
    ledger = config.pop("LEDGER", None) or build_runtime(settings, clock)

    app = Flask(__name__)
    app.config.update(OPENAPI_SETTINGS)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config.update(config)
    app.extensions["borderledger"] = ledger
    app.extensions["borderledger.limits"] = {
        CALCULATOR: _limiter(ledger, CALCULATOR, settings.calculator_per_minute),
        VERIFICATION: _limiter(ledger, VERIFICATION, settings.verification_per_minute),
    }
    api = LedgerApi(app)
    app.extensions["borderledger.api"] = api
    blueprints = (travelers, erasure, crossings, exemptions, answers, audit, ledger_api)
    for module in (*blueprints, reference, meta):
        api.register_blueprint(module.blp)
    register_error_handlers(app)
    app.after_request(_not_stored)
    register_pages(app, settings.secret_key, settings.trusted_proxies)
    return app


def _not_stored(response):
    """Most answers carry personal data (who crossed where, names, document links): no cache
    keeps any answer, unless a view says otherwise."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _limiter(ledger, name: str, per_minute: int):
    """Shared through PostgreSQL, whose server runs several workers; in-process on SQLite."""
    shared = ledger.shared_limiter(name, per_minute)
    if shared is not None:
        return FallbackLimiter(shared, RateLimiter(per_minute))
    return RateLimiter(per_minute)
