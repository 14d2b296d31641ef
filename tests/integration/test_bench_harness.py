"""The benchmark harness on tiny inputs against the real PostgreSQL: structure, never timings."""

from __future__ import annotations

import json

import psycopg
import pytest

from bench import database, report
from bench.__main__ import main

pytestmark = pytest.mark.postgres


def test_own_database_is_dropped_even_when_the_run_fails(postgres_url):
    with pytest.raises(RuntimeError), database.own_database() as url:
        name = url.rsplit("/", 1)[1]
        assert name.startswith("borderledger_bench_")
        raise RuntimeError("a case failed")
    with psycopg.connect(database.server_url()) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    assert found is None


def test_smoke_run_writes_every_case_ratio_and_the_durability_settings(postgres_url, tmp_path):
    out = tmp_path / "latest.json"
    assert main(["--mode", "smoke", "--out", str(out)]) == 0
    doc = json.loads(out.read_text())

    assert set(doc["cases"]) == set(report.UNITS)
    for name, case in doc["cases"].items():
        assert case["unit"] == report.UNITS[name]
        assert case["value"] > 0 and len(case["samples"]) >= 1
    for setting in ("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes"):
        assert doc["machine"][setting]
    assert doc["machine"]["cores"] and doc["machine"]["postgres_version"]

    cases = {name: case["value"] for name, case in doc["cases"].items()}
    for name, numerator, denominator, op, goal in report.GOALS:
        ratio = cases[numerator] / cases[denominator] if denominator else cases[numerator]
        assert doc["ratios"][name] == pytest.approx(ratio)
        assert doc["goals"][name] == {"op": op, "goal": goal}
        assert doc["met"][name] == {">=": ratio >= goal, "<=": ratio <= goal, "<": ratio < goal}[op]
    for name, numerator, denominator in report.CONTEXT:
        assert doc["ratios"][name] == pytest.approx(cases[numerator] / cases[denominator])
    assert "audit_verify/raw_read" in doc["ratios"]


def test_goals_are_judged_by_their_operator():
    cases = {
        "ledger_record": {"value": 60.0},
        "raw_single_insert": {"value": 100.0},
        "engine_long_history": {"value": 7.0},
        "naive_record": {"value": 20.0},
    }
    ratios, goals, met = report.ratios(cases)
    assert ratios["ledger_record/raw_single_insert"] == pytest.approx(0.6)
    assert ratios["naive_record/raw_single_insert"] == pytest.approx(0.2)
    assert met["ledger_record/raw_single_insert"] is True
    assert met["engine_long_history"] is False
    assert ratios["ledger_batch/raw_batch_insert"] is None
    assert met["ledger_batch/raw_batch_insert"] is None
    assert goals["engine_long_history"] == {"op": "<", "goal": 5.0}
    paging = {"history_page_with_status": {"value": 500.0}, "status_long": {"value": 2.0}}
    ratios, goals, met = report.ratios(paging)
    assert ratios["history_page_with_status/status_long"] == pytest.approx(250)
    assert met["history_page_with_status/status_long"] is True
    paging["history_page_with_status"]["value"] = 502.0
    assert report.ratios(paging)[2]["history_page_with_status/status_long"] is False
