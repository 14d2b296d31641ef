"""The Traveler aggregate: one person's commands; decisions happen here, before an event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.checks import require_instant, require_past, require_reason
from domain.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from domain.posts import BorderPost
from domain.records import DIRECTIONS, EXEMPTION_KINDS, Crossing, Exemption
from domain.traveler import events
from domain.traveler.history import CrossingVersion, known_at


@dataclass(frozen=True)
class RecordedBy:
    """Who writes an event; ``admin`` may correct records of any office."""

    actor: str
    office: str | None = None
    admin: bool = False


class Traveler(Aggregate):
    """A person's crossings, exemptions and documents; corrections are new events."""

    TOPIC = "borderledger:Traveler"

    Event = events.TravelerEvent
    Created = events.Created
    Registered = events.Registered
    DocumentLinked = events.DocumentLinked
    CrossingRecorded = events.CrossingRecorded
    CrossingCorrected = events.CrossingCorrected
    CrossingVoided = events.CrossingVoided
    ExemptionGranted = events.ExemptionGranted
    ExemptionEnded = events.ExemptionEnded
    ExemptionVerified = events.ExemptionVerified
    Erased = events.Erased

    # State, set by the events' ``apply`` (annotations here would become __init__ parameters):
    # nationality: str, profile: Profile, documents: list[Document],
    # crossings: dict[str, list[CrossingVersion]], exemptions: dict[str, list[ExemptionVersion]],
    # verifications: list[Verification], head_hash: str, erased: bool

    # -- creation --------------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        traveler_id: UUID,
        nationality: str,
        document_type: str,
        document_number: str,
        by: RecordedBy,
        now: datetime,
        surname: str | None = None,
        given_names: str | None = None,
        birth_date: date | None = None,
        *,
        document_key_id: str | None = None,
    ) -> Traveler:
        """Register a traveler; ``document_key_id`` is the id of the document's claim."""
        require_instant("recorded_at", now)
        return cls._create(
            cls.Registered,
            id=traveler_id,
            recorded_at=now,
            actor=by.actor,
            office=by.office,
            nationality=nationality,
            document_type=document_type,
            document_number=document_number,
            document_key_id=document_key_id,
            surname=surname,
            given_names=given_names,
            birth_date=birth_date,
        )

    def _record(self, event_class: type, by: RecordedBy, now: datetime, **data) -> None:
        """Trigger an event; the event store chains it to the last one when it is stored."""
        require_instant("recorded_at", now)
        self.trigger_event(event_class, recorded_at=now, actor=by.actor, office=by.office, **data)

    # -- commands --------------------------------------------------------------------------

    def link_document(
        self,
        nationality: str,
        document_type: str,
        document_number: str,
        by: RecordedBy,
        now: datetime,
        *,
        document_key_id: str | None = None,
    ) -> bool:
        """Link a new travel document; False when it was already linked (the same claim id,
        or the same number where the traveler was read with its personal data)."""
        if self.is_erased:
            raise ConflictError("the traveler's personal data was erased")
        for doc in self.documents:
            if doc.nationality == nationality and (
                doc.document_number == document_number
                or (document_key_id is not None and doc.key_id == document_key_id)
            ):
                return False
        self._record(
            self.DocumentLinked,
            by,
            now,
            nationality=nationality,
            document_type=document_type,
            document_number=document_number,
            document_key_id=document_key_id,
        )
        return True

    def record_crossing(
        self,
        crossing_id: str,
        direction: str,
        post: BorderPost,
        occurred_at: datetime,
        by: RecordedBy,
        now: datetime,
    ) -> tuple[Crossing, bool]:
        """Record a crossing; an identical retry returns the original and records nothing."""
        require_instant("recorded_at", now)
        require_past("occurred_at", occurred_at, now)
        if direction not in DIRECTIONS:
            raise ValidationError({"direction": ["must be 'entry' or 'exit'"]})
        existing = self.crossings.get(crossing_id)
        if existing is not None:
            first = existing[0].crossing
            same = (
                first.direction == direction
                and first.border_post == post.code
                and first.occurred_at == occurred_at
            )
            if not same:
                raise ConflictError(f"crossing {crossing_id} was recorded with other content")
            return first, False
        self._record(
            self.CrossingRecorded,
            by,
            now,
            crossing_id=crossing_id,
            direction=direction,
            border_post=post.code,
            jurisdiction=post.jurisdiction,
            occurred_at=occurred_at,
            local_date=post.local_date(occurred_at),
        )
        return self.crossings[crossing_id][-1].crossing, True

    def _editable(self, crossing_id: str, by: RecordedBy) -> Crossing:
        versions = self.crossings.get(crossing_id)
        if versions is None:
            raise NotFoundError(f"no crossing {crossing_id}")
        if versions[-1].voided:
            raise ConflictError(f"crossing {crossing_id} is void")
        if not by.admin and by.office != versions[0].office:
            raise ForbiddenError("only the recording office or an admin may change a crossing")
        return versions[-1].crossing

    def correct_crossing(
        self,
        crossing_id: str,
        reason: str,
        by: RecordedBy,
        now: datetime,
        post: BorderPost,
        direction: str | None = None,
        occurred_at: datetime | None = None,
    ) -> Crossing:
        """Correct a crossing; ``post`` is the corrected post, or the recorded one if unchanged."""
        require_reason(reason)
        if direction is not None and direction not in DIRECTIONS:
            raise ValidationError({"direction": ["must be 'entry' or 'exit'"]})
        require_instant("recorded_at", now)
        if occurred_at is not None:
            require_past("occurred_at", occurred_at, now)
        current = self._editable(crossing_id, by)
        instant = occurred_at or current.occurred_at
        changed = (
            (direction or current.direction) != current.direction
            or post.code != current.border_post
            or instant != current.occurred_at
        )
        if not changed:
            raise ValidationError({"_": ["the correction changes nothing"]})
        self._record(
            self.CrossingCorrected,
            by,
            now,
            crossing_id=crossing_id,
            direction=direction or current.direction,
            border_post=post.code,
            jurisdiction=post.jurisdiction,
            occurred_at=instant,
            local_date=post.local_date(instant),
            reason=reason,
        )
        return self.crossings[crossing_id][-1].crossing

    def void_crossing(self, crossing_id: str, reason: str, by: RecordedBy, now: datetime) -> None:
        require_reason(reason)
        self._editable(crossing_id, by)
        self._record(self.CrossingVoided, by, now, crossing_id=crossing_id, reason=reason)

    def grant_exemption(
        self,
        exemption_id: str,
        kind: str,
        jurisdiction: str,
        valid_from: date,
        valid_until: date,
        by: RecordedBy,
        now: datetime,
        contract_number: str | None = None,
        employer_id: str | None = None,
        permit_number: str | None = None,
    ) -> bool:
        """Grant an exemption; False when an identical grant was already recorded."""
        if kind not in EXEMPTION_KINDS:
            raise ValidationError({"kind": [f"must be one of {', '.join(EXEMPTION_KINDS)}"]})
        if valid_until < valid_from:
            raise ValidationError({"valid_until": ["is before valid_from"]})
        if kind == "employment" and not (contract_number and employer_id):
            raise ValidationError(
                {"contract_number": ["an employment exemption needs contract and employer"]}
            )
        data = {
            "exemption_id": exemption_id,
            "kind": kind,
            "jurisdiction": jurisdiction,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "contract_number": contract_number,
            "employer_id": employer_id,
            "permit_number": permit_number,
        }
        existing = self.exemptions.get(exemption_id)
        if existing is not None:
            first = existing[0].exemption
            if any(getattr(first, k) != v for k, v in data.items()):
                raise ConflictError(f"exemption {exemption_id} was granted with other content")
            return False
        self._record(self.ExemptionGranted, by, now, **data)
        return True

    def end_exemption(
        self, exemption_id: str, ended_on: date, reason: str, by: RecordedBy, now: datetime
    ) -> Exemption:
        versions = self.exemptions.get(exemption_id)
        if versions is None:
            raise NotFoundError(f"no exemption {exemption_id}")
        require_reason(reason)
        value = versions[0].exemption
        if not value.valid_from <= ended_on <= value.valid_until:
            raise ValidationError({"ended_on": ["must fall within the exemption's term"]})
        self._record(
            self.ExemptionEnded,
            by,
            now,
            exemption_id=exemption_id,
            ended_on=ended_on,
            reason=reason,
        )
        return self.exemptions[exemption_id][-1].exemption

    def record_verification(
        self,
        employer_id: str,
        contract_number: str,
        on: date,
        result: str,
        receipt: str,
        by: RecordedBy,
        now: datetime,
    ) -> None:
        self._record(
            self.ExemptionVerified,
            by,
            now,
            employer_id=employer_id,
            contract_number=contract_number,
            on=on,
            result=result,
            receipt=receipt,
        )

    def erase(self, reason: str, by: RecordedBy, now: datetime) -> bool:
        """Record the erasure of the traveler's personal data; False when already erased."""
        require_reason(reason)
        if self.is_erased:
            return False
        self._record(self.Erased, by, now, reason=reason)
        return True

    # -- queries (pure) --------------------------------------------------------------------

    @property
    def is_erased(self) -> bool:
        return getattr(self, "erased", False)

    def detached(self) -> Traveler:
        """A copy sharing nothing that a command or event changes, far cheaper than pickle
        (bench: ledger_record)."""
        # Events only add: new lists, or appends to the lists, of frozen values. So copying the
        # containers is a full copy.
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy._pending_events = list(self._pending_events)
        copy.documents = list(self.documents)
        copy.crossings = {k: list(v) for k, v in self.crossings.items()}
        copy.exemptions = {k: list(v) for k, v in self.exemptions.items()}
        copy.verifications = list(self.verifications)
        return copy

    def crossings_known_at(self, at: datetime | None = None) -> list[Crossing]:
        """The crossings as the ledger knew them at ``at`` (all of them when None)."""
        out = []
        for versions in self.crossings.values():
            current = known_at(versions, at)
            if current is not None and not current.voided:
                out.append(current.crossing)
        return out

    def exemptions_known_at(self, at: datetime | None = None) -> list[Exemption]:
        out = []
        for versions in self.exemptions.values():
            current = known_at(versions, at)
            if current is not None:
                out.append(current.exemption)
        return out

    def exemption_by_contract(self, contract_number: str) -> Exemption | None:
        found = [
            versions[-1].exemption
            for versions in self.exemptions.values()
            if versions[-1].exemption.contract_number == contract_number
        ]
        return found[-1] if found else None

    def crossing_version(self, crossing_id: str) -> CrossingVersion | None:
        versions = self.crossings.get(crossing_id)
        return versions[-1] if versions else None
