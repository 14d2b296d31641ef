"""Where the worked examples live: the project's copy, kept equal to shared/ by a test."""

from __future__ import annotations

import json
from pathlib import Path

COPY = Path(__file__).resolve().parent / "data" / "examples.json"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "scenarios" / "examples.json"


def load_examples() -> dict:
    return json.loads(COPY.read_text())
