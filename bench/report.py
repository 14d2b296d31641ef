"""Ratios, goals and the printed table: each figure relative to a limit from the same run."""

from __future__ import annotations

import json
from pathlib import Path

UNITS = {
    "raw_single_insert": "rows/s",
    "raw_batch_insert": "rows/s",
    "raw_read": "rows/s",
    "naive_record": "crossings/s",
    "naive_projection": "events/s",
    "ledger_record": "crossings/s",
    "ledger_batch": "crossings/s",
    "projection_rebuild": "events/s",
    "audit_verify": "events/s",
    "status_live": "ms/status",
    "engine_long_history": "ms/status",
    "status_long": "ms/status",
    "history_page_with_status": "ms/page",
    "http_hello": "requests/s",
    "http_status": "requests/s",
    "http_record": "requests/s",
    "ui_timeline": "ms/page",
}
# (ratio, numerator, denominator or None for a plain case value, goal operator, goal)
GOALS = (
    ("ledger_record/raw_single_insert", "ledger_record", "raw_single_insert", ">=", 0.5),
    ("ledger_batch/raw_batch_insert", "ledger_batch", "raw_batch_insert", ">=", 0.3),
    ("projection_rebuild/raw_read", "projection_rebuild", "raw_read", ">=", 0.1),
    ("http_status/http_hello", "http_status", "http_hello", ">=", 0.6),
    ("engine_long_history", "engine_long_history", None, "<", 5.0),
    # A page of 200 events with statuses costs at most about one status per event on it.
    ("history_page_with_status/status_long", "history_page_with_status", "status_long", "<=", 250),
    ("ui_timeline", "ui_timeline", None, "<", 200.0),
)
# Ratios shown without a goal: what drawing a page costs over the answer it draws, and what
# ``audit verify`` (seals, chains, claims, the running hash) costs over reading the store.
CONTEXT = (
    ("ui_timeline/status_long", "ui_timeline", "status_long"),
    ("audit_verify/raw_read", "audit_verify", "raw_read"),
)
# The naive peer's ratios, printed beside the goals for context.
PEERS = {
    "ledger_record/raw_single_insert": ("naive_record/raw_single_insert", "naive_record"),
    "projection_rebuild/raw_read": ("naive_projection/raw_read", "naive_projection"),
}


def _ratio(cases: dict, numerator: str, denominator: str | None) -> float | None:
    top = cases.get(numerator, {}).get("value")
    if denominator is None or top is None:
        return top
    bottom = cases.get(denominator, {}).get("value")
    return top / bottom if bottom else None


def meets(value: float, op: str, goal: float) -> bool:
    return {">=": value >= goal, "<=": value <= goal, "<": value < goal}[op]


def ratios(cases: dict) -> tuple[dict, dict, dict]:
    """``ratios``, ``goals`` and ``met`` from measured cases; a missing case leaves None."""
    out, goals, met = {}, {}, {}
    for name, numerator, denominator, op, goal in GOALS:
        value = _ratio(cases, numerator, denominator)
        out[name] = value
        goals[name] = {"op": op, "goal": goal}
        met[name] = None if value is None else meets(value, op, goal)
        if name in PEERS:
            peer, case = PEERS[name]
            out[peer] = _ratio(cases, case, denominator)
    for name, numerator, denominator in CONTEXT:
        out[name] = _ratio(cases, numerator, denominator)
    return out, goals, met


def result(machine: dict, mode: str, cases: dict, notes: list[str]) -> dict:
    values, goals, met = ratios(cases)
    return {
        "mode": mode,
        "machine": machine,
        "cases": cases,
        "ratios": values,
        "goals": goals,
        "met": met,
        "notes": notes,
    }


def write(doc: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n")


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def table(doc: dict) -> str:
    """The run as text: machine, cases, then every ratio with its goal and whether it is met."""
    m = doc["machine"]
    lines = [
        f"mode {doc['mode']} · {m['cores']} cores {m['cpu_model']} · Python {m['python']}"
        f" · PostgreSQL {m['postgres_version']}",
        "durability: "
        + ", ".join(
            f"{k}={m[k]}"
            for k in (
                "fsync",
                "synchronous_commit",
                "wal_sync_method",
                "full_page_writes",
                "commit_delay",
            )
        ),
        "",
        f"{'case':<22}{'value':>14}  unit",
    ]
    for name, case in doc["cases"].items():
        lines.append(f"{name:<22}{_fmt(case['value']):>14}  {case['unit']}")
    lines += ["", f"{'ratio':<34}{'value':>10}{'naive peer':>12}{'goal':>10}  met"]
    peers = {k: doc["ratios"].get(v[0]) for k, v in PEERS.items()}
    for name, goal in doc["goals"].items():
        peer = _fmt(peers[name]) if name in peers else "—"
        lines.append(
            f"{name:<34}{_fmt(doc['ratios'][name]):>10}{peer:>12}"
            f"{goal['op'] + ' ' + str(goal['goal']):>10}  {_fmt(doc['met'][name])}"
        )
    for name, *_ in CONTEXT:
        lines.append(f"{name:<34}{_fmt(doc['ratios'].get(name)):>10}{'—':>12}{'—':>10}  —")
    lines += [f"note: {n}" for n in doc["notes"]]
    return "\n".join(lines)
