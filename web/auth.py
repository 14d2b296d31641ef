"""Signed bearer tokens (HS256) and the roles and scopes they carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from flask import current_app, g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from domain.posts import PostRegistry
from infrastructure.settings import MAX_TOKEN_TTL_SECONDS
from infrastructure.usecases.context import Actor

ALGORITHM = "HS256"
# Checked on every token: one signed for another service with the same key is not ours.
ISSUER = "borderledger"
AUDIENCE = "borderledger-api"
REGISTRAR, AUDITOR, EMPLOYER, ADMIN = "registrar", "auditor", "employer", "admin"
ROLES = (REGISTRAR, AUDITOR, EMPLOYER, ADMIN)


class TokenError(ValueError):
    """A token cannot be issued with these claims."""


@dataclass(frozen=True)
class Principal:
    """Who a valid token speaks for."""

    subject: str
    role: str
    office: str | None = None
    employer_id: str | None = None

    def actor(self, posts: PostRegistry) -> Actor:
        """The service-level actor: registrars may record only at their office's posts."""
        if self.role == REGISTRAR:
            return Actor(
                self.subject, self.office, posts=frozenset(posts.posts_of_office(self.office or ""))
            )
        if self.role == ADMIN:
            return Actor(self.subject, self.office, admin=True)
        return Actor(self.subject, self.office, employer_id=self.employer_id)


def issue_token(
    secret: str,
    role: str,
    now: datetime,
    ttl_seconds: int,
    subject: str | None = None,
    office: str | None = None,
    employer_id: str | None = None,
) -> str:
    if role not in ROLES:
        raise TokenError(f"role must be one of {', '.join(ROLES)}")
    if role == REGISTRAR and not office:
        raise TokenError("a registrar token needs --office")
    if role == EMPLOYER and not employer_id:
        raise TokenError("an employer token needs --employer")
    if not 0 < ttl_seconds <= MAX_TOKEN_TTL_SECONDS:
        raise TokenError(f"the time to live must be 1 to {MAX_TOKEN_TTL_SECONDS} seconds (30 days)")
    if not all(_recordable(v) for v in (subject, office, employer_id) if v is not None):
        raise TokenError("subject, office and employer must be printable text of 1-100 chars")
    claims = {
        "sub": subject or f"{role}@{office or employer_id or 'ledger'}",
        "role": role,
        "office": office,
        "employer_id": employer_id,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(secret: str, token: str) -> Principal:
    """The token's principal; raises Unauthorized when it is bad, expired or incomplete."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            audience=AUDIENCE,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
    except (jwt.PyJWTError, ValueError, UnicodeError) as e:
        raise _unauthorized(f"invalid token: {e}") from None
    if int(claims["exp"]) - int(claims["iat"]) > MAX_TOKEN_TTL_SECONDS:
        raise _unauthorized("invalid token: it may live at most 30 days")
    role = claims.get("role")
    office, employer_id = claims.get("office"), claims.get("employer_id")
    if (
        role not in ROLES
        or not _recordable(claims["sub"])
        or not all(v is None or _recordable(v) for v in (office, employer_id))
        or (role == REGISTRAR and not office)
        or (role == EMPLOYER and not employer_id)
    ):
        raise _unauthorized("invalid token: role or scope claims are missing")
    return Principal(claims["sub"], role, office, employer_id)


def authenticate(roles: tuple[str, ...]) -> Principal:
    """The request's principal, if its role is one of ``roles`` (401, then 403)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("a bearer token is required")
    principal = read_token(
        current_app.extensions["borderledger"].settings.secret_key, token.strip()
    )
    if principal.role not in roles:
        raise Forbidden(f"the {principal.role} role may not do this")
    g.principal = principal
    return principal


def current_actor() -> Actor:
    return g.principal.actor(current_app.extensions["borderledger"].service.posts)


def _recordable(value) -> bool:
    """Claims are written on events: printable text that every store accepts."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= 100
        and value.isprintable()
        and not any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    )


def _unauthorized(detail: str) -> Unauthorized:
    return Unauthorized(
        detail, www_authenticate=WWWAuthenticate("Bearer", {"realm": "borderledger"})
    )
