"""The verification log: every employer check, so auditors see attempts on others' contracts.

Kept in a table of its own, not on travelers: a check of a contract that is not the employer's
must leave no trace on a history it did not concern. Documents are stored as keyed digests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from infrastructure.ledger import LedgerApplication
from infrastructure.views_postgres import PostgresBackend
from infrastructure.views_sql import SqlBackend
from infrastructure.views_sqlite import SqliteBackend

TABLE = "verification_log"
_COLUMNS = (
    "id, checked_at, employer_id, actor, nationality, document_digest, contract_number, "
    "on_day, status, receipt_id, on_traveler"
)


@dataclass(frozen=True)
class Verification:
    """One check: who asked, when, about what, and the answer given."""

    checked_at: datetime
    employer_id: str
    actor: str
    nationality: str
    document_digest: str
    contract_number: str
    on: date
    status: str
    receipt_id: str
    on_traveler: bool


def instant_text(at: datetime) -> str:
    """Fixed-width UTC text, so the column sorts and compares as time does."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class VerificationLog:
    """Append and page through the log on the ledger's own database (SQLite or PostgreSQL)."""

    def __init__(self, app: LedgerApplication):
        self.db: SqlBackend = PostgresBackend(app) if app.is_postgres else SqliteBackend(app)
        key = "bigserial PRIMARY KEY" if app.is_postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"
        with self.db.tx(commit=True) as cur:
            if app.is_postgres:
                # Server workers start together; concurrent CREATE TABLE IF NOT EXISTS can clash.
                cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (TABLE,))
            cur.execute(
                self.db.sql(
                    f"CREATE TABLE IF NOT EXISTS {{p}}{TABLE} (id {key}, checked_at text NOT NULL,"
                    " employer_id text NOT NULL, actor text NOT NULL, nationality text NOT NULL,"
                    " document_digest text NOT NULL, contract_number text NOT NULL,"
                    " on_day text NOT NULL, status text NOT NULL, receipt_id text NOT NULL,"
                    " on_traveler integer NOT NULL)"
                )
            )

    def append(self, v: Verification) -> None:
        with self.db.tx(commit=True) as cur:
            cur.execute(
                self.db.sql(
                    f"INSERT INTO {{p}}{TABLE} ({_COLUMNS.removeprefix('id, ')})"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                ),
                (
                    instant_text(v.checked_at),
                    v.employer_id,
                    v.actor,
                    v.nationality,
                    v.document_digest,
                    v.contract_number,
                    v.on.isoformat(),
                    v.status,
                    v.receipt_id,
                    int(v.on_traveler),
                ),
            )

    def page(
        self,
        employer_id: str | None,
        since: datetime | None,
        limit: int,
        after: int | None = None,
    ) -> tuple[list[dict], int | None]:
        """Oldest first, from ``since``; returns the items and the id to continue after."""
        where, params = ["id > %s"], [after or 0]
        if employer_id is not None:
            where.append("employer_id = %s")
            params.append(employer_id)
        if since is not None:
            where.append("checked_at >= %s")
            params.append(instant_text(since))
        text = (
            f"SELECT {_COLUMNS} FROM {{p}}{TABLE} WHERE {' AND '.join(where)} ORDER BY id LIMIT %s"
        )
        with self.db.tx(commit=False) as cur:
            cur.execute(self.db.sql(text), (*params, limit + 1))
            rows = cur.fetchall()
        items = [_item(r) for r in rows[:limit]]
        return items, (rows[limit - 1][0] if len(rows) > limit else None)


def _item(r) -> dict:
    return {
        "checked_at": r[1],
        "employer_id": r[2],
        "actor": r[3],
        "nationality": r[4],
        "document_digest": r[5],
        "contract_number": r[6],
        "on": r[7],
        "status": r[8],
        "receipt_id": r[9],
        "recorded_on_traveler": bool(r[10]),
    }
