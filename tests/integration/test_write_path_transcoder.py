"""Stored event states: LedgerTranscoder writes the library's bytes, and both read them back."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, UUIDAsHex
from hypothesis import given, settings
from hypothesis import strategies as st

from infrastructure.eventstore.transcodings import DateAsISO, LedgerTranscoder
from infrastructure.ledger import LedgerApplication


def _library() -> JSONTranscoder:
    """The library's transcoder with the application's transcodings."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return transcoder


LIBRARY = _library()
OURS = LedgerApplication(f"sqlite:///{tempfile.mkdtemp()}/ledger.db").mapper.transcoder

offsets = st.builds(
    lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-14 * 60, 14 * 60)
)
text = st.text()
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(),
    st.floats(allow_nan=False),
    text,
    st.datetimes(timezones=st.one_of(st.just(UTC), offsets)),
    st.dates(),
    st.uuids(),
    st.decimals(allow_nan=False, allow_infinity=False),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3)),
    max_leaves=8,
)


def test_the_application_uses_it():
    assert isinstance(OURS, LedgerTranscoder)


@settings(max_examples=500, deadline=None)
@given(state=st.dictionaries(text, st.one_of(scalars, values), max_size=12))
def test_bytes_are_the_librarys_and_read_back_both_ways(state):
    encoded = OURS.encode(state)
    assert encoded == LIBRARY.encode(state)
    assert OURS.decode(encoded) == LIBRARY.decode(encoded) == state


@pytest.mark.parametrize(
    "state",
    [
        {"big": -(2**63) - 1},
        {"big": [2**64, {"deeper": -(2**70)}]},
        {"float": 1.5, "at": datetime(2024, 2, 29, 23, 59, tzinfo=UTC)},
        {"in_list": [date(2024, 1, 1), [UUID(int=7)], {"d": date(2025, 1, 1)}]},
        {"_type_": "x", "_data_": "y", "third": 1, "two": {"_type_": "x"}},
    ],
)
def test_values_orjson_reads_otherwise_come_back_as_the_library_reads_them(state):
    encoded = OURS.encode(state)
    assert OURS.decode(encoded) == LIBRARY.decode(encoded) == state
