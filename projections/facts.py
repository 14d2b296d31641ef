"""What the read side keeps of a traveler's history, and how each ledger event changes it."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from domain.records import Crossing, Exemption
from domain.traveler import Traveler
from domain.traveler.facts import crossing_of, ended, exemption_of


@dataclass(frozen=True)
class TravelerFacts:
    """The engine's inputs for one traveler (no document numbers: those stay in the ledger)."""

    traveler_id: UUID
    nationality: str = ""
    version: int = 0
    crossings: dict[str, Crossing] = field(default_factory=dict)
    voided: frozenset[str] = frozenset()
    exemptions: dict[str, Exemption] = field(default_factory=dict)

    def live_crossings(self) -> list[Crossing]:
        return [c for cid, c in self.crossings.items() if cid not in self.voided]

    def jurisdictions(self) -> list[str]:
        return sorted({c.jurisdiction for c in self.live_crossings()})


def _moved(
    facts: TravelerFacts,
    version: int,
    nationality: str | None = None,
    crossings: dict[str, Crossing] | None = None,
    voided: frozenset[str] | None = None,
    exemptions: dict[str, Exemption] | None = None,
) -> TravelerFacts:
    """``dataclasses.replace`` without its field introspection: evolve runs once per event."""
    return TravelerFacts(
        facts.traveler_id,
        facts.nationality if nationality is None else nationality,
        version,
        facts.crossings if crossings is None else crossings,
        facts.voided if voided is None else voided,
        facts.exemptions if exemptions is None else exemptions,
    )


def evolve(facts: TravelerFacts, event) -> TravelerFacts:
    """The facts after one Traveler event, through the aggregate's own event-to-fact mapping."""
    version = event.originator_version
    if isinstance(event, Traveler.Registered):
        return _moved(facts, version, nationality=event.nationality)
    if isinstance(event, Traveler.CrossingRecorded):
        crossings = {**facts.crossings, event.crossing_id: crossing_of(event, version)}
        return _moved(facts, version, crossings=crossings)
    if isinstance(event, Traveler.CrossingCorrected):
        seq = facts.crossings[event.crossing_id].seq
        crossings = {**facts.crossings, event.crossing_id: crossing_of(event, seq)}
        return _moved(facts, version, crossings=crossings)
    if isinstance(event, Traveler.CrossingVoided):
        return _moved(facts, version, voided=facts.voided | {event.crossing_id})
    if isinstance(event, Traveler.ExemptionGranted):
        exemptions = {**facts.exemptions, event.exemption_id: exemption_of(event)}
        return _moved(facts, version, exemptions=exemptions)
    if isinstance(event, Traveler.ExemptionEnded):
        value = ended(facts.exemptions[event.exemption_id], event)
        exemptions = {**facts.exemptions, event.exemption_id: value}
        return _moved(facts, version, exemptions=exemptions)
    return _moved(facts, version)


# -- storage form: plain JSON, so every backend keeps the facts the same way -------------------


def to_json(facts: TravelerFacts) -> str:
    return json.dumps(
        {
            "nationality": facts.nationality,
            "version": facts.version,
            "crossings": [
                [
                    c.crossing_id,
                    c.direction,
                    c.border_post,
                    c.jurisdiction,
                    c.occurred_at.isoformat(),
                    c.local_date.isoformat(),
                    c.seq,
                ]
                for c in facts.crossings.values()
            ],
            "voided": sorted(facts.voided),
            "exemptions": [_exemption_doc(e) for e in facts.exemptions.values()],
        },
        separators=(",", ":"),
    )


def _exemption_doc(e: Exemption) -> dict:
    doc = dataclasses.asdict(e)
    for k in ("valid_from", "valid_until", "ended_on"):
        doc[k] = doc[k].isoformat() if doc[k] else None
    return doc


def from_json(traveler_id: UUID, text: str) -> TravelerFacts:
    doc = json.loads(text)
    crossings = {
        row[0]: Crossing(
            row[0],
            row[1],
            row[2],
            row[3],
            datetime.fromisoformat(row[4]),
            date.fromisoformat(row[5]),
            row[6],
        )
        for row in doc["crossings"]
    }
    exemptions = {}
    for e in doc["exemptions"]:
        for k in ("valid_from", "valid_until", "ended_on"):
            e[k] = date.fromisoformat(e[k]) if e[k] else None
        exemptions[e["exemption_id"]] = Exemption(**e)
    return TravelerFacts(
        traveler_id,
        doc["nationality"],
        doc["version"],
        crossings,
        frozenset(doc["voided"]),
        exemptions,
    )
