"""The hash chain over a traveler's events: any edit of a stored event breaks it."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from uuid import UUID

GENESIS = ""


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def event_hash(
    topic: str,
    originator_id: UUID,
    version: int,
    recorded_at: datetime,
    actor: str,
    office: str | None,
    data: dict,
    previous_hash: str,
) -> str:
    """SHA-256 of the event's canonical JSON, chained to the previous event's hash."""
    body = {
        "topic": topic,
        "originator_id": str(originator_id),
        "version": version,
        "recorded_at": recorded_at.isoformat(),
        "actor": actor,
        "office": office,
        "data": _plain(data),
        "previous_hash": previous_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
