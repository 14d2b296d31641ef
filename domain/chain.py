"""The hash chain over a traveler's events: any edit of a stored event breaks it."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from uuid import UUID

import orjson

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
_FAST = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
# Values orjson writes exactly as the json module does (instants and days go through _plain).
# Floats (NaN, exponents), ints beyond 64 bits and nested data take the json module's path.
_SAME_IN_ORJSON = frozenset({str, int, bool, type(None), datetime, date, UUID})


def _writes_the_same(data: dict) -> bool:
    """Whether orjson's canonical bytes for ``data`` are the json module's: a 1 µs check."""
    for k, v in data.items():
        t = type(v)
        if type(k) is not str or t not in _SAME_IN_ORJSON:
            return False
        if t is int and not -(2**63) <= v < 2**63:
            return False
    return True


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
    if _writes_the_same(data):
        try:
            return hashlib.sha256(orjson.dumps(body, default=_plain, option=_FAST)).hexdigest()
        except orjson.JSONEncodeError:
            pass  # text that is not UTF-8 (lone surrogates): fail as the json module does
    return hashlib.sha256(_CANONICAL.encode(body).encode()).hexdigest()
