"""Status, planning and the stateless calculator: what the engine answers."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from web.fields import Country, Day, Instant, IsoDate, IsoInstant, Jurisdiction

MAX_STAYS = 500


class StatusQuery(Schema):
    jurisdiction = Jurisdiction(required=True)
    as_of = Day(metadata={"description": "default: today in the jurisdiction's reference zone"})
    known_at = Instant(metadata={"description": "answer from events recorded until then"})


class ClosedStayIn(Schema):
    entry_on = Day(required=True)
    exit_on = Day(required=True)

    @validates_schema
    def in_order(self, data, **kwargs):
        if data["exit_on"] < data["entry_on"]:
            raise ValidationError("is before entry_on", "exit_on")


class StayIn(Schema):
    entry_on = Day(required=True)
    exit_on = Day(required=True, allow_none=True, metadata={"description": "null: still there"})

    @validates_schema
    def in_order(self, data, **kwargs):
        if data["exit_on"] is not None and data["exit_on"] < data["entry_on"]:
            raise ValidationError("is before entry_on", "exit_on")


class PlanIn(Schema):
    jurisdiction = Jurisdiction(required=True)
    entry_on = Day(required=True)
    planned_stays = fields.List(
        fields.Nested(ClosedStayIn), load_default=list, validate=validate.Length(max=MAX_STAYS)
    )


class CalculatorIn(Schema):
    jurisdiction = Jurisdiction(required=True)
    nationality = Country(required=True)
    stays = fields.List(
        fields.Nested(StayIn), required=True, validate=validate.Length(max=MAX_STAYS)
    )
    as_of = Day(load_default=None, allow_none=True)
    entry_on = Day(load_default=None, allow_none=True)


class WindowOut(Schema):
    start = IsoDate(required=True)
    end = IsoDate(required=True)


class CurrentStayOut(Schema):
    entered_on = IsoDate(required=True)
    days = fields.Integer(required=True)


class NextEntryOut(Schema):
    earliest = IsoDate(required=True)
    max_stay_days = fields.Integer(required=True, allow_none=True)
    latest_exit = IsoDate(allow_none=True)


class PeriodOut(Schema):
    from_ = IsoDate(required=True, data_key="from", attribute="from")
    to = IsoDate(required=True)
    days = fields.Integer(required=True)


class OverstayOut(Schema):
    excess_in_window = fields.Integer(required=True, allow_none=True)
    periods = fields.List(fields.Nested(PeriodOut), required=True)
    penalty_band = fields.Dict(required=True, allow_none=True)


class AnswerOut(Schema):
    """The engine's status for one date, with or without a stored traveler."""

    jurisdiction = fields.String(required=True)
    as_of = IsoDate(required=True)
    rule = fields.Dict(required=True, allow_none=True)
    present = fields.Boolean(required=True)
    current_stay = fields.Nested(CurrentStayOut, required=True, allow_none=True)
    window = fields.Nested(WindowOut, required=True, allow_none=True)
    days_used = fields.Integer(required=True, allow_none=True)
    days_remaining = fields.Integer(required=True, allow_none=True)
    latest_legal_exit = IsoDate(required=True, allow_none=True)
    next_entry = fields.Nested(NextEntryOut, required=True, allow_none=True)
    overstay = fields.Nested(OverstayOut, required=True)
    exemptions = fields.List(fields.Dict(), required=True)
    limits = fields.List(fields.Dict())
    anomalies = fields.List(fields.Dict(), required=True)
    rulebook = fields.String()
    rule_versions = fields.List(
        fields.String(), metadata={"description": "Versions in force from the first stay on."}
    )


class StatusOut(AnswerOut):
    traveler_id = fields.UUID(required=True)
    known_at = IsoInstant(required=True, allow_none=True)
    position = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Ledger position of the traveler's latest event."},
    )


class PlanOut(Schema):
    jurisdiction = fields.String()
    entry_on = IsoDate()
    allowed = fields.Boolean(required=True)
    max_stay_days = fields.Integer(required=True, allow_none=True)
    latest_exit = IsoDate(required=True, allow_none=True)
    earliest_entry = IsoDate(required=True, allow_none=True)
    earliest_entry_max_stay_days = fields.Integer(required=True, allow_none=True)
    days_used = fields.Integer(required=True, allow_none=True)
    days_remaining = fields.Integer(required=True, allow_none=True)
    rule = fields.Dict(required=True, allow_none=True)
    anomalies = fields.List(fields.Dict())


class CalculatorOut(Schema):
    status = fields.Nested(AnswerOut, required=True, allow_none=True)
    plan = fields.Nested(PlanOut, required=True, allow_none=True)
