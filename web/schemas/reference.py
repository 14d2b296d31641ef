"""Reference data (rules, border posts) and health."""

from __future__ import annotations

from marshmallow import Schema, fields

from domain.posts import JURISDICTIONS
from web.schemas.answers import LimitOut, PoliciesOut, enum


class SortedList(fields.List):
    """A set dumped as a sorted list, so the same rulebook always reads the same."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(sorted(value) if value is not None else None, attr, obj, **kwargs)


class RuleOut(Schema):
    """A rule version as released (domain.md §3–4)."""

    id = fields.String(required=True)
    jurisdiction = enum(JURISDICTIONS, required=True)
    kind = fields.String(required=True, metadata={"description": "its limits' kinds, joined by +"})
    limits = fields.List(fields.Nested(LimitOut), required=True)
    nationalities = SortedList(fields.String(), required=True)
    effective_from = fields.Date(required=True)
    effective_until = fields.Date(required=True, allow_none=True)
    nationality_until = fields.Dict(
        keys=fields.String(),
        values=fields.Date(),
        required=True,
        attribute="nationality_until_map",
        metadata={"description": "nationalities whose coverage ends before the version's"},
    )
    policies = fields.Nested(PoliciesOut, required=True)
    source = fields.String(required=True)


class RulesOut(Schema):
    rules = fields.List(fields.Nested(RuleOut), required=True)


class BorderPostOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    jurisdiction = enum(JURISDICTIONS, required=True)
    timezone = fields.String(required=True)
    office = fields.String(required=True)


class BorderPostsOut(Schema):
    border_posts = fields.List(fields.Nested(BorderPostOut), required=True)


class ProjectionLagOut(Schema):
    projection = fields.String(required=True)
    position = fields.Integer(required=True, allow_none=True)
    ledger_position = fields.Integer(required=True, allow_none=True)
    lag = fields.Integer(required=True, allow_none=True)


class HealthOut(Schema):
    status = enum(("ok",), required=True)
    store = enum(("ok",), required=True, metadata={"description": "any other state is a 503"})
    ledger_position = fields.Integer(required=True)
    projections = fields.List(fields.Nested(ProjectionLagOut), required=True)
