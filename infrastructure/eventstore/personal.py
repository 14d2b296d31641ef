"""Personal fields encrypted per traveler: each traveler's data key, wrapped, and the mapper.

A traveler's data key (AES-256-GCM) is made when its first personal event is stored and kept
in the store wrapped by the master key (AES-GCM, the traveler id as associated data), in the
same transaction as that event. Each personal field is encrypted before the event is chained
and sealed, so chains and seals cover the ciphertext and still verify once the key is gone.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import date
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Mapper, StoredEvent

from domain.chain import EDITED
from domain.errors import ConflictError, LedgerIntegrityError
from infrastructure.settings import ConfigurationError

# Topic -> its personal fields, and how each is written as text before encryption.
PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "borderledger:Traveler.Registered": (
        "document_number",
        "surname",
        "given_names",
        "birth_date",
    ),
    "borderledger:Traveler.DocumentLinked": ("document_number",),
}
_DATES = frozenset({"birth_date"})
_PREFIX = "enc1:"
_NONCE = 12
CACHE_SIZE = 10_000


def _wrap_aad(traveler_id: UUID) -> bytes:
    return b"borderledger data key|" + traveler_id.bytes


def _field_aad(traveler_id: UUID, version: int, name: str) -> bytes:
    return f"{traveler_id}|{version}|{name}".encode()


class DataKeys:
    """Each traveler's data key: made, wrapped, unwrapped, cached (LRU) and forgotten.

    ``store`` gives the recorder (made after the mapper), which reads and deletes wrapped keys;
    new keys wait in ``unsaved`` until the save path inserts them with their events.
    """

    def __init__(self, master_key: bytes, store: Callable[[], object], maxsize: int = CACHE_SIZE):
        self._master = AESGCM(master_key)
        self._store = store
        self._maxsize = maxsize
        self._cache: OrderedDict[UUID, bytes | None] = OrderedDict()
        self._unsaved: dict[UUID, bytes] = {}
        self._lock = threading.Lock()

    def wrap(self, traveler_id: UUID, key: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._master.encrypt(nonce, key, _wrap_aad(traveler_id))

    def unwrap(self, traveler_id: UUID, wrapped: bytes) -> bytes:
        return self._master.decrypt(wrapped[:_NONCE], wrapped[_NONCE:], _wrap_aad(traveler_id))

    def _remember(self, traveler_id: UUID, key: bytes | None) -> None:
        with self._lock:
            self._cache[traveler_id] = key
            self._cache.move_to_end(traveler_id)
            while len(self._cache) > self._maxsize:
                self._cache.popitem(last=False)

    def key_of(self, traveler_id: UUID) -> bytes | None:
        """The traveler's data key; None when it was destroyed (or never made)."""
        with self._lock:
            if traveler_id in self._cache:
                self._cache.move_to_end(traveler_id)
                return self._cache[traveler_id]
        wrapped = self._store().select_data_key(traveler_id)
        key = None
        if wrapped is not None:
            try:
                key = self.unwrap(traveler_id, bytes(wrapped))
            except InvalidTag:
                # Another master key, or a row moved to another traveler: nothing to read with.
                key = None
        # A key never comes back once destroyed, and a new one is stored with the traveler's
        # first event: an absent key may be remembered too.
        self._remember(traveler_id, key)
        return key

    def for_writing(self, traveler_id: UUID, first: bool) -> bytes:
        """The key to encrypt with; a traveler's first event gets a new one, saved with it."""
        if first:
            with self._lock:
                known = self._cache.get(traveler_id)
            if known is not None:
                return known
            key = AESGCM.generate_key(bit_length=256)
            with self._lock:
                self._unsaved[traveler_id] = self.wrap(traveler_id, key)
            self._remember(traveler_id, key)
            return key
        key = self.key_of(traveler_id)
        if key is None:
            raise ConflictError("the traveler's personal data was erased")
        return key

    def take_unsaved(self, traveler_ids: Iterable[UUID]) -> list[tuple[UUID, bytes]]:
        """The wrapped new keys of these travelers, for the save that stores their events."""
        with self._lock:
            return [
                (tid, self._unsaved.pop(tid))
                for tid in dict.fromkeys(traveler_ids)
                if tid in self._unsaved
            ]

    def forget(self, traveler_ids: Iterable[UUID]) -> None:
        """Drop cached keys: after erasure, or when the save that carried new ones failed."""
        with self._lock:
            for tid in traveler_ids:
                self._cache.pop(tid, None)
                self._unsaved.pop(tid, None)

    def destroyed(self, traveler_ids: Iterable[UUID]) -> None:
        """Remember that these travelers' keys are gone (erasure committed)."""
        for tid in traveler_ids:
            self._remember(tid, None)


def encrypt_field(key: bytes, traveler_id: UUID, version: int, name: str, value) -> str:
    text = value.isoformat() if isinstance(value, date) else str(value)
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(key).encrypt(nonce, text.encode(), _field_aad(traveler_id, version, name))
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt_field(key: bytes, traveler_id: UUID, version: int, name: str, value: str):
    """The field's plain value; ``ValueError`` when it is not what was encrypted here."""
    if not isinstance(value, str) or not value.startswith(_PREFIX):
        raise ValueError("not an encrypted field")
    try:
        raw = base64.urlsafe_b64decode(value[len(_PREFIX) :])
        text = AESGCM(key).decrypt(
            raw[:_NONCE], raw[_NONCE:], _field_aad(traveler_id, version, name)
        )
    except (InvalidTag, binascii.Error, ValueError) as e:
        raise ValueError("the field does not decrypt") from e
    plain = text.decode()
    return date.fromisoformat(plain) if name in _DATES else plain


class PersonalMapper(Mapper):
    """Encrypts the personal fields of an event on the way in; on the way out they are None
    unless asked for (``personal=True``), so the library's repository and notification readers,
    and the aggregates they cache, never hold personal data and never read a key.

    With the traveler's key destroyed the fields decode as None; a field that does not decrypt
    under a key that exists is damage, a ``LedgerIntegrityError``.
    """

    def __init__(self, *args, data_keys: DataKeys, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_keys = data_keys

    def to_stored_event(self, domain_event) -> StoredEvent:
        names = PERSONAL_FIELDS.get(getattr(type(domain_event), "TOPIC", ""))
        if not names:
            return super().to_stored_event(domain_event)
        tid, version = domain_event.originator_id, domain_event.originator_version
        key = self.data_keys.for_writing(tid, first=version == 1)
        state = dict(vars(domain_event))
        for name in names:
            if state.get(name) is not None:
                state[name] = encrypt_field(key, tid, version, name, state[name])
        copy = object.__new__(type(domain_event))
        object.__setattr__(copy, "__dict__", state)
        return super().to_stored_event(copy)

    def to_domain_event(self, stored_event: StoredEvent, personal: bool = False):
        """The event, its personal fields decrypted (``personal``) or None without a key read."""
        event = super().to_domain_event(stored_event)
        names = PERSONAL_FIELDS.get(stored_event.topic)
        if names and personal:
            self._open(event, names)
        elif names:
            for name in names:
                if name in event.__dict__:
                    event.__dict__[name] = None
        return event

    def _open(self, event, names: tuple[str, ...]) -> None:
        state = event.__dict__
        present = [n for n in names if state.get(n) is not None]
        if not present:
            return
        tid, version = event.originator_id, event.originator_version
        key = self.data_keys.key_of(tid)
        for name in present:
            if key is None:
                state[name] = None
                continue
            try:
                state[name] = decrypt_field(key, tid, version, name, state[name])
            except ValueError as e:
                raise LedgerIntegrityError(tid, version, EDITED) from e


class UnencryptedLedger(ConfigurationError):
    """The store holds personal fields written in clear, by a version before encryption."""


def refuse_unencrypted(recorder) -> None:
    """Refuse a ledger whose first registration carries its document number in clear."""
    topic = "borderledger:Traveler.Registered"
    first = recorder.select_notifications(start=None, limit=1, topics=[topic])
    if not first:
        return
    try:
        number = json.loads(first[0].state).get("document_number")
    except ValueError:
        return  # damage: audit verify names it
    if isinstance(number, str) and not number.startswith(_PREFIX):
        raise UnencryptedLedger(
            "this ledger was written by an earlier version of borderledger, which stored names,"
            " birth dates and document numbers in clear, and cannot be opened: load a new one"
            " with `borderledger demo` on a new database (or a new SQLite file)"
        )
