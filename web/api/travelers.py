"""Registering travelers, finding them by document, linking new documents."""

from __future__ import annotations

from uuid import UUID

from web.auth import ADMIN, AUDITOR, REGISTRAR, current_actor
from web.blueprint import Blueprint
from web.context import service
from web.schemas.travelers import (
    DocumentIn,
    DocumentOut,
    FoundOut,
    LookupQuery,
    RegisterIn,
    TravelerOut,
)

blp = Blueprint("travelers", __name__, url_prefix="/api/v1", description="Travelers")


@blp.route("/travelers", methods=["POST"])
@blp.endpoint(roles=(REGISTRAR, ADMIN), body=True)
@blp.arguments(RegisterIn)
@blp.response(201, TravelerOut, description="Registered")
@blp.alt_response(200, schema=TravelerOut, success=True, description="Already registered")
def register(data):
    """Register a traveler; the same nationality and document again gives the same id."""
    traveler_id, created, position, receipt = service().register(current_actor(), **data)
    body = {
        "traveler_id": traveler_id,
        "position": position,
        "receipt": receipt,
        "created": created,
    }
    return body, 201 if created else 200


@blp.route("/travelers", methods=["GET"])
@blp.endpoint(roles=(REGISTRAR, AUDITOR, ADMIN), errors=(404,))
@blp.arguments(LookupQuery, location="query")
@blp.response(200, FoundOut)
def lookup(query):
    """Find a traveler by any of their travel documents."""
    return {"traveler_id": service().find_traveler(query["nationality"], query["document_number"])}


@blp.route("/travelers/<uuid:traveler_id>/documents", methods=["POST"])
@blp.endpoint(roles=(REGISTRAR, ADMIN), body=True, errors=(404, 409))
@blp.arguments(DocumentIn)
@blp.response(201, DocumentOut, description="Linked")
@blp.alt_response(200, schema=DocumentOut, success=True, description="Already linked")
def link_document(data, traveler_id: UUID):
    """Link a new travel document; days on earlier documents still count."""
    linked, position, receipt = service().link_document(current_actor(), traveler_id, **data)
    body = {"traveler_id": traveler_id, "position": position, "receipt": receipt, "linked": linked}
    return body, 201 if linked else 200
