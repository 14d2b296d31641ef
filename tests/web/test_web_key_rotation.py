"""Rotating the token key without breaking lookups: the old secret stays as the index key."""

from __future__ import annotations

import pytest
from web_support import BACKENDS, bearer, database_url, keys_for, unique

from infrastructure.settings import Settings
from web.app import create_app

OLD = "old-token-key-" + "o" * 40
NEW = "new-token-key-" + "n" * 40


def app_with(url: str, secret: str, index_key: str = ""):
    settings = Settings(
        database_url=url, secret_key=secret, index_key=index_key, keys=keys_for(url)
    )
    app = create_app({"SETTINGS": settings})
    return app, app.test_client()


def close(app) -> None:
    app.extensions["borderledger"].service.app.close()


def lookup(client, document: str, secret: str):
    query = {"nationality": "RUS", "document_number": document}
    return client.get(
        "/api/v1/travelers", query_string=query, headers=bearer("auditor", secret=secret)
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_index_key_set_to_the_old_secret_keeps_lookups_after_the_token_key_changes(
    backend, request, tmp_path_factory
):
    url = database_url(request, tmp_path_factory, backend)
    document = unique("ROT")
    app, client = app_with(url, OLD)
    try:
        body = {"nationality": "RUS", "document_number": document}
        r = client.post("/api/v1/travelers", json=body, headers=bearer("admin", secret=OLD))
        assert r.status_code == 201
        traveler_id = r.get_json()["traveler_id"]
    finally:
        close(app)

    # Rotated as the README says: BORDERLEDGER_INDEX_KEY=<old secret>, a new SECRET_KEY.
    app, client = app_with(url, NEW, index_key=OLD)
    try:
        assert lookup(client, document, OLD).status_code == 401  # old tokens stop working
        found = lookup(client, document, NEW)
        assert found.status_code == 200 and found.get_json()["traveler_id"] == traveler_id
        again = client.post(
            "/api/v1/travelers",
            json={"nationality": "RUS", "document_number": document},
            headers=bearer("admin", secret=NEW),
        )
        assert (again.status_code, again.get_json()["traveler_id"]) == (200, traveler_id)
    finally:
        close(app)

    # Rotated without it, the same document is no longer found: what the index key prevents.
    app, client = app_with(url, NEW)
    try:
        assert lookup(client, document, NEW).status_code == 404
    finally:
        close(app)
