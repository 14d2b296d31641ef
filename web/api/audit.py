"""The hash-chained audit trail and the list of overstayers."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from flask import request

from domain.errors import ValidationError
from domain.posts import reference_today
from web.auth import ADMIN, AUDITOR
from web.blueprint import Blueprint
from web.context import ledger, service
from web.schemas.audit import (
    HistoryOut,
    HistoryQuery,
    OverstaysOut,
    OverstaysQuery,
    VerificationsOut,
    VerificationsQuery,
)

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="Audit")


@blp.route("/travelers/<uuid:traveler_id>/history", methods=["GET"])
@blp.endpoint(roles=(AUDITOR, ADMIN), errors=(404,))
@blp.arguments(HistoryQuery, location="query")
@blp.response(200, HistoryOut)
def history(query, traveler_id: UUID):
    """A page of the traveler's events, oldest first, with the whole hash chain checked."""
    with_status = query.get("with_status")
    page = service().history(traveler_id, with_status, query["limit"], query["after_version"])
    after = page.pop("next_after_version")
    params = {"limit": query["limit"], "after_version": after}
    if with_status:
        params["with_status"] = with_status
    page["next"] = None if after is None else f"{request.path}?{urlencode(params)}"
    return page


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


@blp.route("/verifications", methods=["GET"])
@blp.endpoint(roles=(AUDITOR, ADMIN))
@blp.arguments(VerificationsQuery, location="query")
@blp.response(200, VerificationsOut)
def verifications(query):
    """Every employer verification, oldest first: who asked, when, what, and the answer."""
    cursor = query.get("cursor")
    items, last = service().verification_log(
        query.get("employer_id"),
        query.get("since"),
        query["limit"],
        int(cursor) if cursor else None,
    )
    return {"items": items, "next_cursor": str(last) if last is not None else None}
