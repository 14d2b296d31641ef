"""The application's save path, chaining and sealing each stored event (checked against
eventsourcing 9.5.6).

``save`` is the library's ``Application.save`` with its private ``_take_snapshots`` and
``_notify``; ``record`` replaces its ``_record`` and ``EventStore.put`` so that the mapper's
stored events (personal fields already encrypted) are chained to each originator's head and
sealed before they are inserted, new travelers' wrapped data keys in the same transaction.
``LedgerProcessingEvent`` is the library's ``ProcessingEvent``.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Notification, Recording

from domain.chain import GENESIS


class LedgerProcessingEvent(ProcessingEvent[UUID]):
    """The library's, with a nominal ``isinstance`` first: checks against its runtime Protocols
    are slow on Python 3.11, and there are two per saved aggregate (bench: ledger_batch)."""

    def collect_events(self, *objs, **kwargs) -> None:
        for obj in objs:
            if isinstance(obj, Aggregate):
                self.events.extend(obj.collect_events())
                self.aggregates[obj.id] = obj
            else:
                super().collect_events(obj)
        self.saved_kwargs.update(kwargs)


def save(app: Application, *objs, **kwargs) -> list[Recording]:
    """The library's ``Application.save``, collecting with ``LedgerProcessingEvent``."""
    processing_event = LedgerProcessingEvent()
    processing_event.collect_events(*objs, **kwargs)
    recordings = record(app, processing_event)
    app._take_snapshots(processing_event)
    app._notify(recordings)
    app.notify(processing_event.events)
    return recordings


def record(app: Application, processing_event: LedgerProcessingEvent) -> list[Recording]:
    """Store the events chained and sealed; then the saved aggregates' heads move on.

    An event's previous hash is the head of its aggregate as loaded (``head_hash``, the record
    hash of its last stored event), so a save retried after a lost race re-chains from the
    reloaded aggregate. Nothing changes on the aggregates unless the insert succeeds.
    """
    mapper = app.mapper
    heads: dict[UUID, str] = {}
    stored, links = [], []
    for event in processing_event.events:
        plain = mapper.to_stored_event(event)
        originator_id = plain.originator_id
        previous = heads.get(originator_id)
        if previous is None:
            previous = (
                GENESIS
                if plain.originator_version == 1
                else processing_event.aggregates[originator_id].head_hash
            )
        chained, digest = mapper.sealed(plain, previous)
        heads[originator_id] = digest
        stored.append(chained)
        links.append((previous, digest))
    # New travelers' data keys go in with their events; erased ones' keys go with the erasure.
    kwargs = dict(processing_event.saved_kwargs)
    shred = list(kwargs.pop("shred", ()))
    data_keys = mapper.data_keys.take_unsaved(heads)
    try:
        ids = app.recorder.insert_events(
            stored,
            tracking=processing_event.tracking,
            data_keys=data_keys,
            shred=shred,
            **kwargs,
        )
    except BaseException:
        mapper.data_keys.forget(tid for tid, _ in data_keys)
        raise
    if shred:
        mapper.data_keys.destroyed(shred)
    recordings = []
    for event, s, (previous, digest), n_id in zip(
        processing_event.events, stored, links, ids or [None] * len(stored), strict=True
    ):
        event.__dict__["previous_hash"] = previous
        event.__dict__["hash"] = digest
        if n_id is None:
            continue
        recordings.append(
            Recording(
                event,
                Notification(
                    originator_id=s.originator_id,
                    originator_version=s.originator_version,
                    topic=s.topic,
                    state=s.state,
                    id=n_id,
                ),
            )
        )
    for originator_id, digest in heads.items():
        aggregate = processing_event.aggregates.get(originator_id)
        if aggregate is not None:
            aggregate.head_hash = digest
    repository = app.repository
    if repository.cache and not repository.fastforward:
        for aggregate_id, aggregate in processing_event.aggregates.items():
            repository.cache.put(aggregate_id, aggregate)
    return recordings
