"""flask-smorest's Api, documenting every error as problem+json with its headers."""

from __future__ import annotations

from http import HTTPStatus

from apispec import BasePlugin
from flask_smorest import Api
from marshmallow import fields

from web.fields import Tagged
from web.problems import PROBLEM_JSON, ProblemSchema, http_problem

_RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
}
_HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer challenge", "schema": {"type": "string"}}},
    429: _RETRY_AFTER,
    503: _RETRY_AFTER,
}
SETTINGS = {
    "API_TITLE": "Border Ledger",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Records border crossings and answers how long a person may stay.",
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            }
        },
    },
}


# Named for what each operation does: client generators turn these into method names.
OPERATION_IDS = {
    ("get", "/api/v1/border-posts"): "listBorderPosts",
    ("post", "/api/v1/calculator"): "calculate",
    ("post", "/api/v1/crossings/batch"): "recordCrossingBatch",
    ("get", "/api/v1/docs"): "getApiDocs",
    ("post", "/api/v1/exemptions/verify"): "verifyExemption",
    ("get", "/api/v1/health"): "getHealth",
    ("get", "/api/v1/ledger/checkpoints"): "listCheckpoints",
    ("get", "/api/v1/ledger/checkpoints/latest"): "getLatestCheckpoint",
    ("get", "/api/v1/ledger/public-key"): "getPublicKey",
    ("get", "/api/v1/openapi.json"): "getOpenApiDocument",
    ("get", "/api/v1/overstays"): "listOverstays",
    ("get", "/api/v1/rules"): "listRules",
    ("get", "/api/v1/travelers"): "findTraveler",
    ("post", "/api/v1/travelers"): "registerTraveler",
    ("post", "/api/v1/travelers/{traveler_id}/crossings"): "recordCrossing",
    ("post", "/api/v1/travelers/{traveler_id}/crossings/{crossing_id}/correction"): (
        "correctCrossing"
    ),
    ("post", "/api/v1/travelers/{traveler_id}/crossings/{crossing_id}/void"): "voidCrossing",
    ("get", "/api/v1/travelers/{traveler_id}"): "getTraveler",
    ("post", "/api/v1/travelers/{traveler_id}/documents"): "linkDocument",
    ("post", "/api/v1/travelers/{traveler_id}/erasure"): "eraseTraveler",
    ("post", "/api/v1/travelers/{traveler_id}/exemptions"): "grantExemption",
    ("post", "/api/v1/travelers/{traveler_id}/exemptions/{exemption_id}/termination"): (
        "terminateExemption"
    ),
    ("get", "/api/v1/travelers/{traveler_id}/history"): "getHistory",
    ("post", "/api/v1/travelers/{traveler_id}/plan"): "planStay",
    ("get", "/api/v1/travelers/{traveler_id}/status"): "getStatus",
    ("get", "/api/v1/verifications"): "listVerifications",
}


class OperationIds(BasePlugin):
    """apispec's own hook: every operation gets its name from ``OPERATION_IDS``."""

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for method, operation in (operations or {}).items():
            name = OPERATION_IDS.get((method, path))
            if name:
                operation.setdefault("operationId", name)


def nullable_model(converter, field, ret: dict, **kwargs) -> dict:
    """A nullable nested answer as ``allOf: [$ref]`` + ``nullable``: client generators type that
    as the model or null, where apispec's ``anyOf`` with a free-form object comes out untyped."""
    alternatives = ret.get("anyOf") or []
    refs = [a for a in alternatives if "$ref" in a]
    if isinstance(field, fields.Nested) and field.allow_none and len(refs) == 1:
        del ret["anyOf"]
        return {"allOf": refs, "nullable": True}
    return {}


def tagged_models(converter, field, ret: dict, **kwargs) -> dict:
    """A ``Tagged`` answer as ``oneOf`` its schemas, told apart by the tag's value."""
    if not isinstance(field, Tagged):
        return {}
    refs = {value: converter.resolve_nested_schema(type(s)) for value, s in field.schemas.items()}
    mapping = {value: ref["$ref"] for value, ref in refs.items()}
    return {
        "oneOf": list(refs.values()),
        "discriminator": {"propertyName": field.tag, "mapping": mapping},
    }


def problem_response(code: int) -> str:
    """The name of the response component documenting ``code`` (flask-smorest's own names,
    re-registered below as problems)."""
    return HTTPStatus(code).name


class LedgerApi(Api):
    """Errors documented and answered as RFC 9457 problems; no catch-all default response."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, app=None, *, spec_kwargs=None, **kwargs):
        spec_kwargs = {**(spec_kwargs or {}), "extra_plugins": [OperationIds()]}
        super().__init__(app, spec_kwargs=spec_kwargs, **kwargs)
        self.ma_plugin.converter.add_attribute_function(nullable_model)
        self.ma_plugin.converter.add_attribute_function(tagged_models)

    def init_app(self, app, *, spec_kwargs=None):
        super().init_app(app, spec_kwargs=spec_kwargs)
        for status in HTTPStatus:
            if status < 400:
                continue
            content = {PROBLEM_JSON: {"schema": self.ERROR_SCHEMA}}
            response = {"description": status.phrase, "content": content}
            if status in _HEADERS:
                response["headers"] = _HEADERS[status]
            # Lazy, as flask-smorest registered its JSON ones under these names: the problem
            # replaces each, and only the answers some operation gives reach the document.
            self.spec.components.response(problem_response(status), response, lazy=True)

    def handle_http_exception(self, error):
        return http_problem(error)
