"""The hash chain over a traveler's events: the only place that hashes, and checks, events."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

GENESIS = ""
# Fields every Traveler event carries besides its own: the library's and the chain's.
ENVELOPE = frozenset(
    {
        "originator_id",
        "originator_version",
        "timestamp",
        "originator_topic",
        "recorded_at",
        "actor",
        "office",
        "previous_hash",
        "hash",
    }
)
EDITED, MISSING, INSERTED, REORDERED = "edited", "missing", "inserted", "reordered"
# Kinds only a whole-ledger check can find (``audit verify``).
TRUNCATED, BAD_SIGNATURE, CLAIM_MISMATCH = "truncated", "bad_signature", "claim_mismatch"
# The running ledger hash before the first event.
LEDGER_GENESIS = "0" * 64


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


def event_data(event) -> dict:
    """The event's own fields: what its hash covers beside the envelope."""
    return {
        f.name: getattr(event, f.name) for f in dataclasses.fields(event) if f.name not in ENVELOPE
    }


def event_hash(
    *,
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


def hash_of(event, data: dict | None = None) -> str:
    """The hash a stored event should carry, recomputed from its fields."""
    return event_hash(
        topic=type(event).TOPIC,
        originator_id=event.originator_id,
        version=event.originator_version,
        recorded_at=event.recorded_at,
        actor=event.actor,
        office=event.office,
        data=event_data(event) if data is None else data,
        previous_hash=event.previous_hash,
    )


@dataclass(frozen=True, slots=True)
class ChainProblem:
    version: int
    kind: str


def verify_chain(events: Iterable) -> list[ChainProblem]:
    """Where one traveler's events, in stored order, break the chain, and how.

    An event whose fields no longer give its hash was ``edited``; a gap in the versions means
    events are ``missing``; a link to a hash held by another event is ``reordered``; a link to a
    hash no event holds is ``inserted`` (written by someone who could not know the chain).
    """
    events = list(events)
    hashes = {e.hash for e in events}
    problems = []
    previous, version = GENESIS, 0
    for e in events:
        if e.originator_version != version + 1:
            problems.append(ChainProblem(e.originator_version, MISSING))
        elif e.previous_hash != previous:
            kind = REORDERED if e.previous_hash in hashes else INSERTED
            problems.append(ChainProblem(e.originator_version, kind))
        if e.hash != hash_of(e):
            problems.append(ChainProblem(e.originator_version, EDITED))
        previous, version = e.hash, e.originator_version
    return problems


def record_hash(*, originator_id: UUID, version: int, topic: str, state: bytes) -> str:
    """SHA-256 over an event exactly as stored, so a chain still verifies once data is erased."""
    digest = hashlib.sha256(originator_id.bytes)
    digest.update(version.to_bytes(8, "big"))
    digest.update(topic.encode())
    digest.update(b"\x00")
    digest.update(state)
    return digest.hexdigest()


def fold(ledger_hash: str, position: int, event_record_hash: str) -> str:
    """The running ledger hash after one more event, taken in position order."""
    return hashlib.sha256(f"{ledger_hash}:{position}:{event_record_hash}".encode()).hexdigest()


def checkpoint_message(
    *, position: int, events: int, ledger_hash: str, signed_at: str, key_id: str
) -> bytes:
    """The bytes a checkpoint's signature covers: what an auditor re-encodes to check it."""
    body = {
        "position": position,
        "events": events,
        "ledger_hash": ledger_hash,
        "signed_at": signed_at,
        "key_id": key_id,
    }
    return _CANONICAL.encode(body).encode()


def receipt_message(*, position: int, event_hash: str, signed_at: str) -> bytes:
    """The bytes a write receipt's signature covers."""
    body = {"position": position, "event_hash": event_hash, "signed_at": signed_at}
    return _CANONICAL.encode(body).encode()
