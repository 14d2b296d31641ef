"""Keyed hashes of travel documents: lookups without the number in plain text in any index."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid

_NAMESPACE = uuid.UUID("6f1d8a52-3c0e-4f57-9d8e-2b9a51c0b7e4")
_SEPARATORS = re.compile(r"[\s\-/.]")


def normalise_number(document_number: str) -> str:
    """The indexed form: the canonical number itself, and for numbers stored before numbers
    were kept canonical, the same key they were indexed under."""
    return _SEPARATORS.sub("", document_number).upper()


def document_digest(key: bytes, nationality: str, document_number: str) -> str:
    """HMAC-SHA256 of nationality and number: not reversible without the key."""
    message = f"{nationality.upper()}|{normalise_number(document_number)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def document_key_id(key: bytes, nationality: str, document_number: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, document_digest(key, nationality, document_number))
