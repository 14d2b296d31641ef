"""The document key: one travel document claimed by one traveler."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.chain import KeepsChainHead
from domain.errors import ConflictError


class DocumentKey(Aggregate):
    """Claims one travel document for one traveler; its id is a keyed hash of the document."""

    TOPIC = "borderledger:DocumentKey"

    class Event(KeepsChainHead, Aggregate.Event):
        """Keeps the chain head, as a Traveler's events do: a claim changed after it was made
        (released, taken again) chains to its last stored event."""

    class Created(Event, Aggregate.Created):
        TOPIC = "borderledger:DocumentKey.Created"

    class Claimed(Created):
        TOPIC = "borderledger:DocumentKey.Claimed"
        class_version = 1
        traveler_id: UUID

        def apply(self, key: DocumentKey) -> None:
            key.traveler_id = self.traveler_id

    class Released(Event):
        """The traveler holding the document was erased: lookups by it find no one."""

        TOPIC = "borderledger:DocumentKey.Released"
        class_version = 1
        traveler_id: UUID

        def apply(self, key: DocumentKey) -> None:
            key.traveler_id = None

    class Reclaimed(Event):
        """A released document registered again, by a new traveler."""

        TOPIC = "borderledger:DocumentKey.Reclaimed"
        class_version = 1
        traveler_id: UUID

        def apply(self, key: DocumentKey) -> None:
            key.traveler_id = self.traveler_id

    @classmethod
    def claim(cls, key_id: UUID, traveler_id: UUID) -> DocumentKey:
        return cls._create(cls.Claimed, id=key_id, traveler_id=traveler_id)

    def release(self) -> bool:
        """Free the document; False when no one holds it."""
        if self.traveler_id is None:
            return False
        self.trigger_event(self.Released, traveler_id=self.traveler_id)
        return True

    def reclaim(self, traveler_id: UUID) -> None:
        """A released document, claimed by a new traveler."""
        if self.traveler_id is not None:
            raise ConflictError("that document belongs to another traveler")
        self.trigger_event(self.Reclaimed, traveler_id=traveler_id)
