"""What every use case shares: who asks, the store with retried loads, claims and scope checks."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, Recording

from domain.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from domain.posts import JURISDICTIONS, BorderPost, PostRegistry
from domain.traveler import DocumentKey, RecordedBy, Traveler
from infrastructure.documents import document_key_id
from infrastructure.eventstore.sealing import stored_hash
from infrastructure.ledger import LedgerApplication
from infrastructure.write_receipts import WriteReceipt

MAX_RETRIES = 10
_COUNTRY = re.compile(r"[A-Z]{3}")


def utc_now() -> datetime:
    return datetime.now(UTC)


def backoff(attempt: int) -> None:
    """Wait a random, growing moment before retrying a save that lost a race.

    Without it, writers that lost a race reload and collide again at once: with eight writers
    on one traveler some ran out of retries and raised ConflictError.
    """
    time.sleep(random.uniform(0, min(0.25, 0.002 * 2**attempt)))


@dataclass(frozen=True)
class Actor:
    """Who asks: recorded on events, and the posts a registrar may record at (None: any)."""

    name: str
    office: str | None = None
    admin: bool = False
    posts: frozenset[str] | None = None
    employer_id: str | None = None

    @property
    def recorded_by(self) -> RecordedBy:
        return RecordedBy(self.name, self.office, self.admin)


def _recorded(event) -> str:
    """When the ledger took the event: its ``recorded_at`` (a document claim has only the
    library's ``timestamp``), so a receipt is the same whenever it is asked for again."""
    return (getattr(event, "recorded_at", None) or event.timestamp).isoformat()


def written(receipt: WriteReceipt | None) -> dict:
    """What every write's answer carries: the position of its last event, and its receipt."""
    return {"position": receipt.position if receipt else None, "receipt": receipt}


def check_country(name: str, value: str) -> None:
    if not isinstance(value, str) or not _COUNTRY.fullmatch(value):
        raise ValidationError({name: ["an ISO 3166-1 alpha-3 code is required"]})


def check_jurisdiction(value: str) -> None:
    if value not in JURISDICTIONS:
        raise ValidationError({"jurisdiction": [f"must be one of {', '.join(JURISDICTIONS)}"]})


class Store:
    """The base of every use case: the application, the posts, the document key and the clock,
    with loading, load-command-save retried on concurrent writes, claims and scope checks."""

    def __init__(
        self,
        app: LedgerApplication,
        posts: PostRegistry,
        document_key: bytes,
        clock: Callable[[], datetime] = utc_now,
    ):
        self.app = app
        self.posts = posts
        self._document_key = document_key
        self.clock = clock

    def _load(self, traveler_id: UUID) -> Traveler:
        try:
            t = self.app.repository.get(traveler_id)
        except AggregateNotFoundError:
            raise NotFoundError(f"no traveler {traveler_id}") from None
        if not isinstance(t, Traveler):
            raise NotFoundError(f"no traveler {traveler_id}")
        return t

    def _update(self, traveler_id: UUID, command: Callable[[Traveler, datetime], object]):
        """Load, run one command, save; on a concurrent write, reload and run it again.
        Returns the command's result and the receipt of what was stored (None: nothing)."""
        for attempt in range(MAX_RETRIES):
            t = self._load(traveler_id)
            result = command(t, self.clock())
            if not t.pending_events:
                return result, None
            try:
                recordings = self.app.save(t)
            except IntegrityError:
                backoff(attempt)
                continue
            self.app.repository.keep(t)
            return result, self._receipt(recordings)
        raise ConflictError("the traveler is being changed concurrently; try again")

    def _receipt(self, recordings: list[Recording]) -> WriteReceipt | None:
        """The receipt of a save's last event, from what the save path stored."""
        if not recordings:
            return None
        last = recordings[-1]
        event = last.domain_event
        return WriteReceipt(last.notification.id, event.hash, _recorded(event), self.app.keys)

    def _receipt_of(self, originator_id: UUID, version: int) -> WriteReceipt | None:
        """The receipt of an event stored earlier: an idempotent retry answers the same one."""
        found = self.app.stored_at(originator_id, version)
        if found is None:
            return None
        position, stored = found
        event = self.app.mapper.to_domain_event(stored)
        return WriteReceipt(position, stored_hash(stored), _recorded(event), self.app.keys)

    def _claimed(self, nationality: str, document_number: str) -> UUID | None:
        key = self._document(nationality, document_number)
        return key.traveler_id if key is not None else None

    def _document(self, nationality: str, document_number: str) -> DocumentKey | None:
        """The document's claim, held or released (an erased traveler's); None if never made."""
        key_id = document_key_id(self._document_key, nationality, document_number)
        try:
            return self.app.repository.get(key_id)
        except AggregateNotFoundError:
            return None

    def _claim(self, key: DocumentKey | None, key_id: UUID, traveler_id: UUID) -> DocumentKey:
        """A claim to save for ``traveler_id``: new, or a released one taken again."""
        if key is None:
            return DocumentKey.claim(key_id, traveler_id)
        key.reclaim(traveler_id)
        return key

    def _post_in_scope(self, actor: Actor, post: BorderPost) -> None:
        if actor.posts is not None and post.code not in actor.posts:
            raise ForbiddenError(f"office {actor.office} may not record at {post.code}")

    def _jurisdiction_in_scope(self, actor: Actor, jurisdiction: str) -> None:
        """A registrar acts only in its office's jurisdiction (its posts'); an admin anywhere."""
        if actor.posts is None:
            return
        if jurisdiction not in {self.posts.get(code).jurisdiction for code in actor.posts}:
            raise ForbiddenError(f"office {actor.office} may not act in {jurisdiction}")
