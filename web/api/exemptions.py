"""Granting and ending exemptions, and employers checking them."""

from __future__ import annotations

from uuid import UUID

from infrastructure.usecases.commands import GrantExemption
from web.auth import ADMIN, EMPLOYER, REGISTRAR, current_actor
from web.blueprint import Blueprint
from web.context import service
from web.guards import VERIFICATION
from web.schemas.exemptions import (
    GrantIn,
    GrantOut,
    TerminationIn,
    TerminationOut,
    VerifyIn,
    VerifyOut,
)

blp = Blueprint("exemptions", __name__, url_prefix="/api/v1", description="Exemptions")


@blp.route("/travelers/<uuid:traveler_id>/exemptions", methods=["POST"])
@blp.endpoint(roles=(REGISTRAR, ADMIN), body=True, errors=(404, 409))
@blp.arguments(GrantIn)
@blp.response(201, GrantOut, description="Granted")
@blp.alt_response(200, schema=GrantOut, success=True, description="Same grant again")
def grant(data, traveler_id: UUID):
    """Grant an exemption; reusing its id with other content is a conflict."""
    body, created = service().grant_exemption(current_actor(), GrantExemption(traveler_id, **data))
    return body, 201 if created else 200


@blp.route(
    "/travelers/<uuid:traveler_id>/exemptions/<string:exemption_id>/termination",
    methods=["POST"],
)
@blp.endpoint(roles=(REGISTRAR, ADMIN), body=True, errors=(404, 409))
@blp.arguments(TerminationIn)
@blp.response(201, TerminationOut, description="Ended")
def terminate(data, traveler_id: UUID, exemption_id: str):
    """End an exemption early (an employment contract ended, say), with a reason."""
    return service().end_exemption(
        current_actor(), traveler_id, exemption_id, data["ended_on"], data["reason"]
    )


@blp.route("/exemptions/verify", methods=["POST"])
@blp.endpoint(roles=(EMPLOYER,), limit=VERIFICATION, body=True)
@blp.arguments(VerifyIn)
@blp.response(200, VerifyOut)
def verify(data):
    """Tell an employer whether its contract's exemption holds; recorded, with a receipt."""
    return service().verify_exemption(current_actor(), **data)
