"""The hash contract: event_hash's canonical JSON is byte for byte what it always was."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.chain import event_hash

NAMES = (
    "topic",
    "originator_id",
    "version",
    "recorded_at",
    "actor",
    "office",
    "data",
    "previous_hash",
)


def hashed(args: tuple) -> str:
    return event_hash(**dict(zip(NAMES, args, strict=True)))


def _plain_reference(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain_reference(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_reference(v) for v in value]
    return value


def reference_hash(topic, originator_id, version, recorded_at, actor, office, data, previous):
    """The definition the stored chains were written with (json module, walked by hand)."""
    body = {
        "topic": topic,
        "originator_id": str(originator_id),
        "version": version,
        "recorded_at": recorded_at.isoformat(),
        "actor": actor,
        "office": office,
        "data": _plain_reference(data),
        "previous_hash": previous,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


offsets = st.builds(
    lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-14 * 60, 14 * 60)
)
instants = st.datetimes(timezones=st.one_of(st.just(UTC), offsets))
text = st.text()  # any code point: non-ASCII, quotes, backslashes, controls, surrogates aside
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    text,
    instants,
    st.datetimes(),
    st.dates(),
    st.uuids(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(text, inner, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(
    topic=text,
    originator_id=st.uuids(),
    version=st.integers(1, 2**40),
    recorded_at=instants,
    actor=text,
    office=st.none() | text,
    data=st.dictionaries(text, values, max_size=8),
    previous=text,
)
def test_hash_is_byte_identical_to_the_reference(
    topic, originator_id, version, recorded_at, actor, office, data, previous
):
    args = (topic, originator_id, version, recorded_at, actor, office, data, previous)
    assert hashed(args) == reference_hash(*args)


def test_a_known_event_keeps_its_known_hash():
    args = (
        "borderledger:Traveler.CrossingRecorded",
        UUID("12345678-1234-5678-1234-567812345678"),
        7,
        datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=5, minutes=45))),
        "Ölçü officer",
        "KZ-ALA",
        {
            "crossing_id": "c-ü\"'\\",
            "occurred_at": datetime(2026, 3, 1, 4, 0, 0, 1, tzinfo=UTC),
            "local_date": date(2026, 3, 1),
            "traveler_id": UUID("87654321-4321-8765-4321-876543218765"),
            "tags": ("a", ["b", {"z": 1, "a": 2.5}]),
            "none": None,
        },
        "ab" * 32,
    )
    assert hashed(args) == reference_hash(*args)
