"""Crossings: one by one, in batches, corrected and voided."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validates_schema

from infrastructure.usecases.commands import BatchItem
from web.fields import (
    Country,
    Direction,
    DocumentNumber,
    EachItem,
    Identifier,
    Instant,
    IsoDate,
    IsoInstant,
    Jurisdiction,
    PostCode,
    Text,
)
from web.problems import flat_errors
from web.schemas.answers import enum
from web.schemas.ledger import receipt_field

MAX_BATCH = 1000


class CrossingIn(Schema):
    crossing_id = Identifier(required=True)
    direction = Direction(required=True)
    border_post = PostCode(required=True)
    occurred_at = Instant(required=True)


class CrossingOut(Schema):
    crossing_id = fields.String(required=True)
    local_date = IsoDate(required=True)
    jurisdiction = Jurisdiction(required=True)
    position = fields.Integer(required=True, allow_none=True)
    receipt = receipt_field()


class BatchItemIn(CrossingIn):
    nationality = Country(required=True)
    document_number = DocumentNumber(required=True)
    document_type = Text(max_length=32, load_default="passport")


class BatchIn(Schema):
    crossings = EachItem(
        BatchItemIn,
        MAX_BATCH,
        required=True,
        metadata={"description": "Each item is validated on its own: a bad one is rejected alone."},
    )


class BatchResultOut(Schema):
    crossing_id = fields.String(required=True, allow_none=True)
    status = enum(("created", "duplicate", "rejected"), required=True)
    traveler_id = fields.UUID()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class BatchOut(Schema):
    results = fields.List(fields.Nested(BatchResultOut), required=True)
    position = fields.Integer(required=True, allow_none=True)
    receipt = receipt_field()


class CorrectionIn(Schema):
    direction = Direction()
    border_post = PostCode()
    occurred_at = Instant()
    reason = Text(max_length=500, required=True)

    @validates_schema
    def changes_something(self, data, **kwargs):
        if not {"direction", "border_post", "occurred_at"} & set(data):
            raise ValidationError("name at least one of direction, border_post, occurred_at")


class CorrectionOut(Schema):
    crossing_id = fields.String(required=True)
    direction = Direction(required=True)
    border_post = fields.String(required=True)
    jurisdiction = Jurisdiction(required=True)
    occurred_at = IsoInstant(required=True)
    local_date = IsoDate(required=True)
    position = fields.Integer(required=True, allow_none=True)
    receipt = receipt_field()


class VoidIn(Schema):
    reason = Text(max_length=500, required=True)


class VoidOut(Schema):
    crossing_id = fields.String(required=True)
    voided = fields.Boolean(required=True)
    position = fields.Integer(required=True, allow_none=True)
    receipt = receipt_field()


def batch_item(loaded, errors: dict) -> BatchItem:
    """A service batch item; one that failed validation carries its errors and nothing else."""
    if not errors:
        return BatchItem(**loaded)
    crossing_id = loaded.get("crossing_id") if isinstance(loaded, dict) else None
    return BatchItem(
        nationality="",
        document_number="",
        crossing_id=crossing_id if isinstance(crossing_id, str) else None,
        direction="",
        border_post="",
        occurred_at=None,
        errors=flat_errors(errors),
    )
