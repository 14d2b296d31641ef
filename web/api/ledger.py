"""The ledger's tamper evidence for auditors: signed checkpoints and the verification key."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, request

from domain.errors import NotFoundError
from web.auth import ADMIN, AUDITOR
from web.blueprint import Blueprint
from web.context import ledger
from web.schemas.ledger import CheckpointOut, CheckpointsOut, CheckpointsQuery

blp = Blueprint("ledger", __name__, url_prefix="/api/v1", description="Tamper evidence")
PEM = "application/x-pem-file"


@blp.route("/ledger/checkpoints/latest", methods=["GET"])
@blp.endpoint(roles=(AUDITOR, ADMIN), errors=(404,))
@blp.response(200, CheckpointOut)
def latest_checkpoint():
    """The newest signed checkpoint of the running ledger hash."""
    found = ledger().read.latest_checkpoint()
    if found is None:
        raise NotFoundError("no checkpoint has been made yet")
    return found


@blp.route("/ledger/checkpoints", methods=["GET"])
@blp.endpoint(roles=(AUDITOR, ADMIN))
@blp.arguments(CheckpointsQuery, location="query")
@blp.response(200, CheckpointsOut)
def checkpoints(query):
    """Signed checkpoints after a position, oldest first: an auditor keeps its own copies."""
    limit = query["limit"]
    found = ledger().read.checkpoints_after(query["after_position"], limit + 1)
    page = found[:limit]
    more = len(found) > limit
    after = {"after_position": page[-1]["position"], "limit": limit} if more else None
    return {"checkpoints": page, "next": f"{request.path}?{urlencode(after)}" if after else None}


@blp.route("/ledger/public-key", methods=["GET"])
@blp.endpoint(store=False)
@blp.doc(
    responses={
        "200": {
            "description": "The Ed25519 public key (PEM) that checkpoints and receipts verify"
            " with; pin it by its id, compared out of band",
            "headers": {
                "X-Key-Id": {
                    "description": "first 16 hex digits of SHA-256 of the raw public key",
                    "schema": {"type": "string"},
                }
            },
            "content": {PEM: {"schema": {"type": "string"}}},
        }
    }
)
def public_key():
    """The key that verifies checkpoints and receipts; no token needed."""
    keys = ledger().settings.keys
    return Response(keys.public_pem, 200, {"Content-Type": PEM, "X-Key-Id": keys.key_id})
