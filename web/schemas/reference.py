"""Reference data (rules, border posts) and health."""

from __future__ import annotations

from marshmallow import Schema, fields

from web.fields import IsoDate


class RuleOut(Schema):
    id = fields.String(required=True)
    jurisdiction = fields.String(required=True)
    kind = fields.String(required=True)
    limits = fields.List(fields.Dict(), required=True)
    nationalities = fields.List(fields.String(), required=True)
    effective_from = IsoDate(required=True)
    effective_until = IsoDate(required=True, allow_none=True)
    nationality_until = fields.Dict(required=True)
    policies = fields.Dict(required=True)
    source = fields.String(required=True)


class RulesOut(Schema):
    rules = fields.List(fields.Nested(RuleOut), required=True)


class BorderPostOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    jurisdiction = fields.String(required=True)
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
    status = fields.String(required=True)
    store = fields.String(required=True)
    ledger_position = fields.Integer(required=True)
    projections = fields.List(fields.Nested(ProjectionLagOut), required=True)
