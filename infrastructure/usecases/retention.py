"""Retention: which travelers are due for erasure on a day, and erasing them (reason
``retention``). Travelers are read without their personal data: no key is needed to plan."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.errors import LedgerIntegrityError
from domain.retention import RetentionDue, last_exit, overstayed, retention_due
from domain.traveler import Traveler
from infrastructure.usecases.answers import Answers
from infrastructure.usecases.context import Actor
from infrastructure.usecases.erasure import Erasure

RETENTION_REASON = "retention"
_PAGE = 5000


@dataclass(frozen=True)
class DueTraveler:
    traveler_id: UUID
    due: RetentionDue


class Retention:
    """Plans over every registered traveler; erases through the erasure use case."""

    def __init__(self, answers: Answers, erasure: Erasure):
        self.answers = answers
        self.erasure = erasure
        self.app = answers.app

    def traveler_ids(self) -> Iterator[UUID]:
        start = 0
        while True:
            notes = self.app.recorder.select_notifications(
                start=start,
                limit=_PAGE,
                topics=[Traveler.Registered.TOPIC],
                inclusive_of_start=False,
            )
            yield from (n.originator_id for n in notes)
            if len(notes) < _PAGE:
                return
            start = notes[-1].id

    def due(self, traveler_id: UUID, as_of: date) -> RetentionDue | None:
        t = self.app.replay(traveler_id, personal=False)
        crossings = t.crossings_known_at()
        exit_ = last_exit(crossings)
        if t.is_erased or exit_ is None:
            return None
        status = self.answers.status_of(t, exit_.jurisdiction, exit_.local_date, None, None)
        entries = [
            c.local_date
            for c in crossings
            if c.jurisdiction == exit_.jurisdiction
            and c.direction == "entry"
            and (c.occurred_at, c.seq) < (exit_.occurred_at, exit_.seq)
        ]
        periods = [(p.first, p.last) for p in status.overstay.periods]
        late = overstayed(periods, max(entries, default=None), exit_.local_date)
        return retention_due(crossings, late, as_of, t.is_erased)

    def plan(
        self, as_of: date, progress: Callable[[int], None] = lambda n: None
    ) -> tuple[list[DueTraveler], list[UUID]]:
        """Travelers due on ``as_of`` (by the day they became due), and those unreadable."""
        found, damaged = [], []
        for tid in self.traveler_ids():
            try:
                due = self.due(tid, as_of)
            except LedgerIntegrityError:
                damaged.append(tid)
                due = None
            if due is not None:
                found.append(DueTraveler(tid, due))
            progress(1)
        found.sort(key=lambda d: (d.due.due_on, str(d.traveler_id)))
        return found, damaged

    def erase(self, actor: Actor, traveler_id: UUID) -> bool:
        """Erase one due traveler; False when it was erased meanwhile."""
        created, _ = self.erasure.erase(actor, traveler_id, RETENTION_REASON)
        return created
