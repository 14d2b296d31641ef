"""The ledger's tamper evidence: signed checkpoints of the running hash, and write receipts."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

MAX_CHECKPOINTS = 1000
_HEX64 = validate.Regexp(r"^[0-9a-f]{64}$")


class CheckpointOut(Schema):
    position = fields.Integer(required=True, metadata={"description": "last position folded"})
    events = fields.Integer(required=True, metadata={"description": "events up to position"})
    ledger_hash = fields.String(required=True, metadata={"description": "the running hash"})
    signed_at = fields.String(required=True, metadata={"description": "RFC 3339 instant"})
    key_id = fields.String(required=True, metadata={"description": "which signing key"})
    signature = fields.String(
        required=True,
        metadata={
            "description": "Ed25519, base64url without padding, over the canonical JSON of the"
            " other five fields (sorted keys, no spaces)"
        },
    )


class CheckpointsQuery(Schema):
    after_position = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=2**63 - 1),
        metadata={"description": "the page starts after this ledger position"},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_CHECKPOINTS))


class CheckpointsOut(Schema):
    checkpoints = fields.List(fields.Nested(CheckpointOut), required=True)
    next = fields.String(
        required=True, allow_none=True, metadata={"description": "URL of the following page"}
    )


class ReceiptOut(Schema):
    """What a write's answer carries: proof of what the ledger acknowledged."""

    position = fields.Integer(required=True, metadata={"description": "ledger position"})
    event_hash = fields.String(
        required=True,
        validate=_HEX64,
        metadata={"description": "record hash of the event as stored: its `hash` in history"},
    )
    signed_at = fields.String(
        required=True,
        metadata={
            "description": "RFC 3339 instant the ledger recorded the event: a retried write"
            " answers the same receipt"
        },
    )
    signature = fields.String(
        required=True,
        metadata={
            "description": "Ed25519 (the key of GET /api/v1/ledger/public-key), base64url without"
            " padding, over the canonical JSON of position, event_hash and signed_at"
        },
    )


def receipt_field() -> fields.Nested:
    return fields.Nested(
        ReceiptOut,
        required=True,
        allow_none=True,
        metadata={"description": "signed receipt of the last event written; null if none was"},
    )
