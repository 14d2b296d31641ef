"""The library's repository with three costs taken out (checked against eventsourcing 9.5.6).

``PicklingRepository.get`` rewrites ``Repository.get`` on the private ``_reconstruct_aggregate``,
``_use_fastforward_lock`` and ``_disuse_fastforward_lock``.
"""

from __future__ import annotations

import pickle
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository

from domain.chain import MISSING
from domain.errors import LedgerIntegrityError
from domain.traveler import Traveler


class PicklingRepository(Repository[UUID]):
    """The library's repository, with three costs taken out (bench: ledger_record).

    Cached aggregates are copied, not deepcopied: a traveler by ``Traveler.detached`` (far
    cheaper than pickle), others by pickle. A fast-forwarded traveler is
    copied under the fast-forward lock, so no other thread's fast-forward can change it
    mid-copy; a reconstructed one is handed out and the cache gets a copy, so it is never
    shared. Events are applied without the library's per-event runtime Protocol check.
    """

    def get(
        self,
        aggregate_id: UUID,
        *,
        version: int | None = None,
        projector_func=None,
        fastforward_skipping: bool = False,
        deepcopy_from_cache: bool = True,
    ):
        projector_func = projector_func or project
        copying = (
            self.cache and version is None and deepcopy_from_cache and self.deepcopy_from_cache
        )
        if not (copying and self.fastforward):
            aggregate = super().get(
                aggregate_id,
                version=version,
                projector_func=projector_func,
                fastforward_skipping=fastforward_skipping,
                deepcopy_from_cache=False,
            )
            return _copy(aggregate) if copying else aggregate
        try:
            cached = self.cache.get(aggregate_id)
        except KeyError:
            aggregate = self._reconstruct_aggregate(aggregate_id, None, projector_func)
            self.cache.put(aggregate_id, _copy(aggregate))
            return aggregate
        lock = self._use_fastforward_lock(aggregate_id)
        try:
            if not lock.acquire(blocking=not (fastforward_skipping or self.fastforward_skipping)):
                return _pickled(cached)  # skipping: another thread is fast-forwarding it
            try:
                new_events = self.event_store.get(originator_id=aggregate_id, gt=cached.version)
                aggregate = projector_func(cached, new_events)
                if aggregate is None:
                    raise AggregateNotFoundError(aggregate_id)
                return _copy(aggregate)
            finally:
                lock.release()
        finally:
            self._disuse_fastforward_lock(aggregate_id)

    def keep(self, aggregate) -> None:
        """Cache a just-saved aggregate; with fast-forward on, the library keeps the old one."""
        if not self.cache or aggregate.pending_events:
            return
        try:
            current = self.cache.get(aggregate.id)
        except KeyError:
            current = None
        if current is None or current.version < aggregate.version:
            self.cache.put(aggregate.id, aggregate)


def project(aggregate, domain_events):
    """The library's ``project_aggregate`` without its per-event ``isinstance`` check against a
    runtime Protocol (slow on Python 3.11); a gap in the versions is a damaged ledger."""
    for event in domain_events:
        if aggregate is not None and event.originator_version != aggregate.version + 1:
            raise LedgerIntegrityError(event.originator_id, aggregate.version + 1, MISSING)
        aggregate = event.mutate(aggregate)
    return aggregate


def _copy(aggregate):
    return aggregate.detached() if isinstance(aggregate, Traveler) else _pickled(aggregate)


def _pickled(aggregate):
    return pickle.loads(pickle.dumps(aggregate, pickle.HIGHEST_PROTOCOL))
