"""The audit trail and the overstayers list."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from web.fields import Day, IsoDate, IsoInstant, Jurisdiction
from web.schemas.answers import PenaltyBandOut, StatusOut

MAX_PAGE = 500


class HistoryQuery(Schema):
    with_status = Jurisdiction(
        metadata={"description": "add the status in that jurisdiction right after each event"}
    )


class RecordedByOut(Schema):
    actor = fields.String(required=True)
    office = fields.String(required=True, allow_none=True)


class EventOut(Schema):
    position = fields.Integer(required=True, allow_none=True)
    version = fields.Integer(required=True)
    type = fields.String(required=True)
    topic = fields.String()
    recorded_at = IsoInstant(required=True)
    recorded_by = fields.Nested(RecordedByOut, required=True)
    data = fields.Dict(required=True)
    hash = fields.String(required=True)
    previous_hash = fields.String(required=True)
    hash_valid = fields.Boolean()
    status = fields.Nested(StatusOut)


class HistoryOut(Schema):
    traveler_id = fields.UUID(required=True)
    events = fields.List(fields.Nested(EventOut), required=True)
    chain_valid = fields.Boolean(required=True)


class OverstaysQuery(Schema):
    jurisdiction = Jurisdiction(required=True)
    as_of = Day(metadata={"description": "default: today in the jurisdiction's reference zone"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_PAGE))
    cursor = fields.String(validate=validate.Length(max=200))


class OverstayItemOut(Schema):
    traveler_id = fields.UUID(required=True)
    nationality = fields.String(required=True)
    entered_on = fields.Date(required=True)
    latest_legal_exit = fields.Date(required=True)
    days_over = fields.Integer(required=True)
    penalty_band = fields.Nested(PenaltyBandOut, required=True, allow_none=True)


class OverstaysOut(Schema):
    jurisdiction = fields.String(required=True)
    as_of = IsoDate(required=True)
    items = fields.List(fields.Nested(OverstayItemOut), required=True)
    next_cursor = fields.String(required=True, allow_none=True)
