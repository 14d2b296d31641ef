"""The OpenAPI document and a browsable page made from it."""

from __future__ import annotations

from flask import current_app, jsonify

from web import docs_page
from web.blueprint import Blueprint

blp = Blueprint("meta", __name__, url_prefix="/api/v1", description="This API's description")


@blp.route("/openapi.json", methods=["GET"])
@blp.doc(
    responses={
        "200": {
            "description": "The OpenAPI 3 document",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    }
)
def openapi():
    """The OpenAPI 3 document of every route this server answers."""
    return jsonify(current_app.extensions["borderledger.api"].spec.to_dict())


@blp.route("/docs", methods=["GET"])
@blp.doc(
    responses={
        "200": {
            "description": "HTML reference, readable offline",
            "content": {"text/html": {"schema": {"type": "string"}}},
        }
    }
)
def docs():
    """A readable reference of every operation and schema, with no external assets."""
    spec = current_app.extensions["borderledger.api"].spec.to_dict()
    return docs_page.render(spec), 200, {"Content-Type": "text/html; charset=utf-8"}
