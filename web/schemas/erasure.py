"""Erasing a traveler's personal data, and the traveler's personal data as answered."""

from __future__ import annotations

from marshmallow import Schema, fields

from web.fields import Text
from web.schemas.ledger import receipt_field

PERSONAL = {"metadata": {"description": "personal; null once erased"}}


class ErasureIn(Schema):
    reason = Text(max_length=500, required=True)


class ErasureOut(Schema):
    traveler_id = fields.UUID(required=True)
    erased = fields.Boolean(required=True)
    position = fields.Integer(
        allow_none=True, metadata={"description": "the ledger position of the erasure"}
    )
    receipt = receipt_field()


class DocumentHeldOut(Schema):
    nationality = fields.String(required=True)
    document_type = fields.String(required=True)
    document_number = fields.String(required=True, allow_none=True, **PERSONAL)


class TravelerProfileOut(Schema):
    traveler_id = fields.UUID(required=True)
    nationality = fields.String(required=True)
    surname = fields.String(required=True, allow_none=True, **PERSONAL)
    given_names = fields.String(required=True, allow_none=True, **PERSONAL)
    birth_date = fields.Date(required=True, allow_none=True, **PERSONAL)
    documents = fields.List(fields.Nested(DocumentHeldOut), required=True)
    erased = fields.Boolean(
        required=True,
        metadata={"description": "true once the traveler's personal data is erased"},
    )
