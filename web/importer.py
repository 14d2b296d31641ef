"""Reading crossings from CSV or JSON-lines files into batch items, line by line."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from marshmallow import ValidationError

from infrastructure.usecases.commands import BatchItem
from web.schemas.crossings import BatchItemIn, batch_item

FIELDS = (
    "nationality",
    "document_number",
    "crossing_id",
    "direction",
    "border_post",
    "occurred_at",
)
_ITEM = BatchItemIn()


def count_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as f:
        rows = sum(1 for line in f if line.strip())
    return rows - 1 if path.suffix.lower() == ".csv" else rows


def read_rows(path: Path) -> Iterator[tuple[int, BatchItem]]:
    """(line number, item) for each row; a row that does not parse carries its errors."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".ndjson"):
        raise ValueError("the file must end in .csv or .jsonl")
    with path.open(encoding="utf-8", newline="") as f:
        if suffix == ".csv":
            reader = csv.DictReader(f)
            for row in reader:
                values = {k: v for k, v in row.items() if k in FIELDS or k == "document_type"}
                yield reader.line_num, _item(values)
            return
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                values = json.loads(line)
            except (ValueError, RecursionError):
                yield number, _item(None, {"_": ["not valid JSON"]})
                continue
            yield number, _item(values)


def _item(values, errors: dict | None = None) -> BatchItem:
    if errors:
        return batch_item({}, errors)
    try:
        return batch_item(_ITEM.load(values), {})
    except ValidationError as e:
        return batch_item(values, e.messages)
