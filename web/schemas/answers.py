"""Status, planning and the stateless calculator: what the engine answers."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_dump, validate, validates_schema

from domain.answers import ANOMALY_KINDS, EXEMPTION_STATES, PENALTY_CODES
from domain.posts import JURISDICTIONS
from domain.records import EXEMPTION_KINDS
from domain.rulebook import BY_DAY, BY_ENTRY_DATE, LIMIT_KINDS, LOOKBACKS
from web.fields import Country, Day, Instant, Jurisdiction

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


def enum(values, **kwargs) -> fields.String:
    """An answer field with a closed set of values, listed as an enum in the document; a
    nullable one lists null too, as OpenAPI 3.0.3 asks of a nullable enum."""
    listed = (*values, None) if kwargs.get("allow_none") else tuple(values)
    return fields.String(validate=validate.OneOf(listed), **kwargs)


class WindowOut(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)


class CurrentStayOut(Schema):
    entered_on = fields.Date(required=True)
    days = fields.Integer(required=True)


class NextEntryOut(Schema):
    earliest = fields.Date(required=True)
    max_stay_days = fields.Integer(required=True, allow_none=True)
    latest_exit = fields.Date(allow_none=True)


class PeriodOut(Schema):
    from_ = fields.Date(required=True, data_key="from", attribute="first")
    to = fields.Date(required=True, attribute="last")
    days = fields.Integer(required=True)


class PenaltyBandOut(Schema):
    code = enum(PENALTY_CODES, required=True)
    article = fields.String(required=True)
    days = fields.Integer(required=True, metadata={"description": "days of the latest period"})


class OverstayOut(Schema):
    excess_in_window = fields.Integer(required=True, allow_none=True)
    periods = fields.List(fields.Nested(PeriodOut), required=True)
    penalty_band = fields.Nested(PenaltyBandOut, required=True, allow_none=True)


class _Sparse(Schema):
    """Leaves out the listed fields when they are null (a limit's unused parameters)."""

    SPARSE: tuple[str, ...] = ()

    @post_dump
    def _drop_nulls(self, data, **kwargs):
        return {k: v for k, v in data.items() if v is not None or k not in self.SPARSE}


class LimitOut(_Sparse):
    SPARSE = ("max_days", "window_days", "block_days")

    kind = enum(LIMIT_KINDS, required=True)
    max_days = fields.Integer()
    window_days = fields.Integer()
    block_days = fields.Integer()


class LimitMeasureOut(_Sparse):
    SPARSE = LimitOut.SPARSE

    kind = enum(LIMIT_KINDS, required=True, attribute="limit.kind")
    max_days = fields.Integer(attribute="limit.max_days")
    window_days = fields.Integer(attribute="limit.window_days")
    block_days = fields.Integer(attribute="limit.block_days")
    window = fields.Nested(WindowOut, required=True, allow_none=True)
    days_used = fields.Integer(required=True, allow_none=True)
    days_remaining = fields.Integer(required=True, allow_none=True)


class PoliciesOut(Schema):
    transition = enum((BY_ENTRY_DATE, BY_DAY), required=True)
    lookback = enum(LOOKBACKS, required=True)
    exempt_days_count_later = fields.Boolean(required=True)


class RuleAppliedOut(_Sparse):
    """The version that applied, with the parameters of the limit that binds."""

    SPARSE = LimitOut.SPARSE

    id = fields.String(required=True)
    jurisdiction = enum(JURISDICTIONS, required=True, attribute="version.jurisdiction")
    kind = enum(LIMIT_KINDS, required=True, attribute="limit.kind")
    max_days = fields.Integer(attribute="limit.max_days")
    window_days = fields.Integer(attribute="limit.window_days")
    block_days = fields.Integer(attribute="limit.block_days")
    limits = fields.List(fields.Nested(LimitOut), required=True, attribute="version.limits")
    effective_from = fields.Date(required=True, attribute="version.effective_from")
    effective_until = fields.Date(
        required=True, allow_none=True, attribute="version.effective_until"
    )
    nationality_until = fields.Dict(
        keys=fields.String(),
        values=fields.Date(),
        required=True,
        attribute="version.nationality_until_map",
        metadata={"description": "nationalities whose coverage ends before the version's"},
    )
    policies = fields.Nested(PoliciesOut, required=True, attribute="version")
    source = fields.String(required=True, attribute="version.source")


class ExemptionStateOut(Schema):
    exemption_id = fields.String(required=True)
    kind = enum(EXEMPTION_KINDS, required=True)
    jurisdiction = enum(JURISDICTIONS, required=True)
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    ended_on = fields.Date(required=True, allow_none=True)
    state = enum(EXEMPTION_STATES, required=True, metadata={"description": "on as_of"})


class AnomalyOut(_Sparse):
    """An imperfect record (domain.md §7) or a missing rule; fields by kind."""

    SPARSE = (
        "crossing_id",
        "entered_on",
        "exited_on",
        "next_entry_crossing_id",
        "next_entered_on",
        "presumption",
        "nationality",
        "on",
    )

    kind = enum(ANOMALY_KINDS, required=True)
    crossing_id = fields.String()
    entered_on = fields.Date()
    exited_on = fields.Date()
    next_entry_crossing_id = fields.String()
    next_entered_on = fields.Date()
    presumption = fields.String()
    nationality = fields.String()
    on = fields.Date()


class AnswerOut(Schema):
    """The engine's status for one date, with or without a stored traveler."""

    jurisdiction = enum(JURISDICTIONS, required=True)
    as_of = fields.Date(required=True)
    rule = fields.Nested(RuleAppliedOut, required=True, allow_none=True)
    present = fields.Boolean(required=True)
    current_stay = fields.Nested(CurrentStayOut, required=True, allow_none=True)
    window = fields.Nested(WindowOut, required=True, allow_none=True)
    days_used = fields.Integer(required=True, allow_none=True)
    days_remaining = fields.Integer(required=True, allow_none=True)
    latest_legal_exit = fields.Date(required=True, allow_none=True)
    next_entry = fields.Nested(NextEntryOut, required=True, allow_none=True)
    overstay = fields.Nested(OverstayOut, required=True)
    exemptions = fields.List(fields.Nested(ExemptionStateOut), required=True)
    limits = fields.List(fields.Nested(LimitMeasureOut))
    anomalies = fields.List(fields.Nested(AnomalyOut), required=True)
    rulebook = fields.String()
    rule_versions = fields.List(
        fields.String(), metadata={"description": "Versions in force from the first stay on."}
    )


class StatusOut(AnswerOut):
    traveler_id = fields.UUID(required=True)
    known_at = fields.AwareDateTime(format="iso", required=True, allow_none=True)
    position = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Ledger position of the traveler's latest event."},
    )


class PlanOut(Schema):
    jurisdiction = enum(JURISDICTIONS)
    entry_on = fields.Date()
    allowed = fields.Boolean(required=True)
    max_stay_days = fields.Integer(required=True, allow_none=True)
    latest_exit = fields.Date(required=True, allow_none=True)
    earliest_entry = fields.Date(required=True, allow_none=True)
    earliest_entry_max_stay_days = fields.Integer(required=True, allow_none=True)
    days_used = fields.Integer(required=True, allow_none=True)
    days_remaining = fields.Integer(required=True, allow_none=True)
    rule = fields.Nested(RuleAppliedOut, required=True, allow_none=True)
    anomalies = fields.List(fields.Nested(AnomalyOut))


class CalculatorOut(Schema):
    status = fields.Nested(AnswerOut, required=True, allow_none=True)
    plan = fields.Nested(PlanOut, required=True, allow_none=True)
