"""The traveler's events as the history answers them: one schema per event type, data typed.

Each ``…DataOut`` lists exactly the fields of its event in ``domain/traveler/events.py`` (a test
holds them equal), so typing the data never drops a field from the answer.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from domain.answers import EXEMPTION_STATES
from web.fields import Direction, ExemptionKind, IsoDate, IsoInstant, Jurisdiction
from web.schemas.answers import StatusOut, enum

PERSONAL = {"metadata": {"description": "personal; null once erased"}}
KEY_ID = {"metadata": {"description": "the document index's keyed hash: the claim's id"}}
ERASED = {"metadata": {"description": "true once the traveler's personal data is erased"}}


class RegisteredDataOut(Schema):
    nationality = fields.String(required=True)
    document_type = fields.String(required=True)
    document_number = fields.String(required=True, allow_none=True, **PERSONAL)
    surname = fields.String(required=True, allow_none=True, **PERSONAL)
    given_names = fields.String(required=True, allow_none=True, **PERSONAL)
    birth_date = IsoDate(required=True, allow_none=True, **PERSONAL)
    document_key_id = fields.String(required=True, allow_none=True, **KEY_ID)
    erased = fields.Boolean(**ERASED)


class DocumentLinkedDataOut(Schema):
    nationality = fields.String(required=True)
    document_type = fields.String(required=True)
    document_number = fields.String(required=True, allow_none=True, **PERSONAL)
    document_key_id = fields.String(required=True, allow_none=True, **KEY_ID)
    erased = fields.Boolean(**ERASED)


class CrossingRecordedDataOut(Schema):
    crossing_id = fields.String(required=True)
    direction = Direction(required=True)
    border_post = fields.String(required=True)
    jurisdiction = Jurisdiction(required=True)
    occurred_at = IsoInstant(required=True)
    local_date = IsoDate(required=True)


class CrossingCorrectedDataOut(CrossingRecordedDataOut):
    reason = fields.String(required=True)


class CrossingVoidedDataOut(Schema):
    crossing_id = fields.String(required=True)
    reason = fields.String(required=True)


class ExemptionGrantedDataOut(Schema):
    exemption_id = fields.String(required=True)
    kind = ExemptionKind(required=True)
    jurisdiction = Jurisdiction(required=True)
    valid_from = IsoDate(required=True)
    valid_until = IsoDate(required=True)
    contract_number = fields.String(required=True, allow_none=True)
    employer_id = fields.String(required=True, allow_none=True)
    permit_number = fields.String(required=True, allow_none=True)


class ExemptionEndedDataOut(Schema):
    exemption_id = fields.String(required=True)
    ended_on = IsoDate(required=True)
    reason = fields.String(required=True)


class ExemptionVerifiedDataOut(Schema):
    employer_id = fields.String(required=True)
    contract_number = fields.String(required=True)
    on = IsoDate(required=True)
    result = enum(EXEMPTION_STATES, required=True)
    receipt = fields.String(required=True, metadata={"description": "the receipt's id"})


class ErasedDataOut(Schema):
    reason = fields.String(required=True)


class RecordedByOut(Schema):
    actor = fields.String(required=True)
    office = fields.String(required=True, allow_none=True)


class EventOut(Schema):
    """What every event carries; each type adds its ``type`` value and typed ``data``."""

    position = fields.Integer(required=True, allow_none=True)
    version = fields.Integer(required=True)
    topic = fields.String()
    recorded_at = IsoInstant(required=True)
    recorded_by = fields.Nested(RecordedByOut, required=True)
    hash = fields.String(required=True)
    previous_hash = fields.String(required=True)
    hash_valid = fields.Boolean()
    status = fields.Nested(
        StatusOut, metadata={"description": "with_status: the status right after the event"}
    )


def _event(data: type[Schema]) -> type[Schema]:
    """The event schema whose ``type`` is the data schema's name without ``DataOut``."""
    name = data.__name__.removesuffix("DataOut")
    body = {"type": enum((name,), required=True), "data": fields.Nested(data, required=True)}
    return type(f"{name}EventOut", (EventOut,), body)


DATA = (
    RegisteredDataOut,
    DocumentLinkedDataOut,
    CrossingRecordedDataOut,
    CrossingCorrectedDataOut,
    CrossingVoidedDataOut,
    ExemptionGrantedDataOut,
    ExemptionEndedDataOut,
    ExemptionVerifiedDataOut,
    ErasedDataOut,
)
# Event type (the domain event's class name) -> the schema of that event in the history.
EVENTS = {schema.__name__.removesuffix("EventOut"): schema for schema in map(_event, DATA)}
