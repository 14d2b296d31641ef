"""Who may do what: every route of the served OpenAPI document × every role and scope.

The routes come from the document itself, so a new route without a row here fails the test.
Each request is valid and made on fresh data, so the answer shows the role and scope checks only.
"""

from __future__ import annotations

import uuid

from web_support import WebCase, bearer, unique

# Claims per role and scope variant; tokens are issued when used, so none expires mid-run.
ROLES = {
    "none": None,
    "registrar_own_office": ("registrar", {"office": "KZ-ALA"}),
    "registrar_other_office": ("registrar", {"office": "KZ-NQZ"}),
    "registrar_other_jurisdiction": ("registrar", {"office": "FR-CDG"}),
    "auditor": ("auditor", {}),
    "employer_own": ("employer", {"employer_id": "123456789012"}),
    "employer_other": ("employer", {"employer_id": "999999999999"}),
    "admin": ("admin", {}),
}


def headers_of(role: str) -> dict:
    claims = ROLES[role]
    return bearer(claims[0], subject=role, **claims[1]) if claims else {}


EMPLOYER = "123456789012"

# Expected answers per role, in ROLES order. "200:rejected" and the like: the status code and
# what the body says (a batch item's status, a verification's answer).
OPEN = ("200",) * 8
READERS = ("401", "200", "200", "200", "200", "403", "403", "200")
AUDITORS = ("401", "403", "403", "403", "200", "403", "403", "200")
REGISTRARS = ("401", "201", "201", "201", "403", "403", "403", "201")
AT_OWN_POSTS = ("401", "201", "403", "403", "403", "403", "403", "201")
IN_OWN_JURISDICTION = ("401", "201", "201", "403", "403", "403", "403", "201")
ADMINS = ("401", "403", "403", "403", "403", "403", "403", "201")
EXPECTED = {
    ("GET", "/api/v1/border-posts"): OPEN,
    ("GET", "/api/v1/rules"): OPEN,
    ("GET", "/api/v1/health"): OPEN,
    ("GET", "/api/v1/docs"): OPEN,
    ("GET", "/api/v1/openapi.json"): OPEN,
    ("POST", "/api/v1/calculator"): OPEN,
    ("POST", "/api/v1/travelers"): REGISTRARS,
    ("GET", "/api/v1/travelers"): READERS,
    ("GET", "/api/v1/travelers/{traveler_id}"): READERS,
    ("POST", "/api/v1/travelers/{traveler_id}/erasure"): ADMINS,
    ("POST", "/api/v1/travelers/{traveler_id}/documents"): REGISTRARS,
    ("POST", "/api/v1/travelers/{traveler_id}/crossings"): AT_OWN_POSTS,
    ("POST", "/api/v1/crossings/batch"): (
        "401",
        "200:created",
        "200:rejected",
        "200:rejected",
        "403",
        "403",
        "403",
        "200:created",
    ),
    ("POST", "/api/v1/travelers/{traveler_id}/crossings/{crossing_id}/correction"): AT_OWN_POSTS,
    ("POST", "/api/v1/travelers/{traveler_id}/crossings/{crossing_id}/void"): AT_OWN_POSTS,
    ("POST", "/api/v1/travelers/{traveler_id}/exemptions"): IN_OWN_JURISDICTION,
    (
        "POST",
        "/api/v1/travelers/{traveler_id}/exemptions/{exemption_id}/termination",
    ): IN_OWN_JURISDICTION,
    ("POST", "/api/v1/exemptions/verify"): (
        "401",
        "403",
        "403",
        "403",
        "403",
        "200:active",
        "200:not_found",
        "403",
    ),
    ("GET", "/api/v1/travelers/{traveler_id}/status"): READERS,
    ("POST", "/api/v1/travelers/{traveler_id}/plan"): READERS[:1] + ("200",) * 4 + READERS[5:],
    ("GET", "/api/v1/travelers/{traveler_id}/history"): AUDITORS,
    ("GET", "/api/v1/overstays"): AUDITORS,
    ("GET", "/api/v1/verifications"): AUDITORS,
    ("GET", "/api/v1/ledger/checkpoints"): AUDITORS,
    ("GET", "/api/v1/ledger/checkpoints/latest"): AUDITORS,
    ("GET", "/api/v1/ledger/public-key"): OPEN,
}


def _post(web, url: str, body: dict, headers=None) -> dict:
    r = web.client.post(url, json=body, headers=headers or headers_of("registrar_own_office"))
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()


def _traveler(web, document: str | None = None) -> str:
    body = {"nationality": "RUS", "document_number": document or unique("A")}
    return _post(web, "/api/v1/travelers", body, web.admin)["traveler_id"]


def _crossing(web, traveler_id: str) -> str:
    """A crossing recorded by the own office's registrar, at its post."""
    body = {
        "crossing_id": str(uuid.uuid4()),
        "direction": "entry",
        "border_post": "KZ-ALA",
        "occurred_at": "2023-02-01T04:00:00Z",
    }
    _post(web, f"/api/v1/travelers/{traveler_id}/crossings", body)
    return body["crossing_id"]


def _grant(contract: str | None = None) -> dict:
    return {
        "exemption_id": str(uuid.uuid4()),
        "kind": "employment",
        "jurisdiction": "KAZ",
        "valid_from": "2023-03-10",
        "valid_until": "2024-03-09",
        "contract_number": contract or unique("EC-"),
        "employer_id": EMPLOYER,
    }


def request_for(web, method: str, path: str) -> tuple[str, dict | None]:
    """A valid request for the route, on data made for it: (url with query, JSON body)."""
    tid = _traveler(web)
    base = path.replace("{traveler_id}", tid)
    if path.endswith("/crossings/{crossing_id}/correction"):
        url = base.replace("{crossing_id}", _crossing(web, tid))
        return url, {"occurred_at": "2023-02-02T04:00:00Z", "reason": "typo"}
    if path.endswith("/crossings/{crossing_id}/void"):
        return base.replace("{crossing_id}", _crossing(web, tid)), {"reason": "duplicate"}
    if path.endswith("/termination"):
        grant = _grant()
        _post(web, f"/api/v1/travelers/{tid}/exemptions", grant)
        url = base.replace("{exemption_id}", grant["exemption_id"])
        return url, {"ended_on": "2023-09-30", "reason": "contract ended"}
    if path.startswith("/api/v1/ledger/checkpoints"):
        web.app.extensions["borderledger"].read.checkpoint()  # one exists to be read
    if method == "GET":
        query = {
            "/api/v1/travelers": f"?nationality=RUS&document_number={_lookup(web)}",
            "/api/v1/travelers/{traveler_id}/status": "?jurisdiction=KAZ&as_of=2023-03-15",
            "/api/v1/travelers/{traveler_id}/history": "?with_status=KAZ",
            "/api/v1/overstays": "?jurisdiction=KAZ&as_of=2023-06-01",
            "/api/v1/verifications": f"?employer_id={EMPLOYER}",
        }.get(path, "")
        return base + query, None
    crossing = {
        "crossing_id": str(uuid.uuid4()),
        "direction": "entry",
        "border_post": "KZ-ALA",
        "occurred_at": "2023-02-01T04:00:00Z",
    }
    bodies = {
        "/api/v1/calculator": {
            "jurisdiction": "KAZ",
            "nationality": "RUS",
            "stays": [{"entry_on": "2023-02-01", "exit_on": None}],
            "as_of": "2023-03-15",
        },
        "/api/v1/travelers": {"nationality": "RUS", "document_number": unique("N")},
        "/api/v1/travelers/{traveler_id}/documents": {
            "nationality": "RUS",
            "document_number": unique("D"),
            "document_type": "passport",
        },
        "/api/v1/travelers/{traveler_id}/crossings": crossing,
        "/api/v1/crossings/batch": {
            "crossings": [{"nationality": "RUS", "document_number": unique("B"), **crossing}]
        },
        "/api/v1/travelers/{traveler_id}/exemptions": _grant(),
        "/api/v1/exemptions/verify": _verifiable(web),
        "/api/v1/travelers/{traveler_id}/plan": {"jurisdiction": "KAZ", "entry_on": "2023-06-01"},
        "/api/v1/travelers/{traveler_id}/erasure": {"reason": "the traveler asked"},
    }
    return base, bodies[path]


def _lookup(web) -> str:
    """The document of a traveler registered for the lookup by document."""
    document = unique("L")
    _traveler(web, document)
    return document


def _verifiable(web) -> dict:
    """A worker with the own employer's active contract."""
    document, grant = unique("W"), _grant()
    tid = _traveler(web, document)
    _post(web, f"/api/v1/travelers/{tid}/exemptions", grant)
    return {
        "nationality": "RUS",
        "document_number": document,
        "contract_number": grant["contract_number"],
        "on": "2023-06-01",
    }


def outcome(response) -> str:
    """The status code, and for the answers where scope shows in the body, what it says."""
    code = str(response.status_code)
    body = response.get_json(silent=True) if response.is_json else None
    if response.status_code == 200 and isinstance(body, dict):
        if "results" in body:
            return f"{code}:{body['results'][0]['status']}"
        if "receipt" in body and "status" in body:
            return f"{code}:{body['status']}"
    return code


def served_routes(web) -> list[tuple[str, str]]:
    spec = web.client.get("/api/v1/openapi.json").get_json()
    methods = {"get", "post", "put", "patch", "delete"}
    return sorted(
        (m.upper(), path) for path, ops in spec["paths"].items() for m in ops if m in methods
    )


class TestAuthorizationMatrix(WebCase):
    def test_every_served_route_has_a_row_and_no_row_is_stale(self, web):
        assert set(served_routes(web)) == set(EXPECTED)

    def test_every_route_answers_every_role_as_the_table_says(self, web):
        wrong = []
        for method, path in served_routes(web):
            expected = EXPECTED.get((method, path))
            if expected is None:
                continue  # reported by the test above
            for role, want in zip(ROLES, expected, strict=True):
                url, body = request_for(web, method, path)
                headers = headers_of(role)
                if method == "GET":
                    r = web.client.get(url, headers=headers)
                else:
                    r = web.client.post(url, json=body, headers=headers)
                got = outcome(r)
                if got != want:
                    wrong.append(f"{method} {path} as {role}: {got}, expected {want}")
        assert wrong == []
