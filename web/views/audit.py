"""The hash-chained audit trail and the list of overstayers."""

from __future__ import annotations

from uuid import UUID

from domain.errors import ValidationError
from domain.posts import reference_today
from web.auth import ADMIN, AUDITOR
from web.blueprint import Blueprint
from web.context import ledger, service
from web.schemas.audit import HistoryOut, HistoryQuery, OverstaysOut, OverstaysQuery

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="Audit")


@blp.route("/travelers/<uuid:traveler_id>/history", methods=["GET"])
@blp.endpoint(roles=(AUDITOR, ADMIN), errors=(404,))
@blp.arguments(HistoryQuery, location="query")
@blp.response(200, HistoryOut)
def history(query, traveler_id: UUID):
    """Every event of the traveler, oldest first, with the hash chain checked."""
    return service().history(traveler_id, query.get("with_status"))


@blp.route("/overstays", methods=["GET"])
@blp.endpoint(roles=(AUDITOR, ADMIN))
@blp.arguments(OverstaysQuery, location="query")
@blp.response(200, OverstaysOut)
def overstays(query):
    """Travelers present and past their latest legal exit on a date, a page at a time."""
    jurisdiction = query["jurisdiction"]
    as_of = query.get("as_of") or reference_today(jurisdiction, service().clock())
    try:
        page = ledger().read.overstays(jurisdiction, as_of, query["limit"], query.get("cursor"))
    except ValueError as e:
        raise ValidationError({"cursor": [str(e)]}) from None
    return {"jurisdiction": jurisdiction, "as_of": as_of.isoformat(), **page}
