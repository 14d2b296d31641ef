"""The Traveler's events: the audit contract (names, fields, TOPIC, class_version).

Each ``apply`` copies the event into state and nothing else: no clock, no rule, no check.
Released events are never edited; a change is a new ``class_version`` with an upcast.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from domain.chain import KeepsChainHead
from domain.traveler.facts import crossing_of, ended, exemption_of
from domain.traveler.history import (
    CrossingVersion,
    Document,
    ExemptionVersion,
    Profile,
    Verification,
)

if TYPE_CHECKING:
    from domain.traveler.aggregate import Traveler


class TravelerEvent(KeepsChainHead, Aggregate.Event):
    """Who wrote it and when. A stored event also carries ``previous_hash`` and ``hash``, its
    place in the chain, which the event store sets: the chain covers the stored bytes."""

    recorded_at: datetime
    actor: str
    office: str | None


class Created(TravelerEvent, Aggregate.Created):
    TOPIC = "borderledger:Traveler.Created"


class Registered(Created):
    TOPIC = "borderledger:Traveler.Registered"
    class_version = 1
    nationality: str
    document_type: str
    document_number: str
    document_key_id: str | None
    surname: str | None
    given_names: str | None
    birth_date: date | None

    def apply(self, t: Traveler) -> None:
        t.nationality = self.nationality
        t.erased = False
        t.profile = Profile(self.surname, self.given_names, self.birth_date)
        t.documents = [
            Document(
                self.nationality, self.document_type, self.document_number, self.document_key_id
            )
        ]
        t.crossings = {}
        t.exemptions = {}
        t.verifications = []


class DocumentLinked(TravelerEvent):
    TOPIC = "borderledger:Traveler.DocumentLinked"
    class_version = 1
    nationality: str
    document_type: str
    document_number: str
    document_key_id: str | None

    def apply(self, t: Traveler) -> None:
        t.documents.append(
            Document(
                self.nationality, self.document_type, self.document_number, self.document_key_id
            )
        )


class CrossingRecorded(TravelerEvent):
    TOPIC = "borderledger:Traveler.CrossingRecorded"
    class_version = 1
    crossing_id: str
    direction: str
    border_post: str
    jurisdiction: str
    occurred_at: datetime
    local_date: date

    def apply(self, t: Traveler) -> None:
        crossing = crossing_of(self, self.originator_version)
        t.crossings[self.crossing_id] = [CrossingVersion(crossing, self.recorded_at, self.office)]


class CrossingCorrected(TravelerEvent):
    TOPIC = "borderledger:Traveler.CrossingCorrected"
    class_version = 1
    crossing_id: str
    direction: str
    border_post: str
    jurisdiction: str
    occurred_at: datetime
    local_date: date
    reason: str

    def apply(self, t: Traveler) -> None:
        versions = t.crossings[self.crossing_id]
        crossing = crossing_of(self, versions[0].crossing.seq)
        versions.append(CrossingVersion(crossing, self.recorded_at, self.office))


class CrossingVoided(TravelerEvent):
    TOPIC = "borderledger:Traveler.CrossingVoided"
    class_version = 1
    crossing_id: str
    reason: str

    def apply(self, t: Traveler) -> None:
        versions = t.crossings[self.crossing_id]
        versions.append(
            CrossingVersion(versions[-1].crossing, self.recorded_at, self.office, voided=True)
        )


class ExemptionGranted(TravelerEvent):
    TOPIC = "borderledger:Traveler.ExemptionGranted"
    class_version = 1
    exemption_id: str
    kind: str
    jurisdiction: str
    valid_from: date
    valid_until: date
    contract_number: str | None
    employer_id: str | None
    permit_number: str | None

    def apply(self, t: Traveler) -> None:
        t.exemptions[self.exemption_id] = [
            ExemptionVersion(
                exemption_of(self), self.recorded_at, self.office, self.originator_version
            )
        ]


class ExemptionEnded(TravelerEvent):
    TOPIC = "borderledger:Traveler.ExemptionEnded"
    class_version = 1
    exemption_id: str
    ended_on: date
    reason: str

    def apply(self, t: Traveler) -> None:
        versions = t.exemptions[self.exemption_id]
        value = ended(versions[-1].exemption, self)
        versions.append(
            ExemptionVersion(value, self.recorded_at, self.office, self.originator_version)
        )


class ExemptionVerified(TravelerEvent):
    TOPIC = "borderledger:Traveler.ExemptionVerified"
    class_version = 1
    employer_id: str
    contract_number: str
    on: date
    result: str
    receipt: str

    def apply(self, t: Traveler) -> None:
        t.verifications.append(Verification(self.employer_id, self.receipt))


class Erased(TravelerEvent):
    """The traveler's personal data was erased: its data key is destroyed with this event, so
    its personal fields read as None; crossings and exemptions stay."""

    TOPIC = "borderledger:Traveler.Erased"
    class_version = 1
    reason: str

    def apply(self, t: Traveler) -> None:
        t.erased = True
        t.profile = Profile(None, None, None)
        t.documents = [
            Document(d.nationality, d.document_type, None, d.key_id) for d in t.documents
        ]
