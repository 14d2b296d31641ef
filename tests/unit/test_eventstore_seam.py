"""The seam to the eventsourcing library's private parts fails loudly when an upgrade moves them.

``infrastructure/eventstore/`` copies or overrides these members as they are in the pinned
version. A new version must be read against each one: on a mismatch, compare the library's new
source with the copy in ``infrastructure/eventstore/``, adapt it, then update the digest here.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect

import pytest
from eventsourcing import application, persistence, postgres, sqlite

CHECKED_AGAINST = "9.5.6"

# What each member's source hashed to in CHECKED_AGAINST (SHA-256 of inspect.getsource, 16 hex).
COPIED_OR_OVERRIDDEN = {
    # repository.py: PicklingRepository.get rewrites get; project copies project_aggregate.
    "application.Repository.get": (application.Repository.get, "0ffc6e82b6afa0a0"),
    "application.Repository.__init__": (application.Repository.__init__, "fecbc95459c1dc5e"),
    "application.Repository._reconstruct_aggregate": (
        application.Repository._reconstruct_aggregate,
        "56d7c30cb77083be",
    ),
    "application.Repository._use_fastforward_lock": (
        application.Repository._use_fastforward_lock,
        "1c5705ff55c379ad",
    ),
    "application.Repository._disuse_fastforward_lock": (
        application.Repository._disuse_fastforward_lock,
        "4b4da9f10252b1ef",
    ),
    "application.project_aggregate": (application.project_aggregate, "e2d05062a4fad31f"),
    # saving.py: save copies Application.save, record replaces _record and EventStore.put;
    # LedgerProcessingEvent overrides collect_events.
    "application.ProcessingEvent.__init__": (
        application.ProcessingEvent.__init__,
        "a0682ee01c41601c",
    ),
    "application.ProcessingEvent.collect_events": (
        application.ProcessingEvent.collect_events,
        "7e3a7e6b1abd2bef",
    ),
    "application.Application.save": (application.Application.save, "4e9747d14b8fd046"),
    "application.Application._record": (application.Application._record, "104c6186b29d5059"),
    "application.Application._take_snapshots": (
        application.Application._take_snapshots,
        "ae98c5b97ed9a8e3",
    ),
    "application.Application._notify": (application.Application._notify, "6b32f9fc4b4cf455"),
    "persistence.EventStore.put": (persistence.EventStore.put, "7cbbe45730a0d3b9"),
    # recorder.py: LedgerRecorder replaces the insert and select paths.
    "postgres.PostgresAggregateRecorder.__init__": (
        postgres.PostgresAggregateRecorder.__init__,
        "78adbde8e22843ca",
    ),
    "postgres.PostgresApplicationRecorder.__init__": (
        postgres.PostgresApplicationRecorder.__init__,
        "db36fb3de49a5292",
    ),
    "postgres.PostgresAggregateRecorder.select_events": (
        postgres.PostgresAggregateRecorder.select_events,
        "429a54082f1c6766",
    ),
    "postgres.PostgresAggregateRecorder.insert_events": (
        postgres.PostgresAggregateRecorder.insert_events,
        "fa7b8ee510243733",
    ),
    "postgres.PostgresApplicationRecorder._insert_events": (
        postgres.PostgresApplicationRecorder._insert_events,
        "319d1ce6f3f9c865",
    ),
    "postgres.PostgresApplicationRecorder._fetch_ids_after_insert_events": (
        postgres.PostgresApplicationRecorder._fetch_ids_after_insert_events,
        "9c8efbc1baf72b52",
    ),
    "postgres.PostgresApplicationRecorder.select_notifications.__wrapped__": (
        postgres.PostgresApplicationRecorder.select_notifications.__wrapped__,
        "4469ac7a30c9650e",
    ),
    "postgres.PostgresApplicationRecorder.max_notification_id.__wrapped__": (
        postgres.PostgresApplicationRecorder.max_notification_id.__wrapped__,
        "b5b67785110c04e7",
    ),
    # recorder.py: LedgerSQLiteRecorder wraps _insert_events to write data keys alongside.
    "sqlite.SQLiteApplicationRecorder._insert_events": (
        sqlite.SQLiteApplicationRecorder._insert_events,
        "413cdf219c7bae63",
    ),
    # transcodings.py: LedgerTranscoder.decode parses with orjson, then applies the hook.
    "persistence.JSONTranscoder.decode": (persistence.JSONTranscoder.decode, "d500105a1637cd89"),
}

# Private members called (not copied): their signatures as the seam calls them.
CALLED = {
    "_reconstruct_aggregate": (
        application.Repository._reconstruct_aggregate,
        "(self, aggregate_id, version, projector_func)",
    ),
    "_use_fastforward_lock": (application.Repository._use_fastforward_lock, "(self, aggregate_id)"),
    "_disuse_fastforward_lock": (
        application.Repository._disuse_fastforward_lock,
        "(self, aggregate_id)",
    ),
    "_take_snapshots": (application.Application._take_snapshots, "(self, processing_event)"),
    "_notify": (application.Application._notify, "(self, recordings)"),
    "_encode_obj": (persistence.JSONTranscoder._encode_obj, "(self, o)"),
    "_decode_obj": (persistence.JSONTranscoder._decode_obj, "(self, d)"),
    "_insert_events": (
        sqlite.SQLiteApplicationRecorder._insert_events,
        "(self, c, stored_events, _)",
    ),
    "_fetch_ids_after_insert_events": (
        postgres.PostgresApplicationRecorder._fetch_ids_after_insert_events,
        "(self, curs, stored_events, _)",
    ),
}

# Attributes the recorder reads, set by the library's recorder constructors.
RECORDER_ATTRIBUTES = ("lock_table_statements", "select_events_statement", "channel_name")


def _digest(member) -> str:
    return hashlib.sha256(inspect.getsource(member).encode()).hexdigest()[:16]


def _plain_signature(member) -> str:
    parameters = inspect.signature(member).parameters.values()
    return (
        "("
        + ", ".join(p.replace(annotation=inspect.Parameter.empty).name for p in parameters)
        + ")"
    )


def test_the_installed_library_is_the_version_the_seam_was_checked_against():
    installed = importlib.metadata.version("eventsourcing")
    assert installed == CHECKED_AGAINST, (
        f"eventsourcing {installed} is installed; infrastructure/eventstore/ was checked against"
        f" {CHECKED_AGAINST}: re-read every member listed in tests/test_eventstore_seam.py"
    )


@pytest.mark.parametrize("name", sorted(COPIED_OR_OVERRIDDEN))
def test_each_copied_or_overridden_member_is_unchanged(name):
    member, expected = COPIED_OR_OVERRIDDEN[name]
    assert _digest(member) == expected, (
        f"eventsourcing's {name} changed: compare it with its copy in infrastructure/eventstore/"
    )


@pytest.mark.parametrize("name", sorted(CALLED))
def test_each_called_private_member_keeps_its_signature(name):
    member, expected = CALLED[name]
    assert _plain_signature(member) == expected, f"eventsourcing's {name} changed its signature"


@pytest.mark.parametrize("attribute", RECORDER_ATTRIBUTES)
def test_the_recorder_attributes_read_are_still_set_by_the_library(attribute):
    sources = inspect.getsource(postgres.PostgresAggregateRecorder.__init__) + inspect.getsource(
        postgres.PostgresApplicationRecorder.__init__
    )
    assert f"self.{attribute} " in sources or f"self.{attribute}:" in sources
