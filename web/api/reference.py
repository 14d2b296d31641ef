"""Rule versions, border posts and health: open to anyone."""

from __future__ import annotations

from web.blueprint import Blueprint
from web.context import ledger, service
from web.problems import store_problem
from web.schemas.reference import BorderPostsOut, HealthOut, RulesOut

blp = Blueprint("reference", __name__, url_prefix="/api/v1", description="Reference and health")


@blp.route("/rules", methods=["GET"])
@blp.endpoint(store=False)
@blp.response(200, RulesOut)
def rules():
    """Every rule version of the rulebook, with its sources."""
    return {"rules": service().rules()}


@blp.route("/border-posts", methods=["GET"])
@blp.endpoint(store=False)
@blp.response(200, BorderPostsOut)
def border_posts():
    """The border-post registry: jurisdiction and time zone of each post."""
    return {"border_posts": service().border_posts()}


@blp.route("/health", methods=["GET"])
@blp.endpoint()
@blp.response(200, HealthOut)
def health():
    """Whether the store answers and takes writes, its position, and each projection's lag."""
    reason = service().unwritable()
    if reason:
        detail = f"the ledger store does not take writes: {reason}"
        return store_problem(detail, {"store": "unwritable"})
    return {
        "status": "ok",
        "store": "ok",
        "ledger_position": service().position(),
        "projections": ledger().read.lag(),
    }
