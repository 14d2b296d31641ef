"""The checks every endpoint runs before its content is read, in the contract's order."""

from __future__ import annotations

from copy import deepcopy
from functools import wraps
from http import HTTPStatus

from flask import current_app, g, request
from werkzeug.exceptions import TooManyRequests, UnsupportedMediaType

from web.auth import authenticate

CALCULATOR, VERIFICATION = "calculator", "verification"


def endpoint(
    *,
    roles: tuple[str, ...] = (),
    body: bool = False,
    limit: str | None = None,
    errors: tuple[int, ...] = (),
    store: bool = True,
):
    """Authentication and role (401/403), rate limit (429), then JSON content type (415).

    Documents those answers and ``errors`` on the operation, plus 503 when it reads the store.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if roles:
                authenticate(roles)
            if limit:
                _count(limit)
            if body and not request.is_json:
                raise UnsupportedMediaType("the request body must be application/json")
            return view(*args, **kwargs)

        codes = {*errors, 503} if store else set(errors)
        if roles:
            codes |= {401, 403}
        if limit:
            codes.add(429)
        if body:
            codes |= {400, 413, 415}
        wrapper._apidoc = deepcopy(getattr(view, "_apidoc", {}))
        responses = wrapper._apidoc.setdefault("response", {}).setdefault("responses", {})
        for code in sorted(codes):
            responses.setdefault(code, []).append(HTTPStatus(code).name)
        if roles:
            manual = wrapper._apidoc.setdefault("manual_doc", {})
            manual["security"] = [{"bearerAuth": []}]
            note = f"Roles: {', '.join(roles)}."
            manual["description"] = f"{manual.get('description', '')} {note}".strip()
        return wrapper

    return decorator


def _count(limit: str) -> None:
    key = g.principal.employer_id if limit == VERIFICATION else (request.remote_addr or "-")
    wait = current_app.extensions["borderledger.limits"][limit].hit(key or "-")
    if wait is not None:
        raise TooManyRequests(f"too many {limit} requests; retry later", retry_after=wait)
