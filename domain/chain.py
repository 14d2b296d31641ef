"""The hash chain over a traveler's events: any edit of a stored event breaks it."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from uuid import UUID

GENESIS = ""


def _plain(value):
    """What JSON cannot write itself, as ISO text or id text: no Python walk over the rest."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# One encoder for every hash: json.dumps with options builds a new one per call.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
)


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
        "data": data,
        "previous_hash": previous_hash,
    }
    canonical = _CANONICAL.encode(body)
    return hashlib.sha256(canonical.encode()).hexdigest()
