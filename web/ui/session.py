"""Who is signed in to the pages: a signed session cookie holding the token, and CSRF checks."""

from __future__ import annotations

import hmac
import secrets
from functools import wraps

from flask import current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import BadRequest, Forbidden, Unauthorized

from infrastructure.bootstrap import derived_key
from web.auth import Principal, read_token

COOKIE = "borderledger_ui"
CSRF_FIELD = "csrf_token"


class PageSessionInterface(SecureCookieSessionInterface):
    """The pages' cookie: own key, only sent to /ui/, HttpOnly, SameSite=Strict, Secure on HTTPS."""

    def __init__(self, secret: str, proxy_hops: int):
        self._key = derived_key(secret, "ui-session")
        self._hops = proxy_hops

    def get_signing_serializer(self, app):
        return URLSafeTimedSerializer(
            self._key,
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )

    def get_cookie_name(self, app) -> str:
        return COOKIE

    def get_cookie_path(self, app) -> str:
        return "/ui"

    def get_cookie_httponly(self, app) -> bool:
        return True

    def get_cookie_samesite(self, app) -> str:
        return "Strict"

    def get_cookie_secure(self, app) -> bool:
        return over_https(self._hops)


def over_https(proxy_hops: int) -> bool:
    """HTTPS here, or said so by the nearest of ``proxy_hops`` trusted proxies (none by default)."""
    if request.is_secure:
        return True
    if proxy_hops <= 0:
        return False
    said = [p.strip() for p in request.headers.get("X-Forwarded-Proto", "").split(",")]
    return len(said) >= proxy_hops and said[-proxy_hops] == "https"


def csrf_token() -> str:
    """The session's CSRF token, made on first use (every form carries it)."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    sent = request.form.get(CSRF_FIELD, "")
    kept = session.get(CSRF_FIELD, "")
    if not kept or not hmac.compare_digest(sent.encode(), kept.encode()):
        raise BadRequest("This form has expired or did not come from this site: reload the page.")


def sign_in(token: str) -> Principal:
    """Keep a valid token in a fresh session (a new CSRF token too: no fixation)."""
    principal = read_token(current_app.extensions["borderledger"].settings.secret_key, token)
    session.clear()
    session["token"] = token
    csrf_token()
    return principal


def signed_in() -> Principal | None:
    token = session.get("token")
    if not token:
        return None
    try:
        return read_token(current_app.extensions["borderledger"].settings.secret_key, token)
    except Unauthorized:
        session.pop("token", None)
        return None


def page(*roles: str):
    """Signed in with one of ``roles`` (else to the sign-in page, or 403); POSTs need CSRF."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = signed_in()
            if principal is None:
                return redirect(url_for("ui.home"), 303)
            if principal.role not in roles:
                raise Forbidden(f"The {principal.role} role may not open this page.")
            g.principal = principal
            if request.method == "POST":
                check_csrf()
            return view(*args, **kwargs)

        return wrapper

    return decorator
