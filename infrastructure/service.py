"""The ledger service: the one object callers hold, handing each operation to its use case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

from domain.answers import Calculation, PlanAnswer, StatusAnswer
from domain.posts import PostRegistry
from domain.rulebook import Rulebook, RuleVersion
from domain.traveler import Traveler
from infrastructure.errors import store_boundary_class
from infrastructure.ledger import LedgerApplication
from infrastructure.usecases import reference
from infrastructure.usecases.answers import Answers
from infrastructure.usecases.audit import HISTORY_PAGE, Audit
from infrastructure.usecases.batch import Batch
from infrastructure.usecases.commands import (
    BatchItem,
    CorrectCrossing,
    GrantExemption,
    RecordCrossing,
)
from infrastructure.usecases.context import Actor, utc_now
from infrastructure.usecases.erasure import Erasure
from infrastructure.usecases.exemptions import Exemptions
from infrastructure.usecases.profile import Profiles
from infrastructure.usecases.retention import DueTraveler, Retention
from infrastructure.usecases.verification import EmployerChecks
from infrastructure.usecases.writes import Writes
from infrastructure.write_receipts import WriteReceipt


@store_boundary_class
class LedgerService:
    """Operations over the ledger; the clock and the rulebook come in from outside."""

    def __init__(
        self,
        app: LedgerApplication,
        rulebook: Rulebook,
        posts: PostRegistry,
        document_key: bytes,
        receipt_key: bytes,
        clock: Callable[[], datetime] = utc_now,
    ):
        self.app = app
        self.rulebook = rulebook
        self.posts = posts
        self.clock = clock
        self._writes = Writes(app, posts, document_key, clock)
        self._exemptions = Exemptions(app, posts, document_key, clock)
        self._batch = Batch(app, posts, document_key, clock)
        self._checks = EmployerChecks(app, posts, document_key, receipt_key, clock)
        self._answers = Answers(app, posts, document_key, rulebook, clock)
        self._audit = Audit(app, posts, document_key, self._answers, clock)
        self._profiles = Profiles(app, posts, document_key, clock)
        self._erasure = Erasure(app, posts, document_key, clock)
        self._erasure.forget = lambda traveler_id: self._answers.forget_answers()
        self._retention = Retention(self._answers, self._erasure)

    # -- the store ---------------------------------------------------------------------------

    @property
    def is_postgres(self) -> bool:
        return self.app.is_postgres

    def position(self) -> int:
        """The ledger's last position (0 when empty)."""
        return self.app.position()

    def unwritable(self) -> str | None:
        """Why a write would fail now (SQLite: locked, read-only, full); None when it would not."""
        return self.app.unwritable()

    def close(self) -> None:
        self.app.close()

    def traveler(self, traveler_id: UUID) -> Traveler:
        """The traveler as stored now; NotFoundError when there is none."""
        return self._writes._load(traveler_id)

    def forget_answers(self) -> None:
        """Drop cached answers: the benchmarks time the computation, not the cache."""
        self._answers.forget_answers()

    # -- travelers, crossings and exemptions -------------------------------------------------

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
        Returns the id, whether it is new, the position and the receipt."""
        return self._writes.register(
            actor, nationality, document_number, document_type, surname, given_names, birth_date
        )

    def find_traveler(self, nationality: str, document_number: str) -> UUID:
        return self._writes.find_traveler(nationality, document_number)

    def link_document(
        self,
        actor: Actor,
        traveler_id: UUID,
        nationality: str,
        document_number: str,
        document_type: str = "passport",
    ) -> tuple[bool, int | None, WriteReceipt | None]:
        """Link a document; False when already linked to this traveler, 409 if to another."""
        return self._writes.link_document(
            actor, traveler_id, nationality, document_number, document_type
        )

    def profile(self, traveler_id: UUID) -> dict:
        """The traveler's personal data and documents; null fields and ``erased`` once erased."""
        return self._profiles.profile(traveler_id)

    def erase(
        self, actor: Actor, traveler_id: UUID, reason: str
    ) -> tuple[bool, WriteReceipt | None]:
        """Erase the traveler's personal data (its key destroyed, its documents released);
        False when it was already erased; the erasure's receipt either way."""
        return self._erasure.erase(actor, traveler_id, reason)

    def retention_plan(
        self, as_of: date, progress: Callable[[int], None] = lambda n: None
    ) -> tuple[list[DueTraveler], list[UUID]]:
        """Travelers due for erasure on ``as_of``, and those whose events could not be read."""
        return self._retention.plan(as_of, progress)

    def registered_count(self) -> int:
        """How many travelers were ever registered (the retention plan's progress total)."""
        return sum(1 for _ in self._retention.traveler_ids())

    def erase_for_retention(self, actor: Actor, traveler_id: UUID) -> bool:
        return self._retention.erase(actor, traveler_id)

    def record_crossing(self, actor: Actor, cmd: RecordCrossing) -> tuple[dict, bool]:
        return self._writes.record_crossing(actor, cmd)

    def record_batch(
        self, actor: Actor, items: list[BatchItem]
    ) -> tuple[list[dict], int | None, WriteReceipt | None]:
        """Record many crossings, one transaction per chunk; a bad item rejects only itself.
        Returns each item's result, the last position stored and its receipt."""
        return self._batch.record_batch(actor, items)

    def correct_crossing(self, actor: Actor, cmd: CorrectCrossing) -> dict:
        return self._writes.correct_crossing(actor, cmd)

    def void_crossing(self, actor: Actor, traveler_id: UUID, crossing_id: str, reason: str) -> dict:
        return self._writes.void_crossing(actor, traveler_id, crossing_id, reason)

    def grant_exemption(self, actor: Actor, cmd: GrantExemption) -> tuple[dict, bool]:
        return self._exemptions.grant_exemption(actor, cmd)

    def end_exemption(
        self, actor: Actor, traveler_id: UUID, exemption_id: str, ended_on: date, reason: str
    ) -> dict:
        return self._exemptions.end_exemption(actor, traveler_id, exemption_id, ended_on, reason)

    # -- employers' checks -------------------------------------------------------------------

    def verify_exemption(
        self,
        actor: Actor,
        nationality: str,
        document_number: str,
        contract_number: str,
        on: date | None = None,
    ) -> dict:
        """Tell an employer the exemption's state and dates, nothing else; keep a record."""
        return self._checks.verify_exemption(
            actor, nationality, document_number, contract_number, on
        )

    def verification_log(
        self, employer_id: str | None, since: datetime | None, limit: int, after: int | None
    ) -> tuple[list[dict], int | None]:
        return self._checks.verification_log(employer_id, since, limit, after)

    # -- answers and audit -------------------------------------------------------------------

    def status(
        self,
        traveler_id: UUID,
        jurisdiction: str,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> StatusAnswer:
        return self._answers.status(traveler_id, jurisdiction, as_of, known_at)

    def plan(
        self,
        traveler_id: UUID,
        jurisdiction: str,
        entry_on: date,
        planned_stays: list[tuple[date, date]] = (),
    ) -> PlanAnswer:
        return self._answers.plan(traveler_id, jurisdiction, entry_on, planned_stays)

    def calculate(
        self,
        jurisdiction: str,
        nationality: str,
        stays: list[tuple[date, date | None]],
        as_of: date | None = None,
        entry_on: date | None = None,
    ) -> Calculation:
        """The engine over stays given in the request; nothing is read or stored."""
        return self._answers.calculate(jurisdiction, nationality, stays, as_of, entry_on)

    def history(
        self,
        traveler_id: UUID,
        with_status: str | None = None,
        limit: int = HISTORY_PAGE,
        after_version: int = 0,
    ) -> dict:
        """A page of events, oldest first; ``chain_valid`` covers the whole history's chain."""
        return self._audit.history(traveler_id, with_status, limit, after_version)

    # -- reference ---------------------------------------------------------------------------

    def rules(self) -> tuple[RuleVersion, ...]:
        return reference.rules(self.rulebook)

    def border_posts(self) -> list[dict]:
        return reference.border_posts(self.posts)
