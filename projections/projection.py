"""Applying ledger events to a view in batches: each affected traveler is recomputed once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

from domain.rulebook import Rulebook
from domain.traveler import Traveler
from projections.facts import TravelerFacts, evolve
from projections.status import derive
from projections.views import Changes, DocumentRow, StatusView

# (nationality, document number) -> keyed hash; supplied by infrastructure, which holds the key.
# Events carry the same keyed hash as ``document_key_id`` (their numbers are encrypted and
# projections read no key): the hash is used only for events without one.
DocumentHash = Callable[[str, str], str]


class StatusProjection:
    """Keeps a ``StatusView`` up to date; the rulebook and the document hash come in as data."""

    name = "stay_status"

    def __init__(self, view: StatusView, rulebook: Rulebook, document_hash: DocumentHash):
        self.view = view
        self.rulebook = rulebook
        self.document_hash = document_hash

    def process(self, events: Sequence[tuple[int, object]], after: int, upto: int) -> int:
        """Apply ``(position, event)`` pairs in (after, upto]; returns how many were used."""
        mine = [(p, e) for p, e in events if isinstance(e, Traveler.Event)]
        ids = list(dict.fromkeys(e.originator_id for _, e in mine))
        facts = self.view.load_facts(ids)
        changes = Changes(existing=set(facts))
        dirty: dict[UUID, int] = {}
        for position, event in mine:
            tid = event.originator_id
            facts[tid] = evolve(facts.get(tid) or TravelerFacts(tid), event)
            changes.facts[tid] = facts[tid]
            # Every event moves the version the rows carry, even one that changes no status.
            dirty[tid] = position
            if isinstance(event, Traveler.Registered | Traveler.DocumentLinked):
                digest = event.document_key_id or (
                    event.document_number
                    and self.document_hash(event.nationality, event.document_number)
                )
                if digest:
                    changes.documents.append(
                        DocumentRow(digest, event.nationality, event.document_type, tid)
                    )
        for tid, position in dirty.items():
            changes.status[tid], changes.deadlines[tid] = derive(
                facts[tid], self.rulebook, position
            )
        self.view.commit(changes, after, upto)
        return len(mine)

    def refresh_stale(self, limit: int = 500) -> int:
        """Recompute rows made under another rulebook, from stored facts; returns how many."""
        ids = self.view.stale(self.rulebook.digest, limit)
        if not ids:
            return 0
        position = self.view.position()
        stored = self.view.load_facts(ids)
        changes = Changes(existing=set(stored))
        for tid, facts in stored.items():
            changes.status[tid], changes.deadlines[tid] = derive(facts, self.rulebook, position)
        self.view.commit(changes, position, position)
        return len(ids)
