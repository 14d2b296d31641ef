"""The hash chain over stored events: the only place that hashes events, and judges a chain."""

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


@dataclass(frozen=True, slots=True)
class ChainProblem:
    version: int
    kind: str


@dataclass(frozen=True, slots=True)
class Link:
    """One stored event as the seal check saw it: where it is stored, and the version its seal
    vouches for (None: no valid seal for any version near it; edited, forged or undecodable)."""

    version: int
    sealed_as: int | None


def chain_problems(links: Iterable[Link]) -> list[ChainProblem]:
    """Where one originator's stored events, in stored order, break the sealed chain, and how.

    A seal vouches for an event's exact bytes at one version, so: an unsealed event at a place
    whose sealed original survives elsewhere was ``inserted``; otherwise it was ``edited`` (a
    single unsealed event at the end after a sealed one reads as ``inserted``: a forged append,
    or a rewritten last event); sealed events out of order are ``reordered``; a version no
    event vouches for, below the highest that one does, is ``missing``.
    """
    links = sorted(links, key=lambda link: link.version)
    vouched = {link.sealed_as for link in links if link.sealed_as is not None}
    top = max(vouched, default=0)
    problems: list[ChainProblem] = []
    standing_in = set()
    for i, link in enumerate(links):
        if link.sealed_as is not None:
            continue
        appended = (
            i == len(links) - 1 and i > 0 and links[i - 1].sealed_as is not None
        ) and link.version > top
        if link.version in vouched or appended:
            problems.append(ChainProblem(link.version, INSERTED))
        else:
            standing_in.add(link.version)
            problems.append(ChainProblem(link.version, EDITED))
    sealed = [link for link in links if link.sealed_as is not None]
    suffix_min, low = [], None
    for link in reversed(sealed):
        low = link.sealed_as if low is None else min(low, link.sealed_as)
        suffix_min.append(low)
    suffix_min.reverse()
    high = 0
    for i, link in enumerate(sealed):
        later = suffix_min[i + 1] if i + 1 < len(sealed) else None
        if high >= link.sealed_as or (later is not None and later <= link.sealed_as):
            problems.append(ChainProblem(link.version, REORDERED))
        high = max(high, link.sealed_as)
    for version in range(1, top + 1):
        if version not in vouched and version not in standing_in:
            problems.append(ChainProblem(version, MISSING))
    return sorted(problems, key=lambda p: (p.version, p.kind))


class KeepsChainHead:
    """Mixed into an aggregate's events: applying one keeps the aggregate's chain head, the hash
    of its last stored event (a new event has none until it is stored, and the head stays on the
    one before it); the event store chains the next event to that head."""

    def mutate(self, aggregate):
        result = super().mutate(aggregate)
        if "hash" in self.__dict__:
            result.head_hash = self.__dict__["hash"]
        elif aggregate is None:
            result.head_hash = GENESIS
        return result


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
