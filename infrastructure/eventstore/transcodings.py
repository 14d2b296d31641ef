"""Value types the library's JSON transcoder does not know out of the box, and a faster one."""

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


class LedgerTranscoder(JSONTranscoder):
    """The library's JSON transcoder; an event state of plain values is written by orjson,
    byte for byte what the json module writes, faster (bench: ledger_batch)."""

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
