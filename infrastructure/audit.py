"""``audit verify``: the whole store re-read in position order, without the application's caches.

Every originator's chain and seals, every document claim against its traveler's events, and the
running ledger hash against each signed checkpoint. Checking never raises on a damaged event:
damage is a problem to report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.chain import (
    BAD_SIGNATURE,
    CLAIM_MISMATCH,
    EDITED,
    LEDGER_GENESIS,
    TRUNCATED,
    Link,
    chain_problems,
    checkpoint_message,
    fold,
)
from domain.traveler import DocumentKey, Traveler
from infrastructure.checkpoints import CHECKPOINT_FIELDS, CheckpointTable, sqlite_has_tables
from infrastructure.eventstore.sealing import link_of, stored_hash
from infrastructure.keys import signature_valid
from infrastructure.ledger import LedgerApplication
from infrastructure.views_postgres import PostgresBackend
from infrastructure.views_sqlite import SqliteBackend

BATCH = 1000
# Traveler events that name a document's claim, and the claim itself.
_NAMING = frozenset({Traveler.Registered.TOPIC, Traveler.DocumentLinked.TOPIC})
_CLAIM = DocumentKey.Claimed.TOPIC
# A claim taken again after its traveler was erased, and the release itself.
_RECLAIM, _RELEASE = DocumentKey.Reclaimed.TOPIC, DocumentKey.Released.TOPIC
_CLAIMS = frozenset({_CLAIM, _RECLAIM, _RELEASE})


@dataclass(frozen=True, slots=True)
class AuditProblem:
    """One line of the report: the originator (or ``checkpoint``), a version (a checkpoint's
    position), and the kind."""

    subject: str
    version: int
    kind: str

    def line(self) -> str:
        return f"{self.subject}, {self.version}, {self.kind}"


@dataclass
class _Claims:
    """What claims say (key → traveler) and what travelers' events say (key → traveler, version)."""

    by_key: dict[str, UUID | None]
    named: dict[str, list[tuple[UUID, int]]]
    # key -> the travelers it was released from (their data erased): they named it rightly.
    released: dict[str, set[UUID | None]] = field(default_factory=dict)


def stored_checkpoints(app: LedgerApplication) -> list[dict]:
    """The checkpoints the ledger keeps itself (a SQLite ledger never served has none yet)."""
    if app.is_postgres:
        return list(CheckpointTable(PostgresBackend(app)).every())
    db = SqliteBackend(app)
    return list(CheckpointTable(db).every()) if sqlite_has_tables(db) else []


def verify_ledger(
    app: LedgerApplication,
    public_key: Ed25519PublicKey,
    checkpoints: Iterable[dict] = (),
    progress: Callable[[int], None] = lambda _: None,
) -> list[AuditProblem]:
    """Every problem in the store, originators' first (by id and version), then checkpoints'."""
    problems: list[AuditProblem] = []
    pending = []
    for cp in [*stored_checkpoints(app), *checkpoints]:
        if _signed(public_key, cp):
            pending.append(cp)
        else:
            problems.append(AuditProblem("checkpoint", _position_of(cp), BAD_SIGNATURE))
    pending.sort(key=lambda cp: cp["position"])
    links: dict[UUID, list[Link]] = defaultdict(list)
    claims = _Claims({}, defaultdict(list))
    ledger_hash, events, start = LEDGER_GENESIS, 0, None
    last = 0
    seal_key = app.keys.seal_key
    while True:
        batch = app.recorder.select_notifications(
            start=start, limit=BATCH, inclusive_of_start=False
        )
        for n in batch:
            while pending and pending[0]["position"] < n.id:
                problems += _checkpoint(pending.pop(0), events, ledger_hash, ended=False)
            ledger_hash = fold(ledger_hash, n.id, stored_hash(n))
            events += 1
            links[n.originator_id].append(link_of(seal_key, n))
            if n.topic in _NAMING or n.topic in _CLAIMS:
                _note_claim(app, n, claims)
        if not batch:
            break
        start = last = batch[-1].id
        progress(len(batch))
    for cp in pending:
        problems += _checkpoint(cp, events, ledger_hash, ended=last < cp["position"])
    chain = [
        AuditProblem(str(originator), p.version, p.kind)
        for originator, found in links.items()
        for p in chain_problems(found)
    ]
    return sorted(chain + _claim_problems(claims), key=lambda p: (p.subject, p.version)) + problems


def _position_of(cp: dict) -> int:
    position = cp.get("position") if isinstance(cp, dict) else None
    return position if isinstance(position, int) else 0


def _signed(public_key: Ed25519PublicKey, cp: dict) -> bool:
    if not isinstance(cp, dict) or any(name not in cp for name in CHECKPOINT_FIELDS):
        return False
    try:
        message = checkpoint_message(**{k: cp[k] for k in CHECKPOINT_FIELDS[:-1]})
    except (TypeError, ValueError):
        return False
    return isinstance(cp["signature"], str) and signature_valid(
        public_key, message, cp["signature"]
    )


def _checkpoint(cp: dict, events: int, ledger_hash: str, ended: bool) -> list[AuditProblem]:
    """A checkpoint against the ledger up to its position: fewer events, or a ledger that ends
    before it, is ``truncated``; the same count with another hash, ``edited``."""
    if ended or events != cp["events"]:
        return [AuditProblem("checkpoint", cp["position"], TRUNCATED)]
    if ledger_hash != cp["ledger_hash"]:
        return [AuditProblem("checkpoint", cp["position"], EDITED)]
    return []


def _note_claim(app: LedgerApplication, stored, claims: _Claims) -> None:
    """Record what a claim or a naming traveler event says, damaged or not."""
    event = app.mapper.decode_damaged(stored, personal=False)
    if stored.topic in _CLAIMS:
        key = str(stored.originator_id)
        traveler = getattr(event, "traveler_id", None)
        if stored.topic == _RELEASE:
            claims.released.setdefault(key, set()).add(traveler)
            claims.by_key[key] = None
        else:
            claims.by_key[key] = traveler
    else:
        key = getattr(event, "document_key_id", None) if event is not None else None
        if key is not None:
            claims.named[key].append((stored.originator_id, stored.originator_version))


def _claim_problems(claims: _Claims) -> list[AuditProblem]:
    """A claim must name a traveler whose events name it back, and the other way round."""
    problems = []
    for key, traveler in claims.by_key.items():
        named = {t for t, _ in claims.named.get(key, ())}
        released = claims.released.get(key, set())
        # Held: its traveler names it. Released: by travelers that named it (then erased).
        held = traveler in named if traveler is not None else bool(released)
        if not held or not released <= named:
            problems.append(AuditProblem(key, 1, CLAIM_MISMATCH))
    for key, naming in claims.named.items():
        for traveler, version in naming:
            if claims.by_key.get(key) != traveler and traveler not in claims.released.get(key, ()):
                problems.append(AuditProblem(str(traveler), version, CLAIM_MISMATCH))
    return problems
