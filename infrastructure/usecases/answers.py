"""Status, plan and calculation answers from the engine, and the cache that keeps them."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from uuid import UUID

from domain.answers import Calculation, PlanAnswer, StatusAnswer
from domain.engine import Engine, Facts
from domain.errors import ValidationError
from domain.posts import PostRegistry, reference_today
from domain.rulebook import Rulebook
from domain.stays import stays_from_dates
from domain.traveler import Traveler
from infrastructure.ledger import LedgerApplication
from infrastructure.replay import Replay
from infrastructure.usecases.context import Store, check_country, check_jurisdiction, utc_now


class AnswerCache:
    """Engine answers by traveler version and question: a new event makes a new key, so an
    answer never outlives the history it was computed from. Shared by request threads."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._answers: OrderedDict[tuple, dict] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> dict | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, key: tuple, answer: dict) -> dict:
        with self._lock:
            self._answers[key] = answer
            if len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer


class Answers(Store):
    """The engine's answers for stored travelers (cached by version) and for given stays."""

    def __init__(
        self,
        app: LedgerApplication,
        posts: PostRegistry,
        document_key: bytes,
        rulebook: Rulebook,
        clock: Callable[[], datetime] = utc_now,
    ):
        super().__init__(app, posts, document_key, clock)
        self.rulebook = rulebook
        self._answers = AnswerCache()

    def forget_answers(self) -> None:
        """Drop cached answers: the benchmarks time the computation, not the cache."""
        self._answers = AnswerCache(self._answers.size)

    def status(
        self,
        traveler_id: UUID,
        jurisdiction: str,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> StatusAnswer:
        check_jurisdiction(jurisdiction)
        if known_at is not None and (known_at.tzinfo is None or known_at.utcoffset() is None):
            raise ValidationError({"known_at": ["an instant with a UTC offset is required"]})
        t = self._load(traveler_id)
        as_of = as_of or reference_today(jurisdiction, self.clock())
        return self.status_of(t, jurisdiction, as_of, known_at, self._position_of_head(t))

    def _position_of_head(self, t: Traveler) -> int | None:
        """The ledger position of the traveler's latest event: what a status reflects."""
        key = (t.id, t.version)
        found = self._answers.get(key)
        if found is None:
            found = self._answers.put(key, {"position": self.app.position_of(t.id, t.version)})
        return found["position"]

    def status_of(
        self,
        t: Traveler,
        jurisdiction: str,
        as_of: date,
        known_at: datetime | None,
        position,
        replay: Replay | None = None,
    ) -> StatusAnswer:
        """The status from ``t`` (or ``replay``'s crossings), cached; also the audit trail's."""
        key = (t.id, t.version, jurisdiction, as_of, known_at)
        answer = self._answers.get(key)
        if answer is None:
            facts = Facts.from_crossings(
                jurisdiction,
                t.nationality,
                replay.crossings_known_at(known_at) if replay else t.crossings_known_at(known_at),
                t.exemptions_known_at(known_at),
                as_of,
            )
            answer = self._answers.put(key, Engine(self.rulebook, facts).status(as_of))
        return replace(answer, traveler_id=t.id, known_at=known_at, position=position)

    def plan(
        self,
        traveler_id: UUID,
        jurisdiction: str,
        entry_on: date,
        planned_stays: list[tuple[date, date]] = (),
    ) -> PlanAnswer:
        check_jurisdiction(jurisdiction)
        _check_stays(planned_stays, open_allowed=False)
        t = self._load(traveler_id)
        facts = Facts.from_crossings(
            jurisdiction, t.nationality, t.crossings_known_at(), t.exemptions_known_at()
        )
        return Engine(self.rulebook, facts).plan(entry_on, list(planned_stays))

    def calculate(
        self,
        jurisdiction: str,
        nationality: str,
        stays: list[tuple[date, date | None]],
        as_of: date | None = None,
        entry_on: date | None = None,
    ) -> Calculation:
        """The engine over stays given in the request; nothing is read or stored."""
        check_jurisdiction(jurisdiction)
        check_country("nationality", nationality)
        _check_stays(stays, open_allowed=True)
        engine = Engine(
            self.rulebook, Facts(jurisdiction, nationality, tuple(stays_from_dates(stays)))
        )
        return Calculation(
            engine.status(as_of) if as_of else None, engine.plan(entry_on) if entry_on else None
        )


def _check_stays(stays, open_allowed: bool) -> None:
    for i, (entry, exit_) in enumerate(stays):
        if exit_ is None and not open_allowed:
            raise ValidationError({f"stays.{i}.exit_on": ["is required"]})
        if exit_ is not None and exit_ < entry:
            raise ValidationError({f"stays.{i}.exit_on": ["is before entry_on"]})
    if open_allowed and sum(1 for _, b in stays if b is None) > 1:
        raise ValidationError({"stays": ["at most one stay may be open"]})
