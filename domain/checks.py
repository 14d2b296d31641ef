"""Checks every command shares, so each rule is written, and worded, once."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.errors import ValidationError

FUTURE_TOLERANCE = timedelta(hours=24)


def require_instant(name: str, value: datetime) -> None:
    """Instants carry an offset: a naive one would be read in whatever zone the server runs."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError({name: ["an instant with a UTC offset is required"]})


def require_past(name: str, value: datetime, now: datetime) -> None:
    """A crossing may be recorded a little ahead (clock skew at the post), never a day ahead."""
    require_instant(name, value)
    if value > now + FUTURE_TOLERANCE:
        raise ValidationError({name: ["more than 24 hours in the future"]})


def require_reason(reason: str | None) -> None:
    """Corrections, voids and terminations are accountable: each says why."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": ["a reason is required"]})
