"""Erasing a traveler's personal data: crypto-shredding, an event, and its documents released.

One save holds it all: the ``Erased`` event, a ``Released`` event on each document claim the
traveler holds, and the deletion of the traveler's wrapped data key. The chain and the seals
cover the ciphertext, so they still verify; crossings and exemptions stay and still answer.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.errors import ConflictError
from domain.traveler import DocumentKey, Traveler
from infrastructure.usecases.context import MAX_RETRIES, Actor, Store, backoff
from infrastructure.write_receipts import WriteReceipt

# Traveler events that name a document claim by its id (kept in clear).
_NAMING = (Traveler.Registered.TOPIC, Traveler.DocumentLinked.TOPIC)


class Erasure(Store):
    """The erasure use case; ``forget`` drops whatever the process cached about the traveler."""

    forget: Callable[[UUID], None] = staticmethod(lambda traveler_id: None)

    def erase(
        self, actor: Actor, traveler_id: UUID, reason: str
    ) -> tuple[bool, WriteReceipt | None]:
        """Erase; True the first time, False after, with the erasure's receipt either way."""
        for attempt in range(MAX_RETRIES):
            t = self._load(traveler_id)
            if not t.erase(reason, actor.recorded_by, self.clock()):
                return False, self._erasure_receipt(traveler_id)
            released = [key for key in self._claims_of(traveler_id) if key.release()]
            try:
                # The erasure last: its position is the answer, now and when asked again.
                recordings = self.app.save(*released, t, shred=[traveler_id])
            except IntegrityError:
                backoff(attempt)
                continue
            self.app.repository.keep(t)
            self.forget(traveler_id)
            return True, self._receipt(recordings)
        raise ConflictError("the traveler is being changed concurrently; try again")

    def _claims_of(self, traveler_id: UUID) -> list[DocumentKey]:
        """The document claims the traveler holds, found by the claim ids its events carry."""
        keys: dict[UUID, DocumentKey] = {}
        for stored in self.app.recorder.select_events(traveler_id):
            if stored.topic not in _NAMING:
                continue
            event = self.app.mapper.to_pseudonymous_event(stored)
            if event.document_key_id is None:
                continue
            key_id = UUID(event.document_key_id)
            try:
                key = self.app.repository.get(key_id)
            except AggregateNotFoundError:
                continue
            if key.traveler_id == traveler_id:
                keys[key_id] = key
        return list(keys.values())

    def _erasure_receipt(self, traveler_id: UUID) -> WriteReceipt | None:
        for stored in self.app.recorder.select_events(traveler_id, desc=True):
            if stored.topic == Traveler.Erased.TOPIC:
                return self._receipt_of(traveler_id, stored.originator_version)
        return None
