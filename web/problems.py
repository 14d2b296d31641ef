"""Every error as application/problem+json (RFC 9457), whatever raised it."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

from flask import Flask, Response
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from domain.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    LedgerIntegrityError,
    NotFoundError,
    ValidationError,
)
from infrastructure.errors import StoreUnavailable

PROBLEM_JSON = "application/problem+json"
LEDGER_INTEGRITY = "/problems/ledger-integrity"
STORE_RETRY_AFTER = 5
_DOMAIN_STATUS = {
    ValidationError: 422,
    ConflictError: 409,
    NotFoundError: 404,
    ForbiddenError: 403,
}
log = logging.getLogger(__name__)


class ProblemSchema(Schema):
    """RFC 9457 problem details; ``errors`` maps fields to messages on validation errors."""

    type = fields.String(required=True, metadata={"example": "about:blank"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


def problem_body(
    status: int, detail: str, errors: dict | None = None, extra: dict | None = None
) -> dict:
    """One body for the app's errors and for those the HTTP server writes itself."""
    body = {
        **(extra or {}),
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return body


def problem(
    status: int,
    detail: str,
    errors: dict | None = None,
    headers: dict | None = None,
    extra: dict | None = None,
) -> Response:
    body = problem_body(status, detail, errors, extra)
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON, headers=headers or {})


def flat_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """Nested marshmallow messages as ``{"a.0.b": ["…"]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = "_" if key == "_schema" else str(key)
            out.update(flat_errors(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "_"] = list(messages)
    elif isinstance(messages, list):
        for i, value in enumerate(messages):
            out.update(flat_errors(value, f"{prefix}.{i}" if prefix else str(i)))
    else:
        out[prefix or "_"] = [str(messages)]
    return out


def _located(messages: dict) -> dict:
    """webargs keys errors by location ({"json": {...}}); clients want the fields."""
    if isinstance(messages, dict) and len(messages) == 1:
        ((location, inner),) = messages.items()
        if location in ("json", "query", "view_args") and isinstance(inner, dict):
            return inner
    return messages


def http_problem(error: HTTPException) -> Response:
    """Flask's and webargs' HTTP errors (404, 405, 400, 413, 422, 429, …)."""
    data = getattr(error, "data", None) or {}
    errors = None
    if error.code == 422 and "messages" in data:
        errors = flat_errors(_located(data["messages"]))
    detail = data.get("message") or error.description or HTTPStatus(error.code).phrase
    if error.code == 400 and "messages" in data:
        detail = "the request body is not valid JSON"
    if error.code == 422 and errors:
        detail = "the request content is invalid"
    headers = {
        k: v for k, v in error.get_headers() if k.lower() not in ("content-type", "content-length")
    }
    headers.update(data.get("headers") or {})
    return problem(error.code, detail, errors, headers)


def store_problem(detail: str, extra: dict | None = None) -> Response:
    """503 with ``Retry-After``: the store is down or refuses writes."""
    return problem(503, detail, headers={"Retry-After": str(STORE_RETRY_AFTER)}, extra=extra)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(LedgerIntegrityError)
    def ledger_integrity(e: LedgerIntegrityError):
        log.error("ledger integrity: %s", e)
        body = problem_body(500, str(e), extra={"traveler_id": str(e.originator_id)})
        body.update(type=LEDGER_INTEGRITY, version=e.version, kind=e.kind)
        return Response(json.dumps(body), status=500, mimetype=PROBLEM_JSON)

    @app.errorhandler(DomainError)
    def domain_error(e: DomainError):
        status = next((s for cls, s in _DOMAIN_STATUS.items() if isinstance(e, cls)), 422)
        if isinstance(e, ValidationError):
            return problem(422, "the request content is invalid", e.errors)
        return problem(status, str(e))

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(e: StoreUnavailable):
        log.warning("store unavailable: %s", e)
        return store_problem("the ledger store is unavailable")

    @app.errorhandler(Exception)
    def unexpected(e: Exception):
        if isinstance(e, HTTPException):
            return http_problem(e)
        log.exception("unhandled error")
        return problem(500, "an unexpected error occurred")
