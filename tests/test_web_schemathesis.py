"""Requests generated from the served OpenAPI document: never a 500, and every answer (status,
content type, headers, body) as the document describes it."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from test_web_support import Web, bearer, close, settings_for

from web.app import create_app

EXAMPLES_PER_OPERATION = 20
# Schema-valid content can still be refused on its meaning (an unknown post, a date outside the
# years the engine answers for, valid_until before valid_from): a 422 there is right.
SEMANTIC = [positive_data_acceptance]
EMPLOYER_PATHS = ("/api/v1/exemptions/verify",)


@pytest.fixture(scope="module")
def served_app(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz')}/ledger.db"
    app = create_app({"SETTINGS": settings_for(url)})
    yield app
    close(Web(app, app.test_client(), "sqlite"))


def headers_for(case) -> dict:
    if case.operation.path in EMPLOYER_PATHS:
        return bearer("employer", employer_id="123456789012")
    return bearer("admin", subject="fuzzer")


def exercise(operation, mode: GenerationMode) -> None:
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
        case.call_and_validate(headers=headers_for(case), excluded_checks=SEMANTIC)

    run()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_documented(served_app, mode):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", served_app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            exercise(operation, mode)
        except Unsatisfiable:
            # Nothing to negate: the operation takes no parameters and no body.
            assert mode == GenerationMode.NEGATIVE, operation.label
        except Exception as e:  # report every operation, not only the first that fails
            failures.append(f"{operation.label}: {e}")
    assert not failures, "\n\n".join(failures)
