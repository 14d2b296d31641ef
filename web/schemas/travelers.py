"""Travelers and their documents."""

from __future__ import annotations

from marshmallow import Schema, fields

from web.fields import Country, Day, DocumentNumber, Text
from web.schemas.ledger import receipt_field


class RegisterIn(Schema):
    nationality = Country(required=True)
    document_number = DocumentNumber(required=True)
    document_type = Text(max_length=32, load_default="passport")
    surname = Text(max_length=200, load_default=None, allow_none=True)
    given_names = Text(max_length=200, load_default=None, allow_none=True)
    birth_date = Day(load_default=None, allow_none=True)


class LookupQuery(Schema):
    nationality = Country(required=True)
    document_number = DocumentNumber(required=True)


class DocumentIn(Schema):
    nationality = Country(required=True)
    document_number = DocumentNumber(required=True)
    document_type = Text(max_length=32, load_default="passport")


class TravelerOut(Schema):
    traveler_id = fields.UUID(required=True)
    position = fields.Integer(allow_none=True)
    receipt = receipt_field()
    created = fields.Boolean(metadata={"description": "false on an idempotent retry"})


class FoundOut(Schema):
    traveler_id = fields.UUID(required=True)


class DocumentOut(Schema):
    traveler_id = fields.UUID(required=True)
    position = fields.Integer(allow_none=True)
    receipt = receipt_field()
    linked = fields.Boolean(metadata={"description": "false when it was already linked"})
