"""Value types the library's JSON transcoder does not know out of the box, and a faster one
(checked against eventsourcing 9.5.6: it calls the private ``_encode_obj`` and ``_decode_obj``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, Transcoding


class DateAsISO(Transcoding):
    """Calendar days travel as ISO strings (the library refuses ``date`` otherwise)."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


# Values orjson writes exactly as the library's json encoder does, instants and days passed to
# the library's own hook. UUIDs are not among them: orjson would write them as plain strings,
# and they would come back as strings instead of through the library's "uuid_hex" transcoding.
_SAME_IN_ORJSON = frozenset({str, int, bool, type(None), datetime, date})
_FAST = orjson.OPT_PASSTHROUGH_DATETIME
_NESTED = (dict, list)


class LedgerTranscoder(JSONTranscoder):
    """The library's JSON transcoder, with orjson doing the parsing and, for event states of
    plain values, the writing: byte for byte what the json module writes, and the same values
    read back, faster (bench: ledger_batch, ledger_record)."""

    def encode(self, obj: Any) -> bytes:
        if type(obj) is dict and all(
            type(k) is str
            and type(v) in _SAME_IN_ORJSON
            and (type(v) is not int or -(2**63) <= v < 2**63)
            for k, v in obj.items()
        ):
            try:
                return orjson.dumps(obj, default=self._encode_obj, option=_FAST)
            except orjson.JSONEncodeError:
                pass  # text that is not UTF-8: fail as the library does
        return super().encode(obj)

    def decode(self, data: bytes) -> Any:
        try:
            obj = orjson.loads(data)
            if type(obj) in _NESTED:
                return self._revived(obj)
            if type(obj) is not float:
                return obj
        except (orjson.JSONDecodeError, _Inexact):
            pass
        # What orjson refuses or reads otherwise (integers beyond 64 bits it reads as floats),
        # read as the library reads it. Event states here hold no floats: this path is rare.
        return super().decode(data)

    def _revived(self, value: Any) -> Any:
        """``value`` with every ``{"_type_", "_data_"}`` object decoded by its transcoding,
        innermost first: what the library's ``object_hook`` does inside the json module."""
        if type(value) is list:
            return [self._revived(v) if type(v) in _NESTED else _exact(v) for v in value]
        names = self.names
        for k, v in value.items():  # replaces values, never keys: safe while iterating
            kind = type(v)
            if kind is dict:
                # The usual case first: a transcoded value of text, one level deep.
                name, data = v.get("_type_"), v.get("_data_")
                if len(v) == 2 and type(data) is str and type(name) is str and name in names:
                    value[k] = names[name].decode(data)
                else:
                    value[k] = self._revived(v)
            elif kind is list:
                value[k] = self._revived(v)
            elif kind is float:
                raise _Inexact
        return self._decode_obj(value) if len(value) == 2 else value


class _Inexact(Exception):
    """A float in what orjson read: it may have been an integer beyond 64 bits."""


def _exact(value: Any) -> Any:
    if type(value) is float:
        raise _Inexact
    return value
