"""Recording many crossings by document, one transaction per chunk; bad items reject alone."""

from __future__ import annotations

import uuid
from dataclasses import replace
from functools import lru_cache
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.documents import canonical_document_number
from domain.errors import ConflictError, DomainError, ForbiddenError, NotFoundError, ValidationError
from domain.traveler import DocumentKey, Traveler
from infrastructure.documents import document_key_id
from infrastructure.usecases.commands import BatchItem
from infrastructure.usecases.context import MAX_RETRIES, Actor, Store, backoff, check_country
from infrastructure.write_receipts import WriteReceipt

BATCH_CHUNK = 1000  # one transaction per API batch: a commit and a table lock per chunk
# A batch asks for each document's key twice (the chunk's lookup, then the item's traveler).
_batch_key_id = lru_cache(maxsize=4096)(document_key_id)


class Batch(Store):
    """Batches of crossings; unknown travelers are registered in the same transaction."""

    def record_batch(
        self, actor: Actor, items: list[BatchItem]
    ) -> tuple[list[dict], int | None, WriteReceipt | None]:
        """Record many crossings, one transaction per chunk; a bad item rejects only itself.
        Returns each item's result, the position of the last event stored and its receipt."""
        results: list[dict] = [None] * len(items)  # type: ignore[list-item]
        items = [_canonical(item) for item in items]
        receipt = None
        for start in range(0, len(items), BATCH_CHUNK):
            chunk = list(range(start, min(start + BATCH_CHUNK, len(items))))
            receipt = self._batch_chunk(actor, items, chunk, results) or receipt
        return results, receipt.position if receipt else None, receipt

    def _batch_chunk(
        self, actor: Actor, items: list[BatchItem], chunk: list[int], results: list[dict]
    ) -> WriteReceipt | None:
        for attempt in range(MAX_RETRIES):
            now = self.clock()
            travelers: dict[UUID, Traveler] = {}
            claims: dict[UUID, DocumentKey] = {}
            owners = self._chunk_owners(items, chunk)
            outcome: dict[int, dict] = {}
            for i in chunk:
                item = items[i]
                if item.errors:
                    outcome[i] = _rejected(item.crossing_id, item.errors)
                    continue
                try:
                    post = self.posts.get(item.border_post)
                    self._post_in_scope(actor, post)
                    check_country("nationality", item.nationality)
                    t = self._batch_traveler(actor, item, now, travelers, claims, owners)
                    _, created = t.record_crossing(
                        item.crossing_id,
                        item.direction,
                        post,
                        item.occurred_at,
                        actor.recorded_by,
                        now,
                    )
                    outcome[i] = {
                        "crossing_id": item.crossing_id,
                        "status": "created" if created else "duplicate",
                        "traveler_id": str(t.id),
                    }
                except DomainError as e:
                    outcome[i] = _rejected(item.crossing_id, _errors_of(e))
            pending = [t for t in travelers.values() if t.pending_events] + list(claims.values())
            try:
                recordings = self.app.save(*pending) if pending else []
            except IntegrityError:
                backoff(attempt)
                continue
            for i, doc in outcome.items():
                results[i] = doc
            return self._receipt(recordings)
        raise ConflictError("the batch met too many concurrent writes; try again")

    def _chunk_owners(self, items: list[BatchItem], chunk: list[int]) -> dict[UUID, UUID | None]:
        """Owner of every document in the chunk (None: unclaimed), in one query, not one each."""
        keys = {
            _batch_key_id(self._document_key, item.nationality, item.document_number)
            for item in (items[i] for i in chunk)
            if not item.errors
            and isinstance(item.nationality, str)
            and isinstance(item.document_number, str)
        }
        found = self.app.claims(list(keys))
        # A released claim (its traveler erased) is taken again through its aggregate.
        return {key: found.get(key) for key in keys if found.get(key, key) is not None}

    def _batch_traveler(self, actor, item, now, travelers, claims, owners) -> Traveler:
        """The item's traveler: known by document, or registered in the same transaction."""
        doc = (item.nationality, item.document_number)
        # Keyed by the normalised document, so "AC 1" and "AC1" in one batch are one traveler.
        key_id = _batch_key_id(self._document_key, *doc)
        released = None
        if key_id in owners:
            tid = owners[key_id]
        else:
            released = self._document(*doc)
            tid = released.traveler_id if released is not None else None
        if tid is None:
            t = Traveler.register(
                uuid.uuid4(),
                item.nationality,
                item.document_type,
                item.document_number,
                actor.recorded_by,
                now,
                document_key_id=str(key_id),
            )
            claims[key_id] = self._claim(released, key_id, t.id)
            travelers[t.id] = t
            owners[key_id] = t.id
            return t
        owners[key_id] = tid
        if tid not in travelers:
            travelers[tid] = self._load(tid)
        return travelers[tid]


def _canonical(item: BatchItem) -> BatchItem:
    """The item with its document number canonical, or carrying why it cannot be."""
    if item.errors:
        return item
    try:
        number = canonical_document_number(item.document_number)
    except ValidationError as e:
        return replace(item, errors=e.errors)
    return replace(item, document_number=number)


def _rejected(crossing_id: str, errors: dict) -> dict:
    return {"crossing_id": crossing_id, "status": "rejected", "errors": errors}


def _errors_of(e: DomainError) -> dict:
    if isinstance(e, ValidationError):
        return e.errors
    kind = {ConflictError: "conflict", ForbiddenError: "forbidden", NotFoundError: "not_found"}
    return {"_": [f"{kind.get(type(e), 'error')}: {e}"]}
