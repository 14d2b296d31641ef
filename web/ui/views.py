"""The pages: sign-in, find, timeline, overstayers (with CSV), the employer's check."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from uuid import UUID

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from marshmallow import ValidationError as SchemaError
from werkzeug.exceptions import HTTPException, NotFound, TooManyRequests, Unauthorized

from domain.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    LedgerIntegrityError,
    NotFoundError,
)
from domain.posts import JURISDICTIONS, reference_today
from infrastructure.chart_data import chart_data
from web.auth import ADMIN, AUDITOR, EMPLOYER, REGISTRAR, current_actor
from web.context import ledger, service
from web.guards import VERIFICATION
from web.schemas.answers import StatusQuery
from web.schemas.audit import OverstaysQuery
from web.schemas.exemptions import VerifyIn
from web.schemas.travelers import LookupQuery
from web.ui.chart import HEIGHT, WIDTH, Chart, periods_table
from web.ui.history import history_page
from web.ui.session import check_csrf, csrf_token, page, sign_in, signed_in

blp = Blueprint(
    "ui",
    __name__,
    url_prefix="/ui",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
READERS = (REGISTRAR, AUDITOR, ADMIN)
AUDITORS = (AUDITOR, ADMIN)
CSV_PAGE = 500
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@blp.app_context_processor
def _page_globals():
    return {"csrf_token": csrf_token, "principal": lambda: g.get("principal") or signed_in()}


@blp.after_request
def _headers(response: Response) -> Response:
    """Pages carry personal data: never cached; no inline script or style may run."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    return response


_STATUS_OF = {
    NotFoundError: 404,
    ForbiddenError: 403,
    ConflictError: 409,
    LedgerIntegrityError: 500,
}


@blp.errorhandler(DomainError)
def _domain_error(e: DomainError):
    status = next((s for cls, s in _STATUS_OF.items() if isinstance(e, cls)), 422)
    errors = getattr(e, "errors", None) or {}
    return render_template("ui/error.html", status=status, message=str(e), errors=errors), status


@blp.errorhandler(SchemaError)
def _invalid(e: SchemaError):
    errors = e.messages if isinstance(e.messages, dict) else {"_": e.messages}
    message = "Some values are not valid."
    return render_template("ui/error.html", status=422, message=message, errors=errors), 422


@blp.errorhandler(HTTPException)
def _http_error(e: HTTPException):
    response = render_template("ui/error.html", status=e.code, message=e.description, errors={})
    headers = {"Retry-After": str(e.retry_after)} if getattr(e, "retry_after", None) else {}
    return response, e.code, headers


def _home_of(role: str) -> str:
    return url_for("ui.verify") if role == EMPLOYER else url_for("ui.find")


# -- sign in and out --------------------------------------------------------------------------


@blp.route("/", methods=["GET"])
def home():
    principal = signed_in()
    if principal is not None:
        return redirect(_home_of(principal.role), 303)
    return render_template("ui/signin.html", error=None)


@blp.route("/", methods=["POST"])
def sign_in_page():
    check_csrf()
    try:
        principal = sign_in(request.form.get("token", "").strip())
    except Unauthorized:
        return render_template("ui/signin.html", error="This token is not valid."), 401
    return redirect(_home_of(principal.role), 303)


@blp.route("/signout", methods=["POST"])
def sign_out():
    check_csrf()
    session.clear()
    return redirect(url_for("ui.home"), 303)


# -- find and timeline ------------------------------------------------------------------------


@blp.route("/travelers", methods=["GET"])
@page(*READERS)
def find():
    return render_template("ui/find.html", jurisdictions=JURISDICTIONS, error=None, form={})


@blp.route("/travelers", methods=["POST"])
@page(*READERS)
def find_post():
    """The document number comes in the body and leaves as a redirect to an id: never a URL."""
    form = {k: request.form.get(k, "") for k in ("nationality", "document_number", "jurisdiction")}
    query = LookupQuery().load({k: form[k] for k in ("nationality", "document_number")})
    jurisdiction = StatusQuery().load({"jurisdiction": form["jurisdiction"]})["jurisdiction"]
    try:
        traveler_id = service().find_traveler(query["nationality"], query["document_number"])
    except NotFoundError:
        error = "No traveler holds this document."
        page_ = render_template("ui/find.html", jurisdictions=JURISDICTIONS, error=error, form=form)
        return page_, 404
    return redirect(url_for("ui.timeline", traveler_id=traveler_id, jurisdiction=jurisdiction), 303)


@blp.route("/travelers/<uuid:traveler_id>", methods=["GET"])
@page(*READERS)
def timeline(traveler_id: UUID):
    query = StatusQuery().load(request.args)
    jurisdiction, known_at = query["jurisdiction"], query.get("known_at")
    status = service().status(traveler_id, jurisdiction, query.get("as_of"), known_at)
    data = chart_data(service(), traveler_id, jurisdiction, status.as_of, known_at)
    history = None
    if g.principal.role in AUDITORS:
        history = history_page(service(), traveler_id, request.args.get("after_version"))
    chart = Chart(data.days, status.overstay.periods, data.boundaries, data.exemptions)
    return render_template(
        "ui/timeline.html",
        traveler_id=traveler_id,
        status=status,
        chart=chart,
        width=WIDTH,
        height=HEIGHT,
        history=history,
        jurisdictions=JURISDICTIONS,
        query=query,
        q={
            k: request.args[k] for k in ("jurisdiction", "as_of", "known_at") if request.args.get(k)
        },
        periods=periods_table(chart),
    )


# -- overstayers ------------------------------------------------------------------------------


def _overstays_query() -> dict:
    query = OverstaysQuery().load(request.args)
    query["as_of"] = query.get("as_of") or reference_today(query["jurisdiction"], service().clock())
    return query


@blp.route("/overstays", methods=["GET"])
@page(*AUDITORS)
def overstays():
    args = {"jurisdiction": "KAZ", **request.args.to_dict()}
    query = OverstaysQuery().load(args)
    as_of = query.get("as_of") or reference_today(query["jurisdiction"], service().clock())
    found = _page(query["jurisdiction"], as_of, query["limit"], query.get("cursor"))
    return render_template(
        "ui/overstays.html",
        jurisdictions=JURISDICTIONS,
        jurisdiction=query["jurisdiction"],
        as_of=as_of,
        limit=query["limit"],
        items=found["items"],
        next_cursor=found["next_cursor"],
    )


def _page(jurisdiction: str, as_of: date, limit: int, cursor: str | None) -> dict:
    try:
        return ledger().read.overstays(jurisdiction, as_of, limit, cursor)
    except ValueError as e:
        raise SchemaError({"cursor": [str(e)]}) from None


@blp.route("/overstays.csv", methods=["GET"])
@page(*AUDITORS)
def overstays_csv():
    """The whole list, a page at a time as it is written: never held in memory."""
    query = _overstays_query()
    jurisdiction, as_of = query["jurisdiction"], query["as_of"]
    _page(jurisdiction, as_of, 1, query.get("cursor"))  # a bad query fails before streaming
    columns = ("traveler_id", "nationality", "entered_on", "latest_legal_exit", "days_over")

    def rows():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([*columns, "penalty_band"])
        cursor = query.get("cursor")
        while True:
            found = _page(jurisdiction, as_of, CSV_PAGE, cursor)
            for item in found["items"]:
                band = item["penalty_band"]
                writer.writerow([*(item[c] for c in columns), band.code if band else ""])
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            cursor = found["next_cursor"]
            if cursor is None:
                return

    name = f"overstays-{jurisdiction}-{as_of.isoformat()}.csv"
    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# -- the employer's check ---------------------------------------------------------------------


@blp.route("/verify", methods=["GET"])
@page(EMPLOYER)
def verify():
    return render_template("ui/verify.html", answer=None, form={})


@blp.route("/verify", methods=["POST"])
@page(EMPLOYER)
def verify_post():
    fields = ("nationality", "document_number", "contract_number", "on")
    form = {k: request.form.get(k, "").strip() for k in fields}
    data = VerifyIn().load({k: v for k, v in form.items() if v})
    wait = current_app.extensions["borderledger.limits"][VERIFICATION].hit(
        g.principal.employer_id or "-"
    )
    if wait is not None:
        raise TooManyRequests("Too many checks this minute; try again shortly.", retry_after=wait)
    answer = service().verify_exemption(current_actor(), **data)
    session["receipt"] = answer["receipt"]
    form["document_number"] = ""  # not echoed back into the page
    return render_template("ui/verify.html", answer=answer, form=form)


@blp.route("/verify/receipt", methods=["GET"])
@page(EMPLOYER)
def receipt():
    """The last check's signed receipt, as a file the employer keeps."""
    kept = session.get("receipt")
    if not kept:
        raise NotFound("No check has been made in this session yet.")
    body = json.dumps({"receipt": kept}, indent=2) + "\n"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="verification-receipt.json"'},
    )
