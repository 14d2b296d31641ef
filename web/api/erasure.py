"""Erasure of a traveler's personal data (crypto-shredding), and reading that data back."""

from __future__ import annotations

from uuid import UUID

from web.auth import ADMIN, AUDITOR, REGISTRAR, current_actor
from web.blueprint import Blueprint
from web.context import service
from web.schemas.erasure import ErasureIn, ErasureOut, TravelerProfileOut

blp = Blueprint("erasure", __name__, url_prefix="/api/v1", description="Personal data")


@blp.route("/travelers/<uuid:traveler_id>", methods=["GET"])
@blp.endpoint(roles=(REGISTRAR, AUDITOR, ADMIN), errors=(404,))
@blp.response(200, TravelerProfileOut)
def profile(traveler_id: UUID):
    """The traveler's personal data and documents; null fields and ``erased`` once erased."""
    return service().profile(traveler_id)


@blp.route("/travelers/<uuid:traveler_id>/erasure", methods=["POST"])
@blp.endpoint(roles=(ADMIN,), body=True, errors=(404,))
@blp.arguments(ErasureIn)
@blp.response(201, ErasureOut, description="Erased")
@blp.alt_response(200, schema=ErasureOut, success=True, description="Already erased")
def erase(data, traveler_id: UUID):
    """Destroy the traveler's data key and record the erasure; its documents find no one."""
    created, receipt = service().erase(current_actor(), traveler_id, data["reason"])
    position = receipt.position if receipt else None
    body = {"traveler_id": traveler_id, "erased": True, "position": position, "receipt": receipt}
    return body, 201 if created else 200
