"""The status view in SQL, shared by PostgreSQL and SQLite; a backend supplies connections.

Tables carry a generation number (``stay_status_g3``). ``projection_state`` holds, per generation,
the tracking position and whether readers use it, so a rebuild fills a new generation and
replaces the live one in a single transaction.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import date
from uuid import UUID

from projections.facts import TravelerFacts, from_json, to_json
from projections.status import Deadline, StatusRow
from projections.views import AlreadyApplied, Changes, StatusView

PROJECTION = "stay_status"
_DAY_ZERO = "0001-01-01"


class SqlBackend(ABC):
    """What differs between databases: connections, placeholders, names and day columns."""

    ph = "?"
    prefix = ""
    day_type = "text"

    @abstractmethod
    def tx(self, commit: bool) -> AbstractContextManager:
        """A cursor in a transaction (rows indexable by column position)."""

    @abstractmethod
    def ledger_position(self) -> int:
        """The ledger's highest notification id."""

    def sql(self, text: str) -> str:
        return text.replace("{p}", self.prefix).replace("%s", self.ph)

    @abstractmethod
    def lock_registry(self, cur) -> None:
        """Hold off other processes adding generations until this transaction ends."""

    def insert(self, cur, table: str, types: tuple[str, ...], rows: list[tuple], tail="") -> None:
        """Insert ``rows`` (a value per column type) into ``table``, then ``tail`` (ON CONFLICT)."""
        marks = ", ".join([self.ph] * len(types))
        cur.executemany(f"INSERT INTO {table} VALUES ({marks}){tail}", rows)

    def delete(self, cur, table: str, column: str, keys: list[str]) -> None:
        """Delete the rows of ``table`` whose text ``column`` is one of ``keys``."""
        cur.executemany(f"DELETE FROM {table} WHERE {column}={self.ph}", [(k,) for k in keys])


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _tables(g: int) -> dict[str, str]:
    return {
        "facts": f"traveler_facts_g{g}",
        "status": f"stay_status_g{g}",
        "deadlines": f"overstay_deadlines_g{g}",
        "documents": f"document_index_g{g}",
    }


STATUS_COLUMNS = (
    "traveler_id, jurisdiction, nationality, computed_on, present, entered_on, latest_legal_exit, "
    "next_entry, next_entry_max_days, days_used, days_remaining, overstay_periods, rule_id, "
    "rule_versions, rulebook, version, position"
)
DEADLINE_COLUMNS = (
    "traveler_id, jurisdiction, nationality, entered_on, exited_on, latest_legal_exit, breach_until"
)


REGISTRY_TABLE = (
    "CREATE TABLE IF NOT EXISTS {p}projection_state (projection text NOT NULL, "
    "generation integer NOT NULL, position bigint NOT NULL, live integer NOT NULL, "
    "PRIMARY KEY (projection, generation))"
)


def ensure_registry(db: SqlBackend) -> None:
    with db.tx(commit=True) as cur:
        cur.execute(db.sql(REGISTRY_TABLE))


def create_tables(cur, db: SqlBackend, g: int) -> None:
    t, d = _tables(g), db.day_type
    statements = [
        f"CREATE TABLE IF NOT EXISTS {{p}}{t['facts']} "
        "(traveler_id text PRIMARY KEY, facts text NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {{p}}{t['status']} (traveler_id text NOT NULL, "
        f"jurisdiction text NOT NULL, nationality text NOT NULL, computed_on {d} NOT NULL, "
        f"present integer NOT NULL, entered_on {d}, latest_legal_exit {d}, next_entry {d}, "
        "next_entry_max_days integer, days_used integer, days_remaining integer, "
        "overstay_periods text NOT NULL, rule_id text, rule_versions text NOT NULL, "
        "rulebook text NOT NULL, version integer NOT NULL, position bigint NOT NULL, "
        "PRIMARY KEY (traveler_id, jurisdiction))",
        f"CREATE INDEX IF NOT EXISTS {t['status']}_rulebook ON {{p}}{t['status']} (rulebook)",
        f"CREATE TABLE IF NOT EXISTS {{p}}{t['deadlines']} (traveler_id text NOT NULL, "
        f"jurisdiction text NOT NULL, nationality text NOT NULL, entered_on {d} NOT NULL, "
        f"exited_on {d}, latest_legal_exit {d} NOT NULL, breach_until {d})",
        f"CREATE INDEX IF NOT EXISTS {t['deadlines']}_due ON {{p}}{t['deadlines']} "
        "(jurisdiction, latest_legal_exit, traveler_id)",
        f"CREATE INDEX IF NOT EXISTS {t['deadlines']}_traveler ON {{p}}{t['deadlines']} "
        "(traveler_id)",
        f"CREATE TABLE IF NOT EXISTS {{p}}{t['documents']} (digest text PRIMARY KEY, "
        "nationality text NOT NULL, document_type text NOT NULL, traveler_id text NOT NULL)",
    ]
    for s in statements:
        cur.execute(db.sql(s))


def drop_tables(cur, db: SqlBackend, g: int) -> None:
    for name in _tables(g).values():
        cur.execute(db.sql(f"DROP TABLE IF EXISTS {{p}}{name}"))


def generations(db: SqlBackend) -> list[tuple[int, int, bool]]:
    """(generation, position, live) of every generation of the projection."""
    with db.tx(commit=False) as cur:
        cur.execute(
            db.sql(
                "SELECT generation, position, live FROM {p}projection_state "
                "WHERE projection=%s ORDER BY generation"
            ),
            (PROJECTION,),
        )
        return [(r[0], r[1], bool(r[2])) for r in cur.fetchall()]


def add_generation(db: SqlBackend, live: bool) -> int:
    """A new, empty generation at position 0; asked for a live one, the live one if another
    process made it first (readers and the worker both create it on first use)."""
    with db.tx(commit=True) as cur:
        db.lock_registry(cur)
        cur.execute(
            db.sql("SELECT generation, live FROM {p}projection_state WHERE projection=%s"),
            (PROJECTION,),
        )
        rows = cur.fetchall()
        made = [r[0] for r in rows if r[1]]
        if live and made:
            return made[0]
        g = max((r[0] for r in rows), default=0) + 1
        create_tables(cur, db, g)
        cur.execute(
            db.sql("INSERT INTO {p}projection_state VALUES (%s, %s, 0, %s)"),
            (PROJECTION, g, int(live)),
        )
    return g


def promote(db: SqlBackend, g: int) -> None:
    """Make generation ``g`` the one readers use and drop every other, in one transaction."""
    with db.tx(commit=True) as cur:
        cur.execute(
            db.sql("SELECT generation FROM {p}projection_state WHERE projection=%s"), (PROJECTION,)
        )
        others = [r[0] for r in cur.fetchall() if r[0] != g]
        cur.execute(
            db.sql("UPDATE {p}projection_state SET live=1 WHERE projection=%s AND generation=%s"),
            (PROJECTION, g),
        )
        for old in others:
            cur.execute(
                db.sql("DELETE FROM {p}projection_state WHERE projection=%s AND generation=%s"),
                (PROJECTION, old),
            )
            drop_tables(cur, db, old)


class SqlStatusView(StatusView):
    """One generation of the status tables."""

    def __init__(self, db: SqlBackend, generation: int):
        self.db = db
        self.generation = generation
        self.t = {k: db.prefix + v for k, v in _tables(generation).items()}

    def _q(self, text: str) -> str:
        return self.db.sql(text.format(**self.t))

    def _rows(self, text: str, params: tuple = ()) -> list:
        with self.db.tx(commit=False) as cur:
            cur.execute(self._q(text), params)
            return cur.fetchall()

    def position(self) -> int:
        rows = self._rows(
            "SELECT position FROM {{p}}projection_state WHERE projection=%s AND generation=%s",
            (PROJECTION, self.generation),
        )
        return rows[0][0] if rows else 0

    def load_facts(self, traveler_ids: Iterable[UUID]) -> dict[UUID, TravelerFacts]:
        out = {}
        ids = [str(t) for t in traveler_ids]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            for tid, text in self._rows(
                f"SELECT traveler_id, facts FROM {{facts}} WHERE traveler_id IN ({marks})",
                tuple(chunk),
            ):
                out[UUID(tid)] = from_json(UUID(tid), text)
        return out

    def commit(self, changes: Changes, after: int, upto: int) -> None:
        with self.db.tx(commit=True) as cur:
            cur.execute(
                self._q(
                    "UPDATE {{p}}projection_state SET position=%s "
                    "WHERE projection=%s AND generation=%s AND position=%s"
                ),
                (upto, PROJECTION, self.generation, after),
            )
            if cur.rowcount != 1:
                raise AlreadyApplied(f"{PROJECTION} g{self.generation} is not at {after}")
            self._write(cur, changes)

    def _write(self, cur, changes: Changes) -> None:
        db, t, d = self.db, self.t, self.db.day_type
        replaced = [str(tid) for tid in changes.status if tid in changes.existing]
        if replaced:
            db.delete(cur, t["status"], "traveler_id", replaced)
            db.delete(cur, t["deadlines"], "traveler_id", replaced)
        if changes.facts:
            db.insert(
                cur,
                t["facts"],
                ("text", "text"),
                [(str(tid), to_json(f)) for tid, f in changes.facts.items()],
                " ON CONFLICT (traveler_id) DO UPDATE SET facts=excluded.facts",
            )
        status = [_status_params(r) for rows in changes.status.values() for r in rows]
        if status:
            db.insert(cur, t["status"], _status_types(d), status)
        deadlines = [_deadline_params(x) for ds in changes.deadlines.values() for x in ds]
        if deadlines:
            db.insert(cur, t["deadlines"], ("text", "text", "text", d, d, d, d), deadlines)
        if changes.documents:
            # One row per digest, as upserting them in order would leave it: one statement may
            # not update a row twice.
            merged: dict[str, tuple] = {}
            for x in changes.documents:
                first = merged.get(x.digest) or (x.digest, x.nationality, x.document_type)
                merged[x.digest] = (*first[:3], str(x.traveler_id))
            db.insert(
                cur,
                t["documents"],
                ("text", "text", "text", "text"),
                list(merged.values()),
                " ON CONFLICT (digest) DO UPDATE SET traveler_id=excluded.traveler_id",
            )

    def stale(self, rulebook_digest: str, limit: int) -> list[UUID]:
        rows = self._rows(
            "SELECT DISTINCT traveler_id FROM {status} WHERE rulebook<>%s LIMIT %s",
            (rulebook_digest, limit),
        )
        return [UUID(r[0]) for r in rows]

    def count_stale(self, rulebook_digest: str) -> int:
        """Travelers with rows made under another rulebook: what a refresh has yet to redo."""
        rows = self._rows(
            "SELECT COUNT(DISTINCT traveler_id) FROM {status} WHERE rulebook<>%s",
            (rulebook_digest,),
        )
        return int(rows[0][0])

    def status_of(self, traveler_id: UUID) -> list[StatusRow]:
        rows = self._rows(
            f"SELECT {STATUS_COLUMNS} FROM {{status}} WHERE traveler_id=%s ORDER BY jurisdiction",
            (str(traveler_id),),
        )
        return [_status_row(r) for r in rows]

    def deadlines_of(self, traveler_id: UUID) -> list[Deadline]:
        rows = self._rows(
            f"SELECT {DEADLINE_COLUMNS} FROM {{deadlines}} WHERE traveler_id=%s "
            "ORDER BY jurisdiction, entered_on, latest_legal_exit",
            (str(traveler_id),),
        )
        return [_deadline(r) for r in rows]

    def traveler_ids(self) -> list[UUID]:
        return [UUID(r[0]) for r in self._rows("SELECT traveler_id FROM {facts}")]

    def overstays(
        self, jurisdiction: str, on: date, limit: int, after: tuple[date, str] | None
    ) -> list[Deadline]:
        day = on.isoformat()
        key = (after[0].isoformat(), after[1]) if after else (_DAY_ZERO, "")
        rows = self._rows(
            f"SELECT {DEADLINE_COLUMNS} FROM {{deadlines}} WHERE jurisdiction=%s "
            "AND latest_legal_exit < %s AND (breach_until IS NULL OR breach_until >= %s) "
            "AND entered_on <= %s AND (exited_on IS NULL OR exited_on > %s) "
            "AND (latest_legal_exit > %s OR (latest_legal_exit = %s AND traveler_id > %s)) "
            "ORDER BY latest_legal_exit, traveler_id LIMIT %s",
            (jurisdiction, day, day, day, day, key[0], key[0], key[1], limit),
        )
        return [_deadline(r) for r in rows]

    def find_document(self, digest: str) -> UUID | None:
        rows = self._rows("SELECT traveler_id FROM {documents} WHERE digest=%s", (digest,))
        return UUID(rows[0][0]) if rows else None


def _status_types(day: str) -> tuple[str, ...]:
    return (
        ("text", "text", "text", day, "integer", day, day, day)
        + ("integer",) * 3
        + ("text", "text", "text", "text", "integer", "bigint")
    )


def _status_params(r: StatusRow) -> tuple:
    return (
        str(r.traveler_id),
        r.jurisdiction,
        r.nationality,
        r.computed_on.isoformat(),
        int(r.present),
        _iso(r.entered_on),
        _iso(r.latest_legal_exit),
        _iso(r.next_entry),
        r.next_entry_max_days,
        r.days_used,
        r.days_remaining,
        json.dumps([[a.isoformat(), b.isoformat(), n] for a, b, n in r.overstay_periods]),
        r.rule_id,
        json.dumps(list(r.rule_versions)),
        r.rulebook,
        r.version,
        r.position,
    )


def _status_row(r) -> StatusRow:
    return StatusRow(
        traveler_id=UUID(r[0]),
        jurisdiction=r[1],
        nationality=r[2],
        computed_on=_day(r[3]),
        present=bool(r[4]),
        entered_on=_day(r[5]),
        latest_legal_exit=_day(r[6]),
        next_entry=_day(r[7]),
        next_entry_max_days=r[8],
        days_used=r[9],
        days_remaining=r[10],
        overstay_periods=tuple(
            (date.fromisoformat(a), date.fromisoformat(b), n) for a, b, n in json.loads(r[11])
        ),
        rule_id=r[12],
        rule_versions=tuple(json.loads(r[13])),
        rulebook=r[14],
        version=r[15],
        position=r[16],
    )


def _deadline_params(d: Deadline) -> tuple:
    return (
        str(d.traveler_id),
        d.jurisdiction,
        d.nationality,
        d.entered_on.isoformat(),
        _iso(d.exited_on),
        d.latest_legal_exit.isoformat(),
        _iso(d.breach_until),
    )


def _deadline(r) -> Deadline:
    return Deadline(UUID(r[0]), r[1], r[2], _day(r[3]), _day(r[4]), _day(r[5]), _day(r[6]))
