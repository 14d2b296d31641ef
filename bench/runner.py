"""One run: set every case up, then measure them in interleaved rounds and keep the medians."""

from __future__ import annotations

import statistics
from collections.abc import Callable

from bench import (
    cases_audit,
    cases_http,
    cases_ledger,
    cases_naive,
    cases_projection,
    cases_raw,
    cases_ui,
)
from bench.ledger import SCHEMA, TABLE, Ledger, open_ledger
from bench.report import UNITS
from bench.sizes import Sizes


def _setups(db_url: str, ledger: Ledger, sizes: Sizes) -> dict[str, Callable]:
    """Each case's setup, in the order rounds run them: every ratio's pair side by side."""
    return {
        "raw_single_insert": lambda: cases_raw.raw_single_insert(db_url, sizes),
        "ledger_record": lambda: cases_ledger.ledger_record(ledger, sizes),
        "naive_record": lambda: cases_naive.naive_record(db_url, ledger, sizes),
        "raw_batch_insert": lambda: cases_raw.raw_batch_insert(db_url, sizes),
        "ledger_batch": lambda: cases_ledger.ledger_batch(ledger, sizes),
        "raw_read": lambda: cases_raw.raw_read(db_url, SCHEMA, TABLE),
        "projection_rebuild": lambda: cases_projection.projection_rebuild(ledger),
        "naive_projection": lambda: cases_naive.naive_projection(db_url, ledger, sizes),
        "audit_verify": lambda: cases_audit.audit_verify(ledger),
        "status_live": lambda: cases_ledger.status_live(ledger, sizes),
        "engine_long_history": lambda: cases_ledger.engine_long_history(sizes),
        "status_long": lambda: cases_ledger.status_long(ledger, sizes),
        "history_page_with_status": lambda: cases_ledger.history_page_with_status(ledger, sizes),
        "ui_timeline": lambda: cases_ui.ui_timeline(ledger, sizes),
    }


def run_cases(db_url: str, sizes: Sizes, log: Callable[[str], None]) -> tuple[dict, list[str]]:
    """Measured cases in ``report.UNITS`` order, and notes on how they were measured."""
    ledger = open_ledger(db_url, sizes.travelers)
    notes = [
        f"ledger pre-loaded with {len(ledger.plans)} generated travelers through record_batch",
        f"{sizes.rounds} interleaved rounds, one run of each case per round; values are medians",
    ]
    runners: dict[str, Callable[[], float]] = {}
    try:
        for name, setup in _setups(db_url, ledger, sizes).items():
            runners[name] = setup()
        with cases_http.server(ledger, sizes) as http:
            runners.update(http.runners)
            notes += http.notes
            samples: dict[str, list[float]] = {name: [] for name in runners}
            for r in range(sizes.rounds):
                for name, run in runners.items():
                    samples[name].append(run())
                log(f"round {r + 1}/{sizes.rounds} done")
    finally:
        ledger.close()
    cases = {
        name: {"value": statistics.median(values), "unit": UNITS[name], "samples": values}
        for name, values in samples.items()
    }
    return {name: cases[name] for name in UNITS}, notes
