"""Travel document numbers in one canonical form, so that one passport is one traveler."""

from __future__ import annotations

import re

from domain.errors import ValidationError

MAX_DOCUMENT_LENGTH = 20
_TYPED = re.compile(r"[A-Za-z0-9 -]+")


def canonical_document_number(typed: str) -> str:
    """Latin capitals and digits, 1-20 of them, from a number typed with spaces or hyphens.

    The characters are checked before upper-casing: ``"ß".upper()`` is ``"SS"``, which would
    merge two passports, and full-width or zero-width characters would split one.
    """
    if not isinstance(typed, str) or not _TYPED.fullmatch(typed):
        raise ValidationError(
            {"document_number": ["only Latin letters A-Z, digits 0-9, spaces and hyphens"]}
        )
    number = typed.replace(" ", "").replace("-", "").upper()
    if not 1 <= len(number) <= MAX_DOCUMENT_LENGTH:
        raise ValidationError(
            {"document_number": [f"1 to {MAX_DOCUMENT_LENGTH} letters and digits are required"]}
        )
    return number
