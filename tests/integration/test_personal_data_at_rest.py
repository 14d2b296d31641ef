"""No name, birth date or document number is stored in clear: every byte of the store is read.

A demo-like ledger (the demo's batch-loaded travelers, plus travelers registered with names and
birth dates, second documents, crossings, exemptions, an erasure and the projections caught up)
is written on SQLite and on PostgreSQL; then the SQLite file with its -wal and -shm, or every
table of the PostgreSQL schema (and the server's log when it can be read), is searched for
every personal value registered: zero hits.
"""

from __future__ import annotations

import glob
import secrets
import string
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from infrastructure.bootstrap import build_runtime
from infrastructure.keys import LedgerKeys
from infrastructure.population import LOADER, load, population
from infrastructure.settings import Settings, postgres_dsn, schema_of, sqlite_path
from infrastructure.usecases.commands import GrantExemption, RecordCrossing

SECRET = "at-rest-secret-" + "r" * 32


def _word(n: int) -> str:
    return "".join(secrets.choice(string.ascii_uppercase) for _ in range(n))


def write_ledger(url: str) -> list[str]:
    """Write the ledger; every personal value it registered, as text."""
    settings = Settings(database_url=url, secret_key=SECRET, keys=LedgerKeys.generate())
    runtime = build_runtime(settings)
    service = runtime.service
    plans = population(4242, 40)
    load(service, plans)
    personal = [p.document_number for p in plans]
    for i in range(12):
        surname, given = "Zv" + _word(9).lower(), "Qy" + _word(7).lower() + " " + _word(6)
        born = date(1930 + i, 1 + i % 12, 1 + i)
        first, second = "XQ" + _word(8), "YJ" + _word(8)
        tid, created, *_ = service.register(LOADER, "RUS", first, "passport", surname, given, born)
        assert created
        service.link_document(LOADER, tid, "KAZ", second, "id_card")
        for n, (direction, day) in enumerate((("entry", 1), ("exit", 20))):
            at = datetime(2023, 3, day, 6, tzinfo=UTC)
            service.record_crossing(
                LOADER, RecordCrossing(tid, f"rest-{i}-{n}", direction, "KZ-ALA", at)
            )
        service.grant_exemption(
            LOADER,
            GrantExemption(
                tid,
                f"ex-{i}",
                "employment",
                "KAZ",
                date(2023, 4, 1),
                date(2023, 9, 30),
                contract_number=f"C-{i}",
                employer_id="123456789012",
            ),
        )
        if i % 4 == 0:
            service.erase(LOADER, tid, "asked")
        personal += [surname, given, born.isoformat(), first, second]
    while runtime.read.catch_up():
        pass
    service.close()
    return personal


def hits(blobs: dict[str, bytes], personal: list[str]) -> list[tuple[str, str]]:
    return [(where, v) for where, blob in blobs.items() for v in personal if v.encode() in blob]


def test_sqlite_file_wal_and_shm_hold_no_personal_value(tmp_path):
    url = f"sqlite:///{tmp_path}/ledger.db"
    personal = write_ledger(url)
    files = glob.glob(sqlite_path(url) + "*")
    assert any(f.endswith(".db") for f in files)
    blobs = {f: Path(f).read_bytes() for f in files}
    assert sum(map(len, blobs.values())) > 100_000
    # The scan finds what is there: the demo's nationalities are stored in clear.
    assert hits(blobs, ["RUS"]) != []
    assert hits(blobs, personal) == []


def _tables(conn, schema: str) -> list[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
    ).fetchall()
    return [r[0] for r in rows]


def _dump(conn, schema: str, table: str) -> bytes:
    """Every value of the table: bytea as its raw bytes, everything else as text."""
    out = []
    query = sql.SQL("SELECT * FROM {}").format(sql.Identifier(schema, table))
    for row in conn.execute(query):
        for value in row:
            out.append(
                bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
            )
    copy = sql.SQL("COPY {} TO STDOUT").format(sql.Identifier(schema, table))
    with conn.cursor().copy(copy) as c:
        out += [bytes(chunk) for chunk in c]
    return b"\n".join(out)


def _server_log(conn) -> bytes:
    try:
        path = conn.execute("SELECT pg_current_logfile()").fetchone()[0]
        if not path:
            return b""
        return conn.execute("SELECT pg_read_binary_file(%s)", (path,)).fetchone()[0]
    except psycopg.Error:
        conn.rollback()
        return b""


def test_every_postgres_table_and_the_server_log_hold_no_personal_value(postgres_url):
    url = f"{postgres_url}?schema=at_rest_{secrets.token_hex(4)}"
    personal = write_ledger(url)
    schema = schema_of(url)
    with psycopg.connect(postgres_dsn(url)) as conn:
        tables = _tables(conn, schema)
        blobs = {t: _dump(conn, schema, t) for t in tables}
        blobs["server log"] = _server_log(conn)
    assert {"borderledger_events", "borderledger_data_keys"} <= set(tables)
    assert any(t.startswith("document_index") for t in tables)
    assert hits(blobs, ["RUS"]) != []
    assert hits(blobs, personal) == []
