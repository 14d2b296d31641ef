"""The audit trail and the overstayers list."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from domain.chain import EDITED, INSERTED, MISSING, REORDERED
from infrastructure.usecases.audit import HISTORY_MAX_PAGE, HISTORY_PAGE
from web.fields import Day, Instant, IsoDate, IsoInstant, Jurisdiction, Tagged, Text
from web.schemas.answers import PenaltyBandOut, enum
from web.schemas.events import EVENTS
from web.schemas.exemptions import VERIFY_STATES

MAX_PAGE = 500
# What a traveler's own chain check finds (infrastructure.chain_check).
CHAIN_PROBLEMS = (EDITED, MISSING, INSERTED, REORDERED)


class HistoryQuery(Schema):
    with_status = Jurisdiction(
        metadata={"description": "add the status in that jurisdiction right after each event"}
    )
    limit = fields.Integer(
        load_default=HISTORY_PAGE, validate=validate.Range(min=1, max=HISTORY_MAX_PAGE)
    )
    after_version = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=2**31 - 1),
        metadata={"description": "the page starts after this event version"},
    )


class ChainProblemOut(Schema):
    version = fields.Integer(required=True)
    kind = enum(CHAIN_PROBLEMS, required=True)


class HistoryOut(Schema):
    traveler_id = fields.UUID(required=True)
    events = fields.List(Tagged("type", EVENTS), required=True)
    chain_valid = fields.Boolean(
        required=True, metadata={"description": "the whole history's chain, not only this page's"}
    )
    chain_problems = fields.List(fields.Nested(ChainProblemOut), required=True)
    next = fields.String(
        required=True, allow_none=True, metadata={"description": "URL of the following page"}
    )


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
    jurisdiction = Jurisdiction(required=True)
    as_of = IsoDate(required=True)
    items = fields.List(fields.Nested(OverstayItemOut), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class VerificationsQuery(Schema):
    employer_id = Text(max_length=64, metadata={"description": "only this employer's checks"})
    since = Instant(metadata={"description": "only checks made at or after this instant"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_PAGE))
    cursor = fields.String(
        validate=validate.Regexp(r"^[0-9]{1,18}$", error="malformed cursor"),
        metadata={"description": "next_cursor of the previous page"},
    )


class VerificationOut(Schema):
    checked_at = IsoInstant(required=True)
    employer_id = fields.String(required=True)
    actor = fields.String(required=True)
    nationality = fields.String(required=True)
    document_digest = fields.String(
        required=True, metadata={"description": "keyed digest of the document, never the number"}
    )
    contract_number = fields.String(required=True)
    on = IsoDate(required=True)
    status = enum(VERIFY_STATES, required=True)
    receipt_id = fields.String(required=True)
    recorded_on_traveler = fields.Boolean(
        required=True,
        metadata={"description": "true only for a check of the employer's own contract"},
    )


class VerificationsOut(Schema):
    items = fields.List(fields.Nested(VerificationOut), required=True)
    next_cursor = fields.String(required=True, allow_none=True)
