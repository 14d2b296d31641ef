"""``borderledger import``: CSV and JSON-lines crossings in bulk, rejected rows by line number."""

from __future__ import annotations

import json
import re
import secrets
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from web_support import SECRET, key_env, settings_for

from infrastructure.bootstrap import build_service
from web.cli import main

CSV = """nationality,document_number,crossing_id,direction,border_post,occurred_at
RUS,{doc},c1,entry,KZ-ALA,2023-02-01T04:00:00Z
RUS,{doc},c2,exit,KZ-ALA,2023-02-01T10:00:00
RUS,{doc},c3,exit,XX-NOPE,2023-03-01T10:00:00Z
RUS,{doc},c4,exit,KZ-NQZ,2023-03-01T10:00:00Z
"""


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    if request.param == "postgres":
        return f"{request.getfixturevalue('postgres_url')}?schema=imp_{secrets.token_hex(4)}"
    return f"sqlite:///{tmp_path}/ledger.db"


def run_import(url: str, path, *args):
    env = {"BORDERLEDGER_SECRET_KEY": SECRET, "DATABASE_URL": url, **key_env(url)}
    return CliRunner().invoke(main, ["import", str(path), *args], env=env)


def days_used(url: str, doc: str) -> int:
    service = build_service(settings_for(url))
    try:
        traveler_id = service.find_traveler("RUS", doc)
        return service.status(traveler_id, "KAZ", date(2023, 3, 15)).days_used
    finally:
        service.app.close()


def test_csv_rows_are_recorded_and_bad_rows_reported_by_line(url, tmp_path):
    doc = f"P{secrets.token_hex(4)}"
    path = tmp_path / "crossings.csv"
    path.write_text(CSV.format(doc=doc))
    result = run_import(url, path)
    assert result.exit_code == 0, result.output
    assert "2 created, 0 duplicate, 2 rejected" in result.stdout
    assert "line 3:" in result.stderr and "occurred_at" in result.stderr
    assert "line 4:" in result.stderr and "border_post" in result.stderr
    assert days_used(url, doc) == 29
    again = run_import(url, path)
    assert "0 created, 2 duplicate, 2 rejected" in again.stdout


def test_json_lines_with_a_broken_line(url, tmp_path):
    doc = f"P{secrets.token_hex(4)}"
    row = {
        "nationality": "RUS",
        "document_number": doc,
        "crossing_id": "j1",
        "direction": "entry",
        "border_post": "KZ-ALA",
        "occurred_at": "2023-03-01T04:00:00Z",
    }
    path = tmp_path / "crossings.jsonl"
    lines = [json.dumps(row), "{not json", "", json.dumps([1]), "[" * 100_000]
    path.write_text("\n".join(lines) + "\n")
    result = run_import(url, path)
    assert "1 created, 0 duplicate, 3 rejected" in result.stdout, result.output
    assert all(f"line {n}:" in result.stderr for n in (2, 4, 5))


def test_an_office_scopes_the_import_like_a_registrar(tmp_path):
    url = f"sqlite:///{tmp_path}/ledger.db"
    path = tmp_path / "crossings.csv"
    path.write_text(CSV.format(doc="P1"))
    result = run_import(url, path, "--office", "KZ-NQZ")
    assert "1 created, 0 duplicate, 3 rejected" in result.stdout
    assert "forbidden" in result.stderr


def test_other_file_kinds_are_refused(tmp_path):
    path = tmp_path / "crossings.xml"
    path.write_text("<x/>")
    result = run_import(f"sqlite:///{tmp_path}/l.db", path)
    assert result.exit_code == 2 and ".csv or .jsonl" in result.stderr


def readme_example(kind: str) -> str:
    """The README's one example block of a format (```csv or ```jsonl)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    (block,) = re.findall(rf"^```{kind}\n(.*?)^```$", readme, flags=re.S | re.M)
    return block


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_the_readme_examples_import_cleanly(url, tmp_path, kind):
    example = readme_example(kind)
    rows = len(example.splitlines()) - (kind == "csv")
    path = tmp_path / f"example.{kind}"
    path.write_text(example)
    result = run_import(url, path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"{rows} created, 0 duplicate, 0 rejected"
    assert "line " not in result.stderr
    again = run_import(url, path)
    assert again.stdout.splitlines()[-1] == f"0 created, {rows} duplicate, 0 rejected"
