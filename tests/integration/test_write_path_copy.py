"""Copies handed out by the repository share nothing a command or an event changes."""

from __future__ import annotations

import pickle
import secrets
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.posts import PostRegistry
from domain.traveler import RecordedBy, Traveler
from infrastructure.keys import LedgerKeys
from infrastructure.ledger import LedgerApplication

BY = RecordedBy("officer", "KZ-ALA")
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
POSTS = PostRegistry()


def _traveler() -> Traveler:
    """A traveler with every kind of event in its history."""
    t = Traveler.register(uuid.uuid4(), "KAZ", "passport", "A1", BY, NOW, surname="Ö")
    t.link_document("KGZ", "passport", "B2", BY, NOW)
    for i in range(3):
        t.record_crossing(f"c{i}", "entry", POSTS.get("KZ-ALA"), NOW - timedelta(days=i), BY, NOW)
    t.correct_crossing("c0", "typo", BY, NOW, POSTS.get("KG-FRU"))
    t.void_crossing("c1", "duplicate", BY, NOW)
    t.grant_exemption(
        "e1", "employment", "KAZ", date(2026, 1, 1), date(2026, 12, 31), BY, NOW, "K1", "EMP"
    )
    t.end_exemption("e1", date(2026, 6, 1), "left", BY, NOW)
    t.record_verification("EMP", "K1", date(2026, 6, 1), "ended", "r1", BY, NOW)
    t.collect_events()
    return t


def _every_change(t: Traveler) -> None:
    """One more event of every kind, touching the containers the earlier events filled."""
    t.link_document("UZB", "passport", "C3", BY, NOW)
    t.record_crossing("c9", "exit", POSTS.get("KZ-ALA"), NOW, BY, NOW)
    t.correct_crossing("c2", "typo", BY, NOW, POSTS.get("KG-FRU"))
    t.void_crossing("c0", "wrong person", BY, NOW)
    t.grant_exemption("e2", "study", "KAZ", date(2026, 1, 1), date(2026, 12, 31), BY, NOW)
    t.end_exemption("e2", date(2026, 2, 1), "graduated", BY, NOW)
    t.record_verification("EMP", "K1", date(2026, 7, 1), "ended", "r2", BY, NOW)


def _state(t: Traveler) -> bytes:
    return pickle.dumps(t)


def test_detached_equals_the_original():
    t = _traveler()
    assert _state(t.detached()) == _state(t)


@pytest.mark.parametrize("changed", ["copy", "original"])
def test_changing_either_side_leaves_the_other_as_it_was(changed):
    t = _traveler()
    copy = t.detached()
    before = _state(t)
    _every_change(copy if changed == "copy" else t)
    assert _state(t if changed == "copy" else copy) == before


def test_detached_knows_every_attribute_of_a_traveler():
    # A new attribute must be added to Traveler.detached if a command or event changes it.
    assert set(vars(_traveler())) == {
        "_id",
        "_version",
        "_created_on",
        "_modified_on",
        "_pending_events",
        "erased",
        "nationality",
        "profile",
        "documents",
        "crossings",
        "exemptions",
        "verifications",
        "head_hash",
    }


@pytest.fixture(params=["postgres", "sqlite"])
def url(request, sqlite_url):
    if request.param == "sqlite":
        return sqlite_url
    return f"{request.getfixturevalue('postgres_url')}?schema=wc_{secrets.token_hex(5)}"


def test_the_cache_never_hands_out_its_own_traveler(url):
    keys = LedgerKeys.generate()
    app, other = LedgerApplication(url, keys=keys), LedgerApplication(url, keys=keys)
    t = Traveler.register(uuid.uuid4(), "KAZ", "passport", "A1", BY, NOW)
    app.save(t)
    first = app.repository.get(t.id)  # reconstructed: the cache keeps a copy of its own
    first.record_crossing("mine", "entry", POSTS.get("KZ-ALA"), NOW, BY, NOW)
    assert "mine" not in app.repository.get(t.id).crossings
    # Written elsewhere: the next get fast-forwards the cached traveler and copies it.
    elsewhere = other.repository.get(t.id)
    elsewhere.record_crossing("theirs", "entry", POSTS.get("KZ-ALA"), NOW, BY, NOW)
    other.save(elsewhere)
    second = app.repository.get(t.id)
    assert set(second.crossings) == {"theirs"}
    second.record_crossing("again", "exit", POSTS.get("KZ-ALA"), NOW, BY, NOW)
    assert set(app.repository.get(t.id).crossings) == {"theirs"}
    app.close()
    other.close()
