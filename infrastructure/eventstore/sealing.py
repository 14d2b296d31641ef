"""The seal on each stored event: its record hash under a key only the ledger holds.

A stored state is the mapper's JSON object with two last members the save path adds:
``"previous_hash"`` (the record hash of the same originator's previous event) and ``"seal"``
(HMAC-SHA256 of the event's own record hash). The record hash covers the stored state without
the seal, a fixed-length suffix; it is never stored, only recomputed.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from functools import lru_cache

from eventsourcing.persistence import StoredEvent

from domain.chain import Link, record_hash
from infrastructure.settings import ConfigurationError

_SEAL_HEAD = b',"seal":"'
_SEAL_LENGTH = len(_SEAL_HEAD) + 64 + 2  # ,"seal":"<64 hex>"}
_HEX64 = re.compile(rb"[0-9a-f]{64}")
# How far from its stored version a moved event's seal is looked for.
MOVED_WITHIN = 16


@lru_cache(maxsize=4)
def _keyed(key: bytes) -> hmac.HMAC:
    """An HMAC with the key already taken in: a copy per seal skips the key setup."""
    return hmac.new(key, digestmod="sha256")


def seal_of(key: bytes, event_hash: str) -> str:
    mac = _keyed(key).copy()
    mac.update(event_hash.encode())
    return mac.hexdigest()


def sealed(key: bytes, stored: StoredEvent, previous_hash: str) -> tuple[StoredEvent, str]:
    """``stored`` chained to ``previous_hash`` and sealed, and its record hash."""
    state = stored.state
    comma = b"," if len(state) > 2 else b""
    body = b"".join([state[:-1], comma, b'"previous_hash":"', previous_hash.encode(), b'"}'])
    digest = record_hash(
        originator_id=stored.originator_id,
        version=stored.originator_version,
        topic=stored.topic,
        state=body,
    )
    state = b"".join([body[:-1], _SEAL_HEAD, seal_of(key, digest).encode(), b'"}'])
    return StoredEvent(stored.originator_id, stored.originator_version, stored.topic, state), digest


@dataclass(frozen=True, slots=True)
class Opened:
    """A stored event with its seal cut off: the state as hashed, its hash, and the seal."""

    body: bytes
    hash: str
    seal: str


def opened(stored: StoredEvent) -> Opened | None:
    """The event without its seal; None when it carries no seal where one belongs."""
    state = stored.state
    cut = len(state) - _SEAL_LENGTH
    if (
        cut < 1
        or state[cut : cut + len(_SEAL_HEAD)] != _SEAL_HEAD
        or not state.endswith(b'"}')
        or not _HEX64.fullmatch(state, cut + len(_SEAL_HEAD), len(state) - 2)
    ):
        return None
    body = state[:cut] + b"}"
    digest = record_hash(
        originator_id=stored.originator_id,
        version=stored.originator_version,
        topic=stored.topic,
        state=body,
    )
    return Opened(body, digest, state[cut + len(_SEAL_HEAD) : -2].decode())


def seal_holds(key: bytes, event: Opened) -> bool:
    return hmac.compare_digest(seal_of(key, event.hash), event.seal)


def link_of(key: bytes, stored: StoredEvent) -> Link:
    """Which version ``stored``'s seal vouches for: its own, one nearby (moved), or none."""
    event = opened(stored)
    version = stored.originator_version
    if event is None:
        return Link(version, None)
    if seal_holds(key, event):
        return Link(version, version)
    body = event.body
    for other in range(max(1, version - MOVED_WITHIN), version + MOVED_WITHIN + 1):
        if other == version:
            continue
        digest = record_hash(
            originator_id=stored.originator_id, version=other, topic=stored.topic, state=body
        )
        if hmac.compare_digest(seal_of(key, digest), event.seal):
            return Link(version, other)
    return Link(version, None)


class UnsealedLedger(ConfigurationError):
    """The store holds events written before events were sealed."""


def refuse_unsealed(recorder) -> None:
    """Refuse a ledger written by an earlier version (its first event carries no seal)."""
    first = recorder.select_notifications(start=None, limit=1)
    if first and opened(first[0]) is None:
        raise UnsealedLedger(
            "this ledger was written by an earlier version of borderledger, before events were"
            " sealed, and cannot be opened: load a new one with `borderledger demo` on a new"
            " database (or a new SQLite file)"
        )


def stored_hash(stored: StoredEvent) -> str:
    """The record hash of an event as stored, seal cut off: what the running ledger hash folds,
    computable by anyone who can read the store (a state without a seal is hashed whole)."""
    event = opened(stored)
    if event is not None:
        return event.hash
    return record_hash(
        originator_id=stored.originator_id,
        version=stored.originator_version,
        topic=stored.topic,
        state=stored.state,
    )
