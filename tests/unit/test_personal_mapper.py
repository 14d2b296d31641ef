"""The personal-data mapper: fields encrypted per traveler, opened with its key, None without."""

from __future__ import annotations

import base64
import json
import os
import uuid
from datetime import UTC, date, datetime

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, UUIDAsHex

from domain.errors import LedgerIntegrityError
from domain.traveler import RecordedBy, Traveler
from infrastructure.eventstore.mapper import LedgerMapper
from infrastructure.eventstore.personal import DataKeys
from infrastructure.eventstore.transcodings import DateAsISO, LedgerTranscoder
from infrastructure.keys import LedgerKeys

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
PERSONAL = ("Petrova", "Olga Ivanovna", "1979-11-30", "751234567", "NQ7654321")


class KeyTable:
    """The wrapped-key table as the recorder answers it (the real ones: integration tests)."""

    def __init__(self):
        self.rows: dict[uuid.UUID, bytes] = {}

    def select_data_key(self, traveler_id):
        return self.rows.get(traveler_id)


def mapper(table: KeyTable, keys: LedgerKeys | None = None) -> LedgerMapper:
    keys = keys or LedgerKeys.generate()
    transcoder = LedgerTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return LedgerMapper(
        transcoder=transcoder,
        seal_key=keys.seal_key,
        data_keys=DataKeys(keys.data_key, lambda: table, maxsize=4),
    )


def stored_traveler(m: LedgerMapper, table: KeyTable):
    t = Traveler.register(
        uuid.uuid4(),
        "RUS",
        "passport",
        "751234567",
        RecordedBy("reg", "KZ-ALA"),
        NOW,
        surname="Petrova",
        given_names="Olga Ivanovna",
        birth_date=date(1979, 11, 30),
    )
    t.link_document("KAZ", "passport", "NQ7654321", RecordedBy("reg", "KZ-ALA"), NOW)
    stored, previous = [], ""
    for event in t.collect_events():
        s, previous = m.sealed(m.to_stored_event(event), previous)
        stored.append(s)
    table.rows.update(m.data_keys.take_unsaved([t.id]))  # what the save path inserts
    return t, stored


def test_round_trip_and_no_personal_value_in_the_stored_bytes():
    table = KeyTable()
    m = mapper(table)
    t, stored = stored_traveler(m, table)
    raw = b"".join(s.state for s in stored)
    for value in PERSONAL:
        assert value.encode() not in raw
    assert str(t.id).encode() not in b"".join(table.rows.values())
    m.data_keys.forget([t.id])  # read back through the wrapped key, not the cache
    registered, linked = (m.to_personal_event(s) for s in stored)
    assert (registered.surname, registered.given_names) == ("Petrova", "Olga Ivanovna")
    assert registered.birth_date == date(1979, 11, 30)
    assert (registered.document_number, linked.document_number) == ("751234567", "NQ7654321")
    assert registered.nationality == "RUS" and registered.document_type == "passport"


@pytest.mark.parametrize("read", ["to_pseudonymous_event", "to_domain_event"])
def test_projections_and_the_repository_read_no_key(read):
    table = KeyTable()
    m = mapper(table)
    t, stored = stored_traveler(m, table)
    m.data_keys.forget([t.id])
    table.rows = _Refusing()
    event = getattr(m, read)(stored[0])
    assert event.surname is None and event.document_number is None
    assert event.document_key_id is None and event.nationality == "RUS"


class _Refusing(dict):
    """A key table that fails the test when read."""

    def get(self, *args):
        raise AssertionError("a data key was read")


def test_destroyed_key_decodes_personal_fields_as_none():
    table = KeyTable()
    m = mapper(table)
    t, stored = stored_traveler(m, table)
    table.rows.clear()
    m.data_keys.forget([t.id])
    registered, linked = (m.to_personal_event(s) for s in stored)
    assert registered.surname is registered.given_names is registered.birth_date is None
    assert registered.document_number is linked.document_number is None


def test_another_master_key_reads_nothing_personal():
    table, keys = KeyTable(), LedgerKeys.generate()
    t, stored = stored_traveler(mapper(table, keys), table)
    other = mapper(table, LedgerKeys(os.urandom(32), keys.signing_key))  # same seal key
    registered = other.to_personal_event(stored[0])
    assert registered.surname is None and registered.document_number is None
    assert registered.nationality == "RUS"


def _edited(state: bytes, field: str) -> bytes:
    """``state`` with one byte of ``field``'s ciphertext flipped, the rest as stored."""
    doc = json.loads(state)
    raw = bytearray(base64.urlsafe_b64decode(doc[field][len("enc1:") :]))
    raw[-1] ^= 1
    new = "enc1:" + base64.urlsafe_b64encode(bytes(raw)).decode()
    return state.replace(doc[field].encode(), new.encode())


def test_tampered_ciphertext_is_an_integrity_problem_not_a_crash():
    table = KeyTable()
    m = mapper(table)
    t, stored = stored_traveler(m, table)
    s = stored[0]
    tampered = type(s)(s.originator_id, s.originator_version, s.topic, _edited(s.state, "surname"))
    with pytest.raises(LedgerIntegrityError) as caught:
        m.to_personal_event(tampered)
    assert caught.value.version == 1 and caught.value.kind == "edited"
    # Resealed by someone holding the seal key but not the data key: the field still fails.
    body = m.sealed(type(s)(s.originator_id, 1, s.topic, _strip_seal(tampered.state)), "")[0]
    with pytest.raises(LedgerIntegrityError):
        m.to_personal_event(body)
    assert m.to_domain_event(body).surname is None  # the seal holds; no key is read
    assert m.decode_damaged(tampered, personal=True) is None


def _strip_seal(state: bytes) -> bytes:
    doc = json.loads(state)
    doc.pop("seal")
    doc.pop("previous_hash")
    return json.dumps(doc, separators=(",", ":")).encode()


def test_a_field_moved_to_another_traveler_or_version_does_not_open():
    table = KeyTable()
    m = mapper(table)
    t, stored = stored_traveler(m, table)
    doc = json.loads(stored[0].state)
    key = m.data_keys.key_of(t.id)
    from infrastructure.eventstore.personal import decrypt_field

    assert decrypt_field(key, t.id, 1, "surname", doc["surname"]) == "Petrova"
    for tid, version, name in (
        (uuid.uuid4(), 1, "surname"),
        (t.id, 2, "surname"),
        (t.id, 1, "given_names"),
    ):
        with pytest.raises(ValueError):
            decrypt_field(key, tid, version, name, doc["surname"])


def test_the_key_cache_is_bounded_and_erasure_evicts():
    table = KeyTable()
    m = mapper(table)
    ids = []
    for _ in range(6):
        t, _ = stored_traveler(m, table)
        ids.append(t.id)
    cache = m.data_keys._cache
    assert len(cache) <= 4
    m.data_keys.key_of(ids[-1])
    del table.rows[ids[-1]]
    m.data_keys.forget([ids[-1]])
    assert m.data_keys.key_of(ids[-1]) is None
