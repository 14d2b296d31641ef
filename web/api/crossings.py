"""Recording crossings one by one or in batches, and correcting or voiding them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.checks import require_past
from infrastructure.usecases.commands import CorrectCrossing, RecordCrossing
from web.auth import ADMIN, REGISTRAR, current_actor
from web.blueprint import Blueprint
from web.context import service
from web.schemas.crossings import (
    BatchIn,
    BatchOut,
    CorrectionIn,
    CorrectionOut,
    CrossingIn,
    CrossingOut,
    VoidIn,
    VoidOut,
    batch_item,
)

blp = Blueprint("crossings", __name__, url_prefix="/api/v1", description="Crossings")
WRITERS = (REGISTRAR, ADMIN)


@blp.route("/travelers/<uuid:traveler_id>/crossings", methods=["POST"])
@blp.endpoint(roles=WRITERS, body=True, errors=(404, 409))
@blp.arguments(CrossingIn)
@blp.response(201, CrossingOut, description="Recorded")
@blp.alt_response(200, schema=CrossingOut, success=True, description="Same crossing again")
def record(data, traveler_id: UUID):
    """Record a crossing; the same crossing_id with the same content is a harmless retry."""
    not_too_far_ahead(data["occurred_at"])
    body, created = service().record_crossing(current_actor(), RecordCrossing(traveler_id, **data))
    return body, 201 if created else 200


@blp.route("/crossings/batch", methods=["POST"])
@blp.endpoint(roles=WRITERS, body=True, errors=(409,))
@blp.arguments(BatchIn)
@blp.response(200, BatchOut)
def batch(data):
    """Record up to 1,000 crossings; unknown travelers are registered, bad items rejected alone."""
    items = [batch_item(loaded, errors) for loaded, errors in data["crossings"]]
    results, position, receipt = service().record_batch(current_actor(), items)
    return {"results": results, "position": position, "receipt": receipt}


def not_too_far_ahead(occurred_at: datetime) -> None:
    """The contract checks content before scope: refuse a far-future instant before the post."""
    require_past("occurred_at", occurred_at, service().clock())


@blp.route(
    "/travelers/<uuid:traveler_id>/crossings/<string:crossing_id>/correction", methods=["POST"]
)
@blp.endpoint(roles=WRITERS, body=True, errors=(404, 409))
@blp.arguments(CorrectionIn)
@blp.response(201, CorrectionOut, description="Corrected")
def correct(data, traveler_id: UUID, crossing_id: str):
    """Correct a crossing (its recording office or an admin), with a reason."""
    if data.get("occurred_at"):
        not_too_far_ahead(data["occurred_at"])
    return service().correct_crossing(
        current_actor(), CorrectCrossing(traveler_id, crossing_id, **data)
    )


@blp.route("/travelers/<uuid:traveler_id>/crossings/<string:crossing_id>/void", methods=["POST"])
@blp.endpoint(roles=WRITERS, body=True, errors=(404, 409))
@blp.arguments(VoidIn)
@blp.response(201, VoidOut, description="Voided")
def void(data, traveler_id: UUID, crossing_id: str):
    """Void a crossing recorded in error (its recording office or an admin), with a reason."""
    return service().void_crossing(current_actor(), traveler_id, crossing_id, data["reason"])
