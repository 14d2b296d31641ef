"""The checks every endpoint runs before its content is read, in the contract's order."""

from __future__ import annotations

from functools import wraps

from flask import current_app, g, request
from werkzeug.exceptions import TooManyRequests, UnsupportedMediaType

from web.auth import authenticate

CALCULATOR, VERIFICATION = "calculator", "verification"


def guarded(view, roles: tuple[str, ...], body: bool, limit: str | None):
    """Authentication and role (401/403), rate limit (429), then JSON content type (415)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if roles:
            authenticate(roles)
        if limit:
            _count(limit)
        if body and not request.is_json:
            raise UnsupportedMediaType("the request body must be application/json")
        return view(*args, **kwargs)

    return wrapper


def answers_of(
    roles: tuple[str, ...], body: bool, limit: str | None, errors: tuple[int, ...], store: bool
) -> set[int]:
    """The error statuses a guarded endpoint may answer besides its own ``errors``."""
    codes = {*errors, 503} if store else set(errors)
    if roles:
        codes |= {401, 403}
    if limit:
        codes.add(429)
    if body:
        codes |= {400, 413, 415}
    return codes


def _count(limit: str) -> None:
    key = g.principal.employer_id if limit == VERIFICATION else (request.remote_addr or "-")
    wait = current_app.extensions["borderledger.limits"][limit].hit(key or "-")
    if wait is not None:
        raise TooManyRequests(f"too many {limit} requests; retry later", retry_after=wait)
