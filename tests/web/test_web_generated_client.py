"""A client generated from the served OpenAPI document types every field of the core answers.

openapi-python-client (pinned) runs in a virtual environment of its own, as an integrator would
run it; the generated models then parse real answers of this server.
"""

from __future__ import annotations

import json
import subprocess
import uuid
import venv
from pathlib import Path

import pytest
from web_support import build, close, unique

from web.schemas.events import EVENTS

GENERATOR = "openapi-python-client==0.29.1"

# Runs inside the generator's environment: parse each answer with its model and list every value
# that is not typed (a free-form dict, an ``Any`` annotation) and every answer that does not come
# back whole from its model (a field the model does not declare is dropped).
WALKER = """
import datetime, enum, json, sys, uuid
import attrs
from client import models
from client.types import Unset

def walk(obj, path, problems):
    if obj is None or isinstance(obj, (str, int, float, bool, enum.Enum, datetime.date,
                                       datetime.datetime, uuid.UUID, Unset)):
        return
    if isinstance(obj, list):
        for i, item in enumerate(obj):
            walk(item, f"{path}[{i}]", problems)
        return
    if not attrs.has(type(obj)):
        problems.append(f"{path}: untyped {type(obj).__name__}")
        return
    for f in attrs.fields(type(obj)):
        if f.name == "additional_properties":
            if obj.additional_properties and "Any" in str(f.type):
                problems.append(f"{path}: undeclared {sorted(obj.additional_properties)}")
            for key, value in obj.additional_properties.items():
                walk(value, f"{path}.{key}", problems)
        elif "Any" in str(f.type):
            problems.append(f"{path}.{f.name}: annotated Any")
        else:
            walk(getattr(obj, f.name), f"{path}.{f.name}", problems)

problems = []
for name, answer in json.load(sys.stdin).items():
    parsed = getattr(models, name).from_dict(answer)
    walk(parsed, name, problems)
    if parsed.to_dict() != answer:
        problems.append(f"{name}: does not round-trip")
print(json.dumps(problems))
"""


@pytest.fixture(scope="module")
def web(request, tmp_path_factory):
    web = build(request, tmp_path_factory, "sqlite")
    yield web
    close(web)


@pytest.fixture(scope="module")
def generated(web, tmp_path_factory) -> tuple[Path, Path]:
    """(python of the generator's environment, folder holding the generated ``client``)."""
    root = tmp_path_factory.mktemp("client")
    venv.create(root / "venv", with_pip=True)
    python = root / "venv" / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", GENERATOR],
        check=True,
        timeout=600,
    )
    spec = root / "openapi.json"
    spec.write_text(web.client.get("/api/v1/openapi.json").get_data(as_text=True))
    subprocess.run(
        [
            root / "venv" / "bin" / "openapi-python-client",
            "generate",
            "--path",
            spec,
            "--meta",
            "none",
            "--output-path",
            root / "client",
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return python, root


def _answers(web) -> dict:
    """A status, a plan, a calculator and a history answer with every optional part filled in."""
    tid = web.register()
    for direction, day in (
        ("entry", "2022-10-01"),
        ("exit", "2022-12-15"),
        ("entry", "2023-01-27"),
        ("entry", "2023-03-01"),
    ):
        r = web.cross(tid, direction, day)
        assert r.status_code == 201, r.get_json()
    r = web.client.post(
        f"/api/v1/travelers/{tid}/exemptions",
        json={
            "exemption_id": str(uuid.uuid4()),
            "kind": "employment",
            "jurisdiction": "KAZ",
            "valid_from": "2023-09-01",
            "valid_until": "2024-08-31",
            "contract_number": "EC-7",
            "employer_id": "123456789012",
        },
        headers=web.admin,
    )
    assert r.status_code == 201, r.get_json()
    status = web.client.get(
        f"/api/v1/travelers/{tid}/status?jurisdiction=KAZ&as_of=2023-06-01", headers=web.auditor
    ).get_json()
    plan = web.client.post(
        f"/api/v1/travelers/{tid}/plan",
        json={"jurisdiction": "KAZ", "entry_on": "2023-07-01"},
        headers=web.auditor,
    ).get_json()
    calculator = web.client.post(
        "/api/v1/calculator",
        json={
            "jurisdiction": "KAZ",
            "nationality": "USA",
            "stays": [{"entry_on": "2023-03-01", "exit_on": None}],
            "as_of": "2023-04-05",
            "entry_on": "2023-04-10",
        },
    ).get_json()
    assert status["overstay"]["periods"] and status["next_entry"] and status["anomalies"]
    assert status["exemptions"] and plan["rule"] and calculator["status"]["rule"]
    return {
        "StatusOut": status,
        "PlanOut": plan,
        "CalculatorOut": calculator,
        "HistoryOut": _history(web),
    }


def _history(web) -> dict:
    """A history answer, with the status after each event, holding every kind of event."""
    document = unique("P")
    body = {
        "nationality": "RUS",
        "document_number": unique("P"),
        "surname": "Ivanova",
        "given_names": "Anna",
        "birth_date": "1990-05-17",
    }
    r = web.client.post("/api/v1/travelers", json=body, headers=web.admin)
    assert r.status_code == 201, r.get_json()
    tid = r.get_json()["traveler_id"]
    link = {"nationality": "RUS", "document_number": document}
    r = web.client.post(f"/api/v1/travelers/{tid}/documents", json=link, headers=web.admin)
    assert r.status_code == 201, r.get_json()
    assert web.cross(tid, "entry", "2023-01-10", crossing_id="h1").status_code == 201
    assert web.cross(tid, "exit", "2023-01-20", crossing_id="h2").status_code == 201
    fix = {"occurred_at": "2023-01-21T10:00:00Z", "reason": "typo"}
    r = web.client.post(
        f"/api/v1/travelers/{tid}/crossings/h2/correction", json=fix, headers=web.admin
    )
    assert r.status_code == 201, r.get_json()
    assert web.cross(tid, "entry", "2023-02-01", crossing_id="h3").status_code == 201
    r = web.client.post(
        f"/api/v1/travelers/{tid}/crossings/h3/void", json={"reason": "twice"}, headers=web.admin
    )
    assert r.status_code == 201, r.get_json()
    grant = {
        "exemption_id": "hx",
        "kind": "employment",
        "jurisdiction": "KAZ",
        "valid_from": "2023-03-01",
        "valid_until": "2023-12-31",
        "contract_number": "EC-9",
        "employer_id": "123456789012",
    }
    r = web.client.post(f"/api/v1/travelers/{tid}/exemptions", json=grant, headers=web.admin)
    assert r.status_code == 201, r.get_json()
    check = {"nationality": "RUS", "document_number": document, "contract_number": "EC-9"}
    r = web.client.post(
        "/api/v1/exemptions/verify",
        json={**check, "on": "2023-04-01"},
        headers=web.employer("123456789012"),
    )
    assert r.status_code == 200 and r.get_json()["status"] == "active", r.get_json()
    end = {"ended_on": "2023-06-30", "reason": "contract over"}
    r = web.client.post(
        f"/api/v1/travelers/{tid}/exemptions/hx/termination", json=end, headers=web.admin
    )
    assert r.status_code == 201, r.get_json()
    history = web.client.get(
        f"/api/v1/travelers/{tid}/history?with_status=KAZ", headers=web.auditor
    ).get_json()
    kinds = {e["type"] for e in history["events"]}
    assert kinds >= set(EVENTS) - {"Erased"}, kinds
    assert all(e["status"] for e in history["events"])
    return history


@pytest.mark.slow
def test_status_plan_calculator_and_history_parse_into_typed_models(web, generated):
    python, folder = generated
    done = subprocess.run(
        [python, "-c", WALKER],
        input=json.dumps(_answers(web)),
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    calls = {p.stem for p in (folder / "client" / "api").rglob("*.py")}
    assert {"get_status", "plan_stay", "calculate", "record_crossing"} <= calls


@pytest.mark.slow
def test_the_check_reports_a_field_the_model_does_not_declare(web, generated):
    """The check can fail: a field outside the document does not survive the model."""
    python, folder = generated
    status = _answers(web)["StatusOut"]
    done = subprocess.run(
        [python, "-c", WALKER],
        input=json.dumps({"StatusOut": {**status, "surprise": {"x": 1}}}),
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["StatusOut: does not round-trip"]


ANSWERS = ("StatusOut", "PlanOut", "HistoryOut", "CalculatorOut")


def bare_objects(document: dict, names=ANSWERS) -> list[str]:
    """Every schema reachable from the named answers that says ``type: object`` and nothing of
    its fields: no properties, $ref, allOf or oneOf, nor a typed schema for additional ones."""
    schemas = document["components"]["schemas"]
    found, seen = [], set()

    def walk(node, path):
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]")
            return
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                walk(schemas[name], name)
            return
        types = node.get("type")
        extra = node.get("additionalProperties")
        if (types == "object" or (isinstance(types, list) and "object" in types)) and not (
            {"properties", "allOf", "oneOf"} & set(node) or isinstance(extra, dict) and extra
        ):
            found.append(path)
        for key, value in node.items():
            if key not in ("example", "examples", "default", "enum", "discriminator"):
                walk(value, f"{path}.{key}")

    for name in names:
        walk({"$ref": f"#/components/schemas/{name}"}, name)
    return found


def test_no_bare_object_inside_the_core_answers(web):
    document = web.client.get("/api/v1/openapi.json").get_json()
    assert bare_objects(document) == []
    assert {"StatusOut", "RegisteredDataOut", "ExemptionVerifiedDataOut"} <= set(
        document["components"]["schemas"]
    )


def test_the_walk_finds_a_bare_object():
    """The walk can fail: a free-form object, directly or behind a $ref, is reported."""
    document = {
        "components": {
            "schemas": {
                "StatusOut": {
                    "type": "object",
                    "properties": {
                        "rule": {"$ref": "#/components/schemas/Rule"},
                        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                    },
                },
                "Rule": {"type": "object", "properties": {"params": {"type": "object"}}},
                "PlanOut": {"type": "object", "additionalProperties": True},
            }
        }
    }
    assert bare_objects(document, ("StatusOut", "PlanOut")) == [
        "Rule.properties.params",
        "PlanOut",
    ]
