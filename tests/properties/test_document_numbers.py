"""One canonical form per document number: properties of the one function that makes it."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.documents import canonical_document_number
from domain.errors import ValidationError
from infrastructure.documents import document_digest

TYPED = string.ascii_letters + string.digits + " -"
KEY = b"k" * 32


@given(st.text(min_size=1, max_size=30))
def test_anything_outside_latin_digits_spaces_and_hyphens_is_refused(text):
    if all(c in TYPED for c in text):
        return
    with pytest.raises(ValidationError) as info:
        canonical_document_number(text)
    assert "document_number" in info.value.errors


@given(st.text(alphabet=TYPED, min_size=1, max_size=40))
def test_accepted_numbers_are_latin_capitals_and_digits_and_stay_as_they_are(text):
    try:
        number = canonical_document_number(text)
    except ValidationError:
        assert not 1 <= len(text.replace(" ", "").replace("-", "")) <= 20
        return
    assert 1 <= len(number) <= 20
    assert all(c in string.ascii_uppercase + string.digits for c in number)
    assert canonical_document_number(number) == number
    assert number == text.upper().replace(" ", "").replace("-", "")


@given(st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=20))
def test_spellings_with_spaces_hyphens_and_lower_case_are_one_document(number):
    spelt = "-".join(number.lower()) + " "
    assert canonical_document_number(spelt) == number
    assert document_digest(KEY, "RUS", spelt) == document_digest(KEY, "RUS", number)


@pytest.mark.parametrize(
    "typed",
    [
        "754754116\u200b",  # zero-width space
        "\uff17\uff15\uff14\uff17\uff15\uff14\uff11\uff11\uff16",  # full-width digits
        "754\u2060754116",  # word joiner
        "-",
        "//..",
        "...-",
        "C1\u00df234",  # "ß".upper() is "SS": it must not become C1SS234
        "7547541160000000000000",  # 22 characters
        "АВ123",  # Cyrillic letters that look Latin
        "754754116\n",
    ],
)
def test_the_reported_spellings_are_refused(typed):
    with pytest.raises(ValidationError):
        canonical_document_number(typed)
