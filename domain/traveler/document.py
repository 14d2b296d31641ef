"""The document key: one travel document claimed by one traveler."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate


class DocumentKey(Aggregate):
    """Claims one travel document for one traveler; its id is a keyed hash of the document."""

    TOPIC = "borderledger:DocumentKey"

    class Created(Aggregate.Created):
        TOPIC = "borderledger:DocumentKey.Created"

    class Claimed(Created):
        TOPIC = "borderledger:DocumentKey.Claimed"
        class_version = 1
        traveler_id: UUID

        def apply(self, key: DocumentKey) -> None:
            key.traveler_id = self.traveler_id

    @classmethod
    def claim(cls, key_id: UUID, traveler_id: UUID) -> DocumentKey:
        return cls._create(cls.Claimed, id=key_id, traveler_id=traveler_id)
