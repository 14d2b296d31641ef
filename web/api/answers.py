"""Status on a date, planning a trip, and the calculator that stores nothing."""

from __future__ import annotations

from uuid import UUID

from web.auth import ADMIN, AUDITOR, REGISTRAR
from web.blueprint import Blueprint
from web.context import service
from web.guards import CALCULATOR
from web.schemas.answers import (
    CalculatorIn,
    CalculatorOut,
    PlanIn,
    PlanOut,
    StatusOut,
    StatusQuery,
)

blp = Blueprint("answers", __name__, url_prefix="/api/v1", description="Status and planning")
READERS = (REGISTRAR, AUDITOR, ADMIN)


@blp.route("/travelers/<uuid:traveler_id>/status", methods=["GET"])
@blp.endpoint(roles=READERS, errors=(404,))
@blp.arguments(StatusQuery, location="query")
@blp.response(200, StatusOut)
def status(query, traveler_id: UUID):
    """Where the traveler stands on a date, as the ledger knows it now or knew it then."""
    return service().status(
        traveler_id, query["jurisdiction"], query.get("as_of"), query.get("known_at")
    )


@blp.route("/travelers/<uuid:traveler_id>/plan", methods=["POST"])
@blp.endpoint(roles=READERS, body=True, errors=(404,))
@blp.arguments(PlanIn)
@blp.response(200, PlanOut)
def plan(data, traveler_id: UUID):
    """May the traveler enter on a date, and for how long? Planned stays are never stored."""
    stays = [(s["entry_on"], s["exit_on"]) for s in data["planned_stays"]]
    return service().plan(traveler_id, data["jurisdiction"], data["entry_on"], stays)


@blp.route("/calculator", methods=["POST"])
@blp.endpoint(limit=CALCULATOR, body=True)
@blp.arguments(CalculatorIn)
@blp.response(200, CalculatorOut)
def calculator(data):
    """The engine over stays given in the request: no token needed, nothing stored."""
    stays = [(s["entry_on"], s["exit_on"]) for s in data["stays"]]
    return service().calculate(
        data["jurisdiction"], data["nationality"], stays, data["as_of"], data["entry_on"]
    )
