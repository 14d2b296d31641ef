"""The served OpenAPI document: valid, complete, and browsable offline."""

from __future__ import annotations

import re

import pytest
import schemathesis
from web_support import build, close

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def web(request, tmp_path_factory):
    web = build(request, tmp_path_factory, "sqlite")
    yield web
    close(web)


@pytest.fixture(scope="module")
def spec(web):
    r = web.client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    return r.get_json()


def test_the_document_validates_against_the_openapi_3_schema(spec):
    assert spec["openapi"].startswith("3.")
    schemathesis.openapi.from_dict(spec).validate()


def test_every_route_the_server_answers_is_described_in_full(web, spec):
    served = set()
    pages = set()
    for rule in web.app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        if rule.endpoint.startswith("ui."):
            # The pages for people (web/ui) and their static files are not the API.
            assert rule.rule.startswith("/ui/"), rule.rule
            pages.add(rule.endpoint)
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        served |= {(path, m.lower()) for m in rule.methods if m.lower() in METHODS}
    documented = {(p, m) for p, ops in spec["paths"].items() for m in ops if m in METHODS}
    assert served == documented
    assert all(p.startswith("/api/v1/") for p, _ in documented)
    assert {"ui.timeline", "ui.static"} <= pages


def test_error_answers_are_problems_and_protected_operations_list_401_and_403(spec):
    responses = spec["components"]["responses"]
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if method not in METHODS:
                continue
            codes = set(op["responses"])
            for code, answer in op["responses"].items():
                if int(code) >= 400:
                    name = answer["$ref"].rsplit("/", 1)[-1]
                    assert list(responses[name]["content"]) == ["application/problem+json"]
            if op.get("security"):
                assert {"401", "403"} <= codes, (method, path)
    assert "Retry-After" in responses["TOO_MANY_REQUESTS"]["headers"]
    assert "Retry-After" in responses["SERVICE_UNAVAILABLE"]["headers"]


def test_the_docs_page_needs_no_internet_and_lists_every_path(web, spec):
    r = web.client.get("/api/v1/docs")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert not re.search(r"https?://", page)
    assert "<script" not in page
    for path in spec["paths"]:
        assert path in page


def test_every_operation_is_named_for_what_it_does(spec):
    """Client generators name their methods after operationId; a new route needs its name."""
    names = [
        op.get("operationId")
        for operations in spec["paths"].values()
        for method, op in operations.items()
        if method in METHODS
    ]
    assert all(names) and len(set(names)) == len(names), names
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", n) for n in names), names
    status = spec["paths"]["/api/v1/travelers/{traveler_id}/status"]["get"]
    assert status["operationId"] == "getStatus"


def test_every_event_has_a_history_schema_listing_exactly_its_fields():
    """Typed data never drops a field: each schema lists exactly its event's own fields."""
    import dataclasses

    from domain.chain import ENVELOPE
    from domain.traveler import events
    from web.schemas.events import EVENTS

    kinds = {
        c.__name__: c
        for c in vars(events).values()
        if isinstance(c, type) and issubclass(c, events.TravelerEvent) and hasattr(c, "apply")
    }
    kinds.pop("Created", None)
    kinds.pop("TravelerEvent", None)
    assert set(kinds) <= set(EVENTS)
    for name, event in kinds.items():
        own = {f.name for f in dataclasses.fields(event)} - ENVELOPE
        declared = set(EVENTS[name]().fields["data"].schema.fields) - {"erased"}
        assert own == declared, name
