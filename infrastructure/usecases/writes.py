"""Registering travelers, linking documents, and recording, correcting and voiding crossings."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.documents import canonical_document_number
from domain.errors import ConflictError, NotFoundError, ValidationError
from domain.traveler import Traveler
from infrastructure.documents import document_key_id
from infrastructure.usecases.commands import CorrectCrossing, RecordCrossing
from infrastructure.usecases.context import (
    MAX_RETRIES,
    Actor,
    Store,
    check_country,
    written,
)
from infrastructure.write_receipts import WriteReceipt

# The earliest time zones are 14 hours ahead of UTC: a birth there today is not in the future.
_AHEAD = timedelta(hours=14)


class Writes(Store):
    """Travelers, their documents and their crossings: load, one command, save."""

    def register(
        self,
        actor: Actor,
        nationality: str,
        document_number: str,
        document_type: str = "passport",
        surname: str | None = None,
        given_names: str | None = None,
        birth_date: date | None = None,
    ) -> tuple[UUID, bool, int | None, WriteReceipt | None]:
        """Register a traveler; the same nationality and document again gives the same id.
        Returns the id, whether it is new, the position and the receipt of the claim."""
        check_country("nationality", nationality)
        document_number = canonical_document_number(document_number)
        if birth_date is not None and birth_date > (self.clock() + _AHEAD).date():
            raise ValidationError({"birth_date": ["must not be in the future"]})
        for _ in range(MAX_RETRIES):
            key = self._document(nationality, document_number)
            key_id = document_key_id(self._document_key, nationality, document_number)
            if key is not None and key.traveler_id is not None:
                return (key.traveler_id, False, *_at(self._receipt_of(key_id, key.version)))
            traveler = Traveler.register(
                uuid.uuid4(),
                nationality,
                document_type,
                document_number,
                actor.recorded_by,
                self.clock(),
                surname=surname,
                given_names=given_names,
                birth_date=birth_date,
                document_key_id=str(key_id),
            )
            try:
                recordings = self.app.save(traveler, self._claim(key, key_id, traveler.id))
            except IntegrityError:
                continue
            return (traveler.id, True, *_at(self._receipt(recordings)))
        raise ConflictError("registration raced too often; try again")

    def find_traveler(self, nationality: str, document_number: str) -> UUID:
        check_country("nationality", nationality)
        found = self._claimed(nationality, canonical_document_number(document_number))
        if found is None:
            raise NotFoundError("no traveler with that document")
        return found

    def link_document(
        self,
        actor: Actor,
        traveler_id: UUID,
        nationality: str,
        document_number: str,
        document_type: str = "passport",
    ) -> tuple[bool, int | None, WriteReceipt | None]:
        """Link a document; False when already linked to this traveler, 409 if to another.
        Also returns the position and the receipt of the link (or of the earlier claim)."""
        check_country("nationality", nationality)
        document_number = canonical_document_number(document_number)
        for _ in range(MAX_RETRIES):
            key = self._document(nationality, document_number)
            owner = key.traveler_id if key is not None else None
            if owner is not None and owner != traveler_id:
                raise ConflictError("that document belongs to another traveler")
            t = self._load(traveler_id)
            key_id = document_key_id(self._document_key, nationality, document_number)
            if owner == traveler_id:
                # Already claimed by this traveler, perhaps linked before numbers were stored
                # canonical: the aggregate compares them as stored and would link a duplicate.
                return (False, *_at(self._receipt_of(key_id, key.version)))
            linked = t.link_document(
                nationality,
                document_type,
                document_number,
                actor.recorded_by,
                self.clock(),
                document_key_id=str(key_id),
            )
            if not linked and owner is not None:
                return (False, *_at(self._receipt_of(key_id, key.version)))
            pending = [t] + ([] if owner else [self._claim(key, key_id, traveler_id)])
            try:
                recordings = self.app.save(*pending)
            except IntegrityError:
                continue
            return (linked or owner is None, *_at(self._receipt(recordings)))
        raise ConflictError("the traveler is being changed concurrently; try again")

    def record_crossing(self, actor: Actor, cmd: RecordCrossing) -> tuple[dict, bool]:
        traveler_id, crossing_id, direction = cmd.traveler_id, cmd.crossing_id, cmd.direction
        border_post, occurred_at = cmd.border_post, cmd.occurred_at
        post = self.posts.get(border_post)
        post.local_date(occurred_at)  # content (the local date's range) before scope
        self._post_in_scope(actor, post)

        def command(t: Traveler, now: datetime):
            return t.record_crossing(
                crossing_id, direction, post, occurred_at, actor.recorded_by, now
            )

        (crossing, created), receipt = self._update(traveler_id, command)
        if not created:
            receipt = self._receipt_of(traveler_id, crossing.seq)
        return {
            "crossing_id": crossing.crossing_id,
            "local_date": crossing.local_date.isoformat(),
            "jurisdiction": crossing.jurisdiction,
            **written(receipt),
        }, created

    def correct_crossing(self, actor: Actor, cmd: CorrectCrossing) -> dict:
        traveler_id, crossing_id, reason = cmd.traveler_id, cmd.crossing_id, cmd.reason
        direction, border_post, occurred_at = cmd.direction, cmd.border_post, cmd.occurred_at
        new_post = self.posts.get(border_post) if border_post else None
        if new_post is not None:
            self._post_in_scope(actor, new_post)

        def command(t: Traveler, now: datetime):
            current = t.crossing_version(crossing_id)
            if current is None:
                raise NotFoundError(f"no crossing {crossing_id}")
            post = new_post or self.posts.get(current.crossing.border_post)
            return t.correct_crossing(
                crossing_id, reason, actor.recorded_by, now, post, direction, occurred_at
            )

        crossing, receipt = self._update(traveler_id, command)
        return {**crossing.as_dict(), **written(receipt)}

    def void_crossing(self, actor: Actor, traveler_id: UUID, crossing_id: str, reason: str) -> dict:
        def command(t: Traveler, now: datetime):
            t.void_crossing(crossing_id, reason, actor.recorded_by, now)

        _, receipt = self._update(traveler_id, command)
        return {"crossing_id": crossing_id, "voided": True, **written(receipt)}


def _at(receipt: WriteReceipt | None) -> tuple[int | None, WriteReceipt | None]:
    return (receipt.position if receipt else None), receipt
