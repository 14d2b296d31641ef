"""The read models' storage contract; PostgreSQL and SQLite implement it in infrastructure."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from projections.facts import TravelerFacts
from projections.status import Deadline, StatusRow


class AlreadyApplied(Exception):
    """A batch's start is not the view's position: a duplicate or out-of-order delivery."""


@dataclass(frozen=True)
class DocumentRow:
    """Nationality and document to traveler, keyed by a keyed hash of the number."""

    digest: str
    nationality: str
    document_type: str
    traveler_id: UUID


@dataclass
class Changes:
    """Everything one batch writes: replaced per traveler, plus the new position."""

    facts: dict[UUID, TravelerFacts] = field(default_factory=dict)
    status: dict[UUID, list[StatusRow]] = field(default_factory=dict)
    deadlines: dict[UUID, list[Deadline]] = field(default_factory=dict)
    documents: list[DocumentRow] = field(default_factory=list)
    existing: set[UUID] = field(default_factory=set)  # travelers whose old rows are replaced


class StatusView(ABC):
    """Stay status, overstay deadlines, the document index and their tracking position.

    ``commit`` writes rows and position in one transaction and only if the position is still
    ``after``: a crash loses the whole batch or nothing, and a repeated batch changes nothing.
    """

    @abstractmethod
    def position(self) -> int:
        """The last ledger position reflected (0 before any)."""

    @abstractmethod
    def load_facts(self, traveler_ids: Iterable[UUID]) -> dict[UUID, TravelerFacts]:
        """Stored facts of these travelers (absent ones are left out)."""

    @abstractmethod
    def commit(self, changes: Changes, after: int, upto: int) -> None:
        """Apply ``changes`` and move the position from ``after`` to ``upto`` atomically."""

    @abstractmethod
    def stale(self, rulebook_digest: str, limit: int) -> list[UUID]:
        """Travelers with a row computed under another rulebook."""

    @abstractmethod
    def status_of(self, traveler_id: UUID) -> list[StatusRow]:
        """A traveler's rows, one per jurisdiction."""

    @abstractmethod
    def deadlines_of(self, traveler_id: UUID) -> list[Deadline]:
        """A traveler's overstay deadlines."""

    @abstractmethod
    def traveler_ids(self) -> list[UUID]:
        """Every traveler the view has facts for."""

    @abstractmethod
    def overstays(
        self, jurisdiction: str, on: date, limit: int, after: tuple[date, str] | None
    ) -> list[Deadline]:
        """Deadlines of travelers present and past their latest legal exit on ``on``.

        Ordered by (latest_legal_exit, traveler_id), starting after the key ``after``.
        """

    @abstractmethod
    def find_document(self, digest: str) -> UUID | None:
        """The traveler holding the document with this keyed hash."""
