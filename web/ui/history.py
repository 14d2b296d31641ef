"""The event history under a timeline, a page at a time, corrections linked to what they change."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from marshmallow import ValidationError as SchemaError

from infrastructure.service import LedgerService
from infrastructure.usecases.audit import HISTORY_MAX_PAGE

PAGE = 200
# The fields of an event shown as its "what"; the rest (hashes, ids) stay in the API's answer.
SHOWN = (
    "direction",
    "border_post",
    "occurred_at",
    "local_date",
    "kind",
    "jurisdiction",
    "valid_from",
    "valid_until",
    "ended_on",
    "contract_number",
    "employer_id",
    "on",
    "result",
    "nationality",
    "document_type",
    "document_number",
    "surname",
    "given_names",
    "birth_date",
)


@dataclass(frozen=True)
class Row:
    version: int
    type: str
    recorded_at: str
    actor: str
    office: str | None
    reason: str | None
    details: list[tuple[str, str]]
    changes: int | None  # the version of the event this one corrects, voids or ends
    hash_valid: bool


@dataclass(frozen=True)
class HistoryPage:
    rows: list[Row]
    chain_valid: bool
    problems: int
    name: str | None
    next_after: int | None
    total: int
    erased: bool = False


def _after(text: str | None) -> int | None:
    if text in (None, ""):
        return None
    if not text.isdigit() or len(text) > 9:
        raise SchemaError({"after_version": ["must be a whole number"]})
    return int(text)


def history_page(service: LedgerService, traveler_id: UUID, after: str | None) -> HistoryPage:
    """One page of rows after version ``after``; the chain's state is the whole history's."""
    found = service.history(traveler_id, limit=HISTORY_MAX_PAGE)
    events = list(found["events"])
    while found["next_after_version"] is not None:  # corrections link to earlier pages' events
        found = service.history(
            traveler_id, limit=HISTORY_MAX_PAGE, after_version=found["next_after_version"]
        )
        events += found["events"]
    start = _after(after)
    origin: dict[str, int] = {}  # crossing or exemption id -> the version that created it
    name = None
    erased = False
    rows = []
    for e in events:
        data = e["data"]
        key = data.get("crossing_id") or data.get("exemption_id")
        erased = erased or e["type"] == "Erased"
        if e["type"] == "Registered":
            name = " ".join(v for v in (data.get("given_names"), data.get("surname")) if v) or None
        changes = origin.get(key) if key and e["type"] not in _CREATES else None
        if key and e["type"] in _CREATES:
            origin.setdefault(key, e["version"])
        if start is not None and e["version"] <= start:
            continue
        if len(rows) == PAGE:
            break
        rows.append(
            Row(
                e["version"],
                e["type"],
                e["recorded_at"],
                e["recorded_by"]["actor"],
                e["recorded_by"]["office"],
                data.get("reason") or data.get("end_reason"),
                [(k, str(data[k])) for k in SHOWN if data.get(k) not in (None, "")],
                changes,
                e.get("hash_valid", True),
            )
        )
    more = rows and rows[-1].version < events[-1]["version"]
    return HistoryPage(
        rows,
        found["chain_valid"],
        len(found["chain_problems"]),
        name,
        rows[-1].version if more else None,
        len(events),
        erased,
    )


_CREATES = ("CrossingRecorded", "ExemptionGranted")
