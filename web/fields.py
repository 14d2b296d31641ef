"""Marshmallow fields for the API's value types, strict enough that no input reaches a 500."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from marshmallow import Schema, ValidationError, fields, utils, validate

from domain import errors as domain_errors
from domain.documents import canonical_document_number
from domain.posts import JURISDICTIONS
from domain.records import DIRECTIONS, EXEMPTION_KINDS, FIRST_DAY, LAST_DAY

# Control, format (zero-width, bidirectional overrides), surrogate and line/paragraph separators.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _printable(value: str) -> None:
    """Hidden characters make two equal-looking values differ, or reorder what a reader sees."""
    if any(unicodedata.category(c) in _HIDDEN for c in value):
        raise ValidationError("must not contain control, zero-width or bidirectional characters")


_YEARS = f"years {FIRST_DAY.year} to {LAST_DAY.year}"


def _in_years(value: date | datetime) -> None:
    """Keeps date arithmetic (windows, time zones) far from the calendar's ends."""
    if not FIRST_DAY.year <= value.year <= LAST_DAY.year:
        raise ValidationError(f"must fall between {FIRST_DAY} and {LAST_DAY}")


def _with(kwargs: dict, **metadata) -> dict:
    """``kwargs`` with default metadata under the caller's own; descriptions are joined."""
    given = kwargs.get("metadata", {})
    merged = {**metadata, **given}
    if "description" in metadata and "description" in given:
        merged["description"] = f"{given['description']}; {metadata['description']}"
    return {**kwargs, "metadata": merged}


class _NfcString(fields.String):
    """Text in one Unicode form, so that equal-looking names and numbers compare equal."""

    def _deserialize(self, value, attr, data, **kwargs):
        return unicodedata.normalize("NFC", super()._deserialize(value, attr, data, **kwargs))


def Text(max_length: int = 200, **kwargs) -> fields.String:
    """Free text, NFC: at least one visible character, no hidden characters."""
    return _NfcString(
        validate=[validate.Length(min=1, max=max_length), _printable, _not_blank], **kwargs
    )


class _DocumentNumber(fields.String):
    """Loads to the canonical number, the only form the ledger stores and compares."""

    def _deserialize(self, value, attr, data, **kwargs):
        typed = super()._deserialize(value, attr, data, **kwargs)
        try:
            return canonical_document_number(typed)
        except domain_errors.ValidationError as e:
            raise ValidationError(e.errors["document_number"]) from None


def DocumentNumber(**kwargs) -> fields.String:
    """A travel document number: Latin letters, digits, spaces and hyphens as typed."""
    return _DocumentNumber(
        **_with(
            kwargs,
            example="751234567",
            pattern="^[A-Za-z0-9 -]+$",
            description="stored as Latin capitals and digits, 1-20, without spaces or hyphens",
        ),
    )


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("must not be blank")


class _Whole(validate.Regexp):
    """A pattern the whole value matches: Python's ``$`` also matches before a final newline,
    so "RUS\\n" would pass and be stored as another nationality. Documented as written."""

    def __call__(self, value: str) -> str:
        if isinstance(value, str) and value.endswith("\n"):
            raise ValidationError(self.error.format(input=value, regex=self.regex.pattern))
        return super().__call__(value)


def Country(**kwargs) -> fields.String:
    """An ISO 3166-1 alpha-3 code."""
    return fields.String(
        validate=_Whole(r"^[A-Z]{3}$", error="an ISO 3166-1 alpha-3 code is required"),
        **_with(kwargs, example="RUS"),
    )


def Identifier(**kwargs) -> fields.String:
    """A client-chosen id (a UUID in practice): letters, digits and ``.-_:``."""
    return fields.String(
        validate=_Whole(
            r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$", error="letters, digits and . _ : - only"
        ),
        **_with(kwargs, example="0b6f8a52-9e1c-4d39-9d0a-3f1de3a4c8e1"),
    )


def Jurisdiction(**kwargs) -> fields.String:
    return fields.String(validate=validate.OneOf(JURISDICTIONS), **kwargs)


def Direction(**kwargs) -> fields.String:
    return fields.String(validate=validate.OneOf(DIRECTIONS), **kwargs)


def ExemptionKind(**kwargs) -> fields.String:
    return fields.String(validate=validate.OneOf(EXEMPTION_KINDS), **kwargs)


def PostCode(**kwargs) -> fields.String:
    return fields.String(
        validate=[validate.Length(min=1, max=32), _printable], **_with(kwargs, example="KZ-ALA")
    )


def Day(**kwargs) -> fields.Date:
    """An ISO date within the years the engine answers for."""
    return fields.Date(validate=_in_years, **_with(kwargs, description=_YEARS))


def Instant(**kwargs) -> fields.AwareDateTime:
    """An RFC 3339 instant with an offset; a naive one is refused."""
    return fields.AwareDateTime(
        format="iso",
        validate=_in_years,
        **_with(kwargs, example="2023-02-01T06:00:00Z", description=f"with an offset; {_YEARS}"),
    )


def IsoDate(**kwargs) -> fields.String:
    """A date the service already wrote as ISO text (output only)."""
    return fields.String(**_with(kwargs, format="date"))


def IsoInstant(**kwargs) -> fields.String:
    """An instant the service already wrote as ISO text (output only)."""
    return fields.String(**_with(kwargs, format="date-time"))


class EachItem(fields.List):
    """A list loaded item by item: a bad item keeps its errors instead of failing the list.

    Loads to ``[(item, errors), …]`` where ``item`` is the loaded dict, or the raw value when
    ``errors`` is not empty. Documented as a list of ``schema``: what a valid item is.
    """

    def __init__(self, schema: type[Schema], max_items: int, **kwargs):
        self.max_items = max_items
        self.item = schema()
        super().__init__(fields.Nested(schema), **_with(kwargs, maxItems=max_items))

    def _deserialize(self, value, attr, data, **kwargs):
        if not utils.is_collection(value):
            raise ValidationError("Not a valid list.")
        if len(value) > self.max_items:
            raise ValidationError(f"Longer than maximum length {self.max_items}.")
        out = []
        for raw in value:
            try:
                out.append((self.item.load(raw), {}))
            except ValidationError as e:
                messages = e.messages if isinstance(e.messages, dict) else {"_": e.messages}
                out.append((raw, messages))
        return out


class Tagged(fields.Field):
    """An answer object whose schema its ``tag`` field names (output only).

    Documented as a ``oneOf`` of those schemas with ``tag`` as discriminator, so a client
    generator types each kind; a value of a kind without a schema is a programming error.
    """

    def __init__(self, tag: str, schemas: dict[str, type[Schema]], **kwargs):
        super().__init__(**kwargs)
        self.tag = tag
        self.schemas = {value: schema() for value, schema in schemas.items()}

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return self.schemas[value[self.tag]].dump(value)
