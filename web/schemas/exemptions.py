"""Exemptions: grants, early ends and employers' verifications."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validates_schema

from domain.answers import EXEMPTION_STATES
from domain.records import EXEMPTION_KINDS
from web.fields import (
    Country,
    Day,
    DocumentNumber,
    ExemptionKind,
    Identifier,
    IsoDate,
    IsoInstant,
    Jurisdiction,
    Text,
)
from web.schemas.answers import enum
from web.schemas.ledger import receipt_field

# An employer's check: the exemption's state on the day ("pending" before it starts), or nothing.
VERIFY_STATES = (*EXEMPTION_STATES, "not_found")


class GrantIn(Schema):
    exemption_id = Identifier(required=True)
    kind = ExemptionKind(required=True)
    jurisdiction = Jurisdiction(required=True)
    valid_from = Day(required=True)
    valid_until = Day(required=True)
    contract_number = Text(max_length=64, load_default=None, allow_none=True)
    employer_id = Text(max_length=64, load_default=None, allow_none=True)
    permit_number = Text(max_length=64, load_default=None, allow_none=True)

    @validates_schema
    def term_in_order(self, data, **kwargs):
        if data["valid_until"] < data["valid_from"]:
            raise ValidationError("is before valid_from", "valid_until")


class GrantOut(Schema):
    exemption_id = fields.String(required=True)
    position = fields.Integer(required=True, allow_none=True)
    receipt = receipt_field()


class TerminationIn(Schema):
    ended_on = Day(required=True)
    reason = Text(max_length=500, required=True)


class TerminationOut(Schema):
    exemption_id = fields.String(required=True)
    kind = ExemptionKind(required=True)
    jurisdiction = Jurisdiction(required=True)
    valid_from = IsoDate(required=True)
    valid_until = IsoDate(required=True)
    ended_on = IsoDate(required=True, allow_none=True)
    position = fields.Integer(required=True, allow_none=True)
    receipt = receipt_field()


class VerifyIn(Schema):
    nationality = Country(required=True)
    document_number = DocumentNumber(required=True)
    contract_number = Text(max_length=64, required=True)
    on = Day(load_default=None, allow_none=True)


class VerifyOut(Schema):
    status = enum(VERIFY_STATES, required=True)
    kind = enum(EXEMPTION_KINDS, required=True, allow_none=True)
    valid_from = IsoDate(required=True, allow_none=True)
    valid_until = IsoDate(
        required=True,
        allow_none=True,
        metadata={"description": "the last exempt day: the early end when there is one"},
    )
    on = IsoDate(required=True)
    checked_at = IsoInstant(required=True)
    receipt = fields.String(
        required=True, metadata={"description": "signed; the employer may keep it as proof"}
    )
