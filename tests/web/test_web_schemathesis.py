"""Requests generated from the served OpenAPI document: never a 500, and every answer (status,
content type, headers, body) as the document describes it."""

from __future__ import annotations

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from web_support import BACKENDS, Web, bearer, close, database_url, settings_for

from web.app import create_app

EXAMPLES_PER_OPERATION = 25
# Schema-valid content can still be refused on its meaning (an unknown post, a date outside the
# years the engine answers for, valid_until before valid_from): a 422 there is right.
SEMANTIC = [positive_data_acceptance]
EMPLOYER_PATHS = ("/api/v1/exemptions/verify",)
BATCH = "/api/v1/crossings/batch"


@pytest.fixture(scope="module", params=BACKENDS)
def served(request, tmp_path_factory):
    """The app, with one traveler who has a crossing and an exemption to aim requests at."""
    url = database_url(request, tmp_path_factory, request.param)
    app = create_app({"SETTINGS": settings_for(url)})
    web = Web(app, app.test_client(), request.param)
    traveler_id = web.register("RUS")
    web.cross(traveler_id, "entry", "2023-02-01", crossing_id="c1")
    grant = {
        "exemption_id": "e1",
        "kind": "study",
        "jurisdiction": "KAZ",
        "valid_from": "2023-03-01",
        "valid_until": "2023-12-31",
    }
    web.client.post(f"/api/v1/travelers/{traveler_id}/exemptions", json=grant, headers=web.admin)
    yield app, {"traveler_id": traveler_id, "crossing_id": "c1", "exemption_id": "e1"}
    close(web)


def headers_for(case) -> dict:
    if case.operation.path in EMPLOYER_PATHS:
        return bearer("employer", employer_id="123456789012")
    return bearer("admin", subject="fuzzer")


class Token:
    """The caller's token, set on each case as its own auth: schemathesis then leaves it off a case
    whose negation removed Authorization (that one must meet 401) and probes missing or invalid
    tokens on the others."""

    def get(self, case, context) -> str:
        return headers_for(case)["Authorization"]

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": data}


def exercise(operation, mode: GenerationMode, known: dict) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    def run(case):
        # Dropping or mangling the token meets 401 before anything else is read; the auth checks
        # probe that on every operation, so negations here go to what the handlers validate.
        assume(not operation.schema.is_security_param_negated(case))
        if mode == GenerationMode.POSITIVE:
            # Generated ids and post codes would only ever meet 404 and 422: aim valid requests
            # at a real traveler, crossing, exemption and post.
            case.path_parameters.update({k: known[k] for k in case.path_parameters or {}})
            if isinstance(case.body, dict) and "border_post" in case.body:
                case.body["border_post"] = "KZ-ALA"
        if mode == GenerationMode.NEGATIVE and case.operation.path == BATCH:
            # One bad item never rejects the others (api.md): checked below instead.
            response = case.call_and_validate(excluded_checks=[*SEMANTIC, negative_data_rejection])
            batch_refused_or_items_rejected(operation.schema.raw_schema, case.body, response)
        else:
            case.call_and_validate(excluded_checks=SEMANTIC)

    run()


def batch_refused_or_items_rejected(document: dict, body, response) -> None:
    """A batch the document calls invalid is refused whole (4xx), or, when it is invalid only
    inside its items, answers 200 with every item the document calls invalid rejected."""
    if response.status_code != 200:
        assert 400 <= response.status_code < 500, (body, response.status_code)
        return
    item = jsonschema_rs.Draft4Validator(
        document["components"]["schemas"]["BatchItemIn"], validate_formats=True
    )
    crossings = body.get("crossings") if isinstance(body, dict) else None
    assert isinstance(crossings, list), f"a body without a list of items was accepted: {body!r}"
    invalid = [i for i, x in enumerate(crossings) if not item.is_valid(x)]
    assert invalid, f"a body the document calls invalid was accepted: {body!r}"
    statuses = [r["status"] for r in response.json()["results"]]
    assert all(statuses[i] == "rejected" for i in invalid), (body, statuses)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_documented(served, mode):
    app, known = served
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.auth(refresh_interval=None)(Token)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            exercise(operation, mode, known)
        except Unsatisfiable:
            # Nothing to negate: the operation takes no parameters and no body.
            assert mode == GenerationMode.NEGATIVE, operation.label
        except Exception as e:  # report every operation, not only the first that fails
            failures.append(f"{operation.label}: {e}")
    assert not failures, "\n\n".join(failures)
