"""The ledger service's contract, one abstract test class run on SQLite and on PostgreSQL.

As in the eventsourcing library's own ``test_popo.py``/``test_postgres.py``: the behaviour lives
in ``ServiceContract``; each backend subclass only says how to build a service. PostgreSQL tests
use the session database of ``postgres_url`` with a schema of their own per test, and fail (not
skip) when ``REQUIRE_POSTGRES=1`` and the server is unreachable (the fixture does that).
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest
from psycopg import sql

from domain.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from infrastructure.bootstrap import build_service
from infrastructure.keys import LedgerKeys
from infrastructure.settings import Settings, schema_of, sqlite_path
from infrastructure.usecases.commands import (
    BatchItem,
    CorrectCrossing,
    GrantExemption,
    RecordCrossing,
)
from infrastructure.usecases.context import Actor

OFFICER = Actor("officer-ala", office="KZ-ALA")
ADMIN = Actor("admin", office="HQ", admin=True)
EMPLOYER = Actor("employer-1", employer_id="123456789012")
OTHER_EMPLOYER = Actor("employer-2", employer_id="999999999999")
DOC = "75 1234567"

# One ledger, one seal key: every service of a test opens the same store.
KEYS = LedgerKeys.generate()


def at(day: str, hour: int = 4) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class ServiceContract:
    """What every backend must do. Subclasses provide ``database_url`` (the factory hook)."""

    database_url: str

    def make_service(self, clock=None):
        settings = Settings(
            database_url=self.database_url, secret_key="contract-key-" + "c" * 24, keys=KEYS
        )
        return build_service(settings, clock=clock or Clock(datetime(2024, 1, 1, tzinfo=UTC)))

    @pytest.fixture
    def svc(self):
        return self.make_service()

    def stored_rows(self, svc) -> list[tuple[str, bytes, str]]:
        """(topic, state, originator_id) of every stored event, read with plain SQL."""
        app = svc.app
        table = app.recorder.events_table_name
        if app.is_postgres:
            url = self.database_url
            with psycopg.connect(url.split("?", 1)[0]) as conn:
                rows = conn.execute(
                    sql.SQL("SELECT topic, state, originator_id FROM {}.{}").format(
                        sql.Identifier(schema_of(url)), sql.Identifier(table)
                    )
                ).fetchall()
            return [(t, bytes(s), str(o)) for t, s, o in rows]
        import sqlite3

        with sqlite3.connect(sqlite_path(self.database_url)) as conn:
            rows = conn.execute(f"SELECT topic, state, originator_id FROM {table}").fetchall()
        return [(t, bytes(s), str(o)) for t, s, o in rows]

    def edit_stored_state(self, svc, tid, version: int, old: bytes, new: bytes) -> None:
        """Change one stored event's bytes behind the service's back, as a tamperer would."""
        table = svc.app.recorder.events_table_name
        where = "WHERE originator_id = {} AND originator_version = {}"
        if svc.app.is_postgres:
            url = self.database_url
            name = sql.Identifier(schema_of(url), table)
            with psycopg.connect(url.split("?", 1)[0]) as conn:
                select = sql.SQL("SELECT state FROM {} " + where.format("%s", "%s"))
                (state,) = conn.execute(select.format(name), (tid, version)).fetchone()
                update = sql.SQL("UPDATE {} SET state = %s " + where.format("%s", "%s"))
                conn.execute(update.format(name), (bytes(state).replace(old, new, 1), tid, version))
            return
        import sqlite3

        with sqlite3.connect(sqlite_path(self.database_url)) as conn:
            key = (tid.hex, version)
            q = f"SELECT state FROM {table} " + where.format("?", "?")
            (state,) = conn.execute(q, key).fetchone()
            u = f"UPDATE {table} SET state = ? " + where.format("?", "?")
            conn.execute(u, (bytes(state).replace(old, new, 1), *key))

    def crossings_recorded(self, svc, tid) -> Counter:
        events = svc.history(tid)["events"]
        return Counter(e["data"]["crossing_id"] for e in events if e["type"] == "CrossingRecorded")

    # -- registration and lookup -----------------------------------------------------------

    def test_registration_is_idempotent_on_normalised_document(self, svc):
        tid, created, pos, _ = svc.register(OFFICER, "RUS", "75 1234567")
        assert created and pos
        for spelling in ("75-1234567", "751234567", " 75 123 4567 "):
            again, created_again, *_ = svc.register(OFFICER, "RUS", spelling)
            assert again == tid and not created_again
        other, created_other, *_ = svc.register(OFFICER, "KGZ", "75 1234567")
        assert created_other and other != tid

    def test_lookup_by_document(self, svc):
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        assert svc.find_traveler("RUS", "75-1234567") == tid
        with pytest.raises(NotFoundError):
            svc.find_traveler("RUS", "00 0000000")
        with pytest.raises(ValidationError):
            svc.find_traveler("ru", DOC)

    def test_registration_validates(self, svc):
        with pytest.raises(ValidationError):
            svc.register(OFFICER, "RUS", "  ")
        with pytest.raises(ValidationError):
            svc.register(OFFICER, "Russia", DOC)

    # -- documents ----------------------------------------------------------------------------

    def test_linked_document_keeps_the_old_days(self, svc):
        """10 days on the old passport (03-01..03-10) and 5 on the new one (04-01..04-05): the
        status on 04-05 counts 15, and the new document finds the same traveler."""
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        svc.record_crossing(OFFICER, RecordCrossing(tid, "a1", "entry", "KZ-ALA", at("2023-03-01")))
        svc.record_crossing(
            OFFICER, RecordCrossing(tid, "a2", "exit", "KZ-ALA", at("2023-03-10", 10))
        )
        linked, first_link_position, _ = svc.link_document(OFFICER, tid, "RUS", "76 7654321")
        assert linked
        same = svc.find_traveler("RUS", "76-7654321")
        assert same == tid
        svc.record_crossing(
            OFFICER, RecordCrossing(same, "b1", "entry", "KZ-ALA", at("2023-04-01"))
        )
        status = svc.status(tid, "KAZ", as_of=date(2023, 4, 5))
        assert status.days_used == 15
        assert svc.register(OFFICER, "RUS", "76 7654321")[:2] == (tid, False)
        relinked, position, _ = svc.link_document(OFFICER, tid, "RUS", "76 7654321")
        assert relinked is False
        assert position == first_link_position  # the original link's, not the ledger's end

    def test_linking_the_same_document_in_another_spelling_records_nothing(self, svc):
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        assert svc.link_document(OFFICER, tid, "RUS", "75-1234567")[0] is False
        assert [e["type"] for e in svc.history(tid)["events"]] == ["Registered"]

    def test_batch_item_without_document_number_is_rejected(self, svc):
        items = [
            BatchItem("RUS", "  ", "e1", "entry", "KZ-ALA", at("2023-03-01")),
            BatchItem("RUS", DOC, "e2", "entry", "KZ-ALA", at("2023-03-01")),
        ]
        results, *_ = svc.record_batch(OFFICER, items)
        assert [r["status"] for r in results] == ["rejected", "created"]
        assert "document_number" in results[0]["errors"]
        with pytest.raises(ValidationError):  # an empty number is invalid, not unknown
            svc.find_traveler("RUS", "  ")

    def test_linking_another_travelers_document_conflicts(self, svc):
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        other, *_ = svc.register(OFFICER, "RUS", "99 9999999")
        with pytest.raises(ConflictError):
            svc.link_document(OFFICER, tid, "RUS", "99-9999999")
        assert svc.find_traveler("RUS", "99 9999999") == other

    # -- crossings ----------------------------------------------------------------------------

    def test_crossing_retry_returns_the_original_answer(self, svc):
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        first, created = svc.record_crossing(
            OFFICER, RecordCrossing(tid, "c1", "entry", "KZ-ALA", at("2023-03-01", 18))
        )
        assert created and first["local_date"] == "2023-03-02" and first["jurisdiction"] == "KAZ"
        svc.record_crossing(OFFICER, RecordCrossing(tid, "c2", "exit", "KZ-ALA", at("2023-03-05")))
        again, created_again = svc.record_crossing(
            OFFICER, RecordCrossing(tid, "c1", "entry", "KZ-ALA", at("2023-03-01", 18))
        )
        assert not created_again
        assert again == first  # including the original position
        with pytest.raises(ConflictError):
            svc.record_crossing(
                OFFICER, RecordCrossing(tid, "c1", "exit", "KZ-ALA", at("2023-03-01", 18))
            )
        assert self.crossings_recorded(svc, tid) == {"c1": 1, "c2": 1}

    def test_crossing_for_unknown_traveler_or_post(self, svc):
        import uuid

        with pytest.raises(NotFoundError):
            svc.record_crossing(
                OFFICER, RecordCrossing(uuid.uuid4(), "c1", "entry", "KZ-ALA", at("2023-03-01"))
            )
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        with pytest.raises(ValidationError):
            svc.record_crossing(
                OFFICER, RecordCrossing(tid, "c1", "entry", "XX-NOPE", at("2023-03-01"))
            )

    # -- batches ------------------------------------------------------------------------------

    def test_batch_registers_reports_and_isolates_bad_items(self, svc):
        known, *_ = svc.register(OFFICER, "RUS", DOC)
        svc.record_crossing(
            OFFICER, RecordCrossing(known, "k0", "entry", "KZ-ALA", at("2023-03-01"))
        )
        items = [
            BatchItem("RUS", "75-1234567", "k1", "exit", "KZ-ALA", at("2023-03-05", 10)),
            BatchItem("KGZ", "AC 1111111", "n1", "entry", "KZ-ALA", at("2023-03-02")),
            BatchItem("KGZ", "AC1111111", "n2", "exit", "KZ-ALA", at("2023-03-04", 10)),
            BatchItem("RUS", DOC, "bad-post", "entry", "XX-NOPE", at("2023-03-06")),
            BatchItem("RUS", DOC, "bad-dir", "sideways", "KZ-ALA", at("2023-03-06")),
            BatchItem("ru", DOC, "bad-nat", "entry", "KZ-ALA", at("2023-03-06")),
            BatchItem("RUS", DOC, "future", "entry", "KZ-ALA", datetime(2030, 1, 1, tzinfo=UTC)),
            BatchItem("RUS", DOC, "k0", "entry", "KZ-ALA", at("2023-03-01")),  # retry
            BatchItem("RUS", DOC, "k0", "exit", "KZ-ALA", at("2023-03-01")),  # conflict
            BatchItem("KGZ", "AC 1111111", "n1", "entry", "KZ-ALA", at("2023-03-02")),  # dup
        ]
        results, position, _ = svc.record_batch(OFFICER, items)
        assert [r["crossing_id"] for r in results] == [i.crossing_id for i in items]
        assert [r["status"] for r in results] == [
            "created",
            "created",
            "created",
            "rejected",
            "rejected",
            "rejected",
            "rejected",
            "duplicate",
            "rejected",
            "duplicate",
        ]
        assert position
        for r in results:
            if r["status"] == "rejected":
                assert r["errors"]
        new = svc.find_traveler("KGZ", "AC 1111111")
        assert results[1]["traveler_id"] == results[2]["traveler_id"] == str(new)
        assert results[0]["traveler_id"] == str(known)
        assert self.crossings_recorded(svc, known) == {"k0": 1, "k1": 1}
        assert self.crossings_recorded(svc, new) == {"n1": 1, "n2": 1}
        assert svc.status(new, "KAZ", as_of=date(2023, 3, 10)).days_used == 3

    def test_batch_larger_than_a_chunk(self, svc):
        items = [
            BatchItem(
                "RUS",
                f"P{i % 7:07d}",
                f"x{i}",
                "entry" if i % 2 == 0 else "exit",
                "KZ-ALA",
                at("2023-01-01") + timedelta(days=i),
            )
            for i in range(230)
        ]
        results, *_ = svc.record_batch(OFFICER, items)
        assert Counter(r["status"] for r in results) == {"created": 230}
        assert len({r["traveler_id"] for r in results}) == 7

    # -- corrections, voids, exemptions ----------------------------------------------------------

    def test_corrections_and_voids_change_the_status(self, svc):
        """Entry 03-01, exit typed 03-30: 30 days. Corrected to 03-10: 10. Entry voided: the
        exit alone is an entry_unknown day: 1."""
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        svc.record_crossing(OFFICER, RecordCrossing(tid, "e", "entry", "KZ-ALA", at("2023-03-01")))
        svc.record_crossing(
            OFFICER, RecordCrossing(tid, "x", "exit", "KZ-ALA", at("2023-03-30", 10))
        )
        assert svc.status(tid, "KAZ", as_of=date(2023, 4, 10)).days_used == 30
        body = svc.correct_crossing(
            OFFICER, CorrectCrossing(tid, "x", "typo", occurred_at=at("2023-03-10", 10))
        )
        assert body["local_date"] == "2023-03-10" and body["position"]
        assert svc.status(tid, "KAZ", as_of=date(2023, 4, 10)).days_used == 10
        svc.void_crossing(ADMIN, tid, "e", "wrong traveler")
        status = svc.status(tid, "KAZ", as_of=date(2023, 4, 10))
        assert status.days_used == 1
        assert [a.kind for a in status.anomalies] == ["entry_unknown"]
        types = [e["type"] for e in svc.history(tid)["events"]]
        assert types.count("CrossingCorrected") == 1 and types.count("CrossingVoided") == 1

    def test_exemption_grant_and_end_change_the_status(self, svc):
        """Entered 2023-03-01. Exempt 03-10..2024-03-09: on 06-10 only 03-01..03-09 count (9).
        Ended 05-30 (90 days after entry, no grace): 9 + 05-31..06-10 (11) = 20."""
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        svc.record_crossing(OFFICER, RecordCrossing(tid, "e", "entry", "KZ-ALA", at("2023-03-01")))
        assert svc.status(tid, "KAZ", as_of=date(2023, 6, 10)).days_used == 102
        first, created = svc.grant_exemption(
            OFFICER,
            GrantExemption(
                tid,
                "x1",
                "employment",
                "KAZ",
                date(2023, 3, 10),
                date(2024, 3, 9),
                contract_number="EC-1",
                employer_id="123456789012",
            ),
        )
        assert created
        svc.record_crossing(
            OFFICER, RecordCrossing(tid, "later", "exit", "KZ-ALA", at("2023-09-01"))
        )
        again, created_again = svc.grant_exemption(
            OFFICER,
            GrantExemption(
                tid,
                "x1",
                "employment",
                "KAZ",
                date(2023, 3, 10),
                date(2024, 3, 9),
                contract_number="EC-1",
                employer_id="123456789012",
            ),
        )
        assert created_again is False
        assert again["position"] == first["position"]  # the original grant's, not the ledger's end
        assert svc.status(tid, "KAZ", as_of=date(2023, 6, 10)).days_used == 9
        ended = svc.end_exemption(OFFICER, tid, "x1", date(2023, 5, 30), "terminated")
        assert ended["ended_on"] == "2023-05-30"
        assert svc.status(tid, "KAZ", as_of=date(2023, 6, 10)).days_used == 20

    def test_employer_verification_is_scoped_and_recorded(self, svc):
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        svc.grant_exemption(
            OFFICER,
            GrantExemption(
                tid,
                "x1",
                "employment",
                "KAZ",
                date(2023, 3, 10),
                date(2024, 3, 9),
                contract_number="EC-1",
                employer_id="123456789012",
            ),
        )
        mine = svc.verify_exemption(EMPLOYER, "RUS", "75-1234567", "EC-1", on=date(2023, 6, 1))
        assert mine["status"] == "active" and mine["kind"] == "employment"
        assert mine["valid_until"] == "2024-03-09" and mine["receipt"]
        theirs = svc.verify_exemption(OTHER_EMPLOYER, "RUS", DOC, "EC-1", on=date(2023, 6, 1))
        assert theirs["status"] == "not_found"
        assert theirs["kind"] is None and theirs["valid_from"] is None
        unknown = svc.verify_exemption(EMPLOYER, "RUS", DOC, "EC-404", on=date(2023, 6, 1))
        assert unknown["status"] == "not_found"
        # Only the employer's own contract is recorded on the traveler; the log has every check.
        verified = [e for e in svc.history(tid)["events"] if e["type"] == "ExemptionVerified"]
        assert [(e["data"]["employer_id"], e["data"]["result"]) for e in verified] == [
            ("123456789012", "active")
        ]
        log, _ = svc.verification_log(None, None, 10, None)
        assert [(v["employer_id"], v["status"], v["recorded_on_traveler"]) for v in log] == [
            ("123456789012", "active", True),
            ("999999999999", "not_found", False),
            ("123456789012", "not_found", False),
        ]
        digests = {v["document_digest"] for v in log}
        assert len(digests) == 1 and "1234567" not in digests.pop()

    def test_exemptions_are_scoped_to_the_offices_jurisdiction(self, svc):
        paris = Actor("officer-cdg", office="FR-CDG", posts=frozenset({"FR-CDG"}))
        almaty = Actor("officer-ala", office="KZ-ALA", posts=frozenset({"KZ-ALA"}))
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        grant = ("x1", "family", "KAZ", date(2023, 3, 10), date(2024, 3, 9))
        with pytest.raises(ForbiddenError):
            svc.grant_exemption(paris, GrantExemption(tid, *grant))
        svc.grant_exemption(almaty, GrantExemption(tid, *grant))
        with pytest.raises(ForbiddenError):
            svc.end_exemption(paris, tid, "x1", date(2023, 5, 1), "not mine")
        svc.end_exemption(ADMIN, tid, "x1", date(2023, 5, 1), "admin may")
        types = [e["type"] for e in svc.history(tid)["events"]]
        assert types == ["Registered", "ExemptionGranted", "ExemptionEnded"]

    def test_history_pages_replay_to_the_same_statuses(self, svc):
        """Each page replays the traveler up to its start: fresh services, so nothing cached."""
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        for month in range(1, 10):
            svc.record_crossing(
                OFFICER,
                RecordCrossing(tid, f"e{month}", "entry", "KZ-ALA", at(f"2023-0{month}-01")),
            )
            svc.record_crossing(
                OFFICER, RecordCrossing(tid, f"x{month}", "exit", "KZ-ALA", at(f"2023-0{month}-25"))
            )
        svc.correct_crossing(
            OFFICER, CorrectCrossing(tid, "x3", "typo", occurred_at=at("2023-03-26"))
        )
        whole = self.make_service().history(tid, "KAZ", limit=1000)
        assert whole["next_after_version"] is None and len(whole["events"]) == 20
        paged, after, fresh = [], 0, self.make_service()
        while after is not None:
            page = fresh.history(tid, "KAZ", limit=6, after_version=after)
            assert page["chain_valid"] and page["chain_problems"] == []
            paged += page["events"]
            after = page["next_after_version"]
        assert paged == whole["events"]

    def test_an_edited_event_breaks_the_whole_chain_on_every_page(self, svc):
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        for i, direction in enumerate(["entry", "exit", "entry"]):
            svc.record_crossing(
                OFFICER, RecordCrossing(tid, f"c{i}", direction, "KZ-ALA", at(f"2023-0{i + 2}-01"))
            )
        self.edit_stored_state(svc, tid, 2, b"2023-02-01", b"2023-01-01")
        fresh = self.make_service()
        whole = fresh.history(tid)
        assert whole["chain_valid"] is False
        assert whole["chain_problems"] == [{"version": 2, "kind": "edited"}]
        assert [e["hash_valid"] for e in whole["events"]] == [True, False, True, True]
        later = fresh.history(tid, limit=1, after_version=3)
        assert [e["version"] for e in later["events"]] == [4]
        assert later["chain_valid"] is False and later["chain_problems"] == whole["chain_problems"]

    def test_office_scope_for_recording_and_correcting(self, svc):
        ala_only = Actor("officer-ala", office="KZ-ALA", posts=frozenset({"KZ-ALA"}))
        nqz = Actor("officer-nqz", office="KZ-NQZ")
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        with pytest.raises(ForbiddenError):
            svc.record_crossing(
                ala_only, RecordCrossing(tid, "c0", "entry", "KZ-NQZ", at("2023-03-01"))
            )
        svc.record_crossing(
            ala_only, RecordCrossing(tid, "c1", "entry", "KZ-ALA", at("2023-03-01"))
        )
        with pytest.raises(ForbiddenError):
            svc.correct_crossing(
                nqz, CorrectCrossing(tid, "c1", "typo", occurred_at=at("2023-03-02"))
            )
        with pytest.raises(ForbiddenError):
            svc.void_crossing(nqz, tid, "c1", "dup")
        svc.correct_crossing(
            ADMIN, CorrectCrossing(tid, "c1", "typo", occurred_at=at("2023-03-02"))
        )
        types = [e["type"] for e in svc.history(tid)["events"]]
        assert types == ["Registered", "CrossingRecorded", "CrossingCorrected"]

    def test_verification_after_an_early_end(self, svc):
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        svc.grant_exemption(
            OFFICER,
            GrantExemption(
                tid,
                "x1",
                "employment",
                "KAZ",
                date(2023, 3, 10),
                date(2024, 3, 9),
                contract_number="EC-1",
                employer_id="123456789012",
            ),
        )
        svc.end_exemption(OFFICER, tid, "x1", date(2023, 9, 30), "terminated")
        during = svc.verify_exemption(EMPLOYER, "RUS", DOC, "EC-1", on=date(2023, 9, 30))
        after = svc.verify_exemption(EMPLOYER, "RUS", DOC, "EC-1", on=date(2023, 10, 1))
        assert during["status"] == "active" and after["status"] == "ended"
        assert after["valid_until"] == "2023-09-30"

    # -- bitemporal answers and the audit trail ---------------------------------------------

    def test_status_as_known_at_an_earlier_instant(self):
        """Entry 2024-03-01 recorded at T1; exit 03-05 recorded at T2 > T1. Status on 03-20 as
        known at T1: still present, 20 days; as known now: 5 days, absent."""
        clock = Clock(datetime(2024, 3, 1, 6, tzinfo=UTC))
        svc = self.make_service(clock)
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        svc.record_crossing(OFFICER, RecordCrossing(tid, "e", "entry", "KZ-ALA", at("2024-03-01")))
        t1 = clock.now
        clock.advance(days=10)
        svc.record_crossing(
            OFFICER, RecordCrossing(tid, "x", "exit", "KZ-ALA", at("2024-03-05", 10))
        )
        then = svc.status(tid, "KAZ", as_of=date(2024, 3, 20), known_at=t1)
        now = svc.status(tid, "KAZ", as_of=date(2024, 3, 20))
        assert (then.present, then.days_used) == (True, 20)
        assert (now.present, now.days_used) == (False, 5)
        before = svc.status(tid, "KAZ", as_of=date(2024, 3, 20), known_at=t1 - timedelta(1))
        assert before.days_used == 0

    def test_a_status_reflects_every_write_and_names_its_position(self, svc):
        """Asked twice, then after an exit: the second answer is the first, the third sees the
        exit (entry 2023-02-01, exit 03-01: 29 days) and names the exit's position."""
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        entry, _ = svc.record_crossing(
            OFFICER, RecordCrossing(tid, "e", "entry", "KZ-ALA", at("2023-02-01"))
        )
        first = svc.status(tid, "KAZ", as_of=date(2023, 3, 15))
        assert first == svc.status(tid, "KAZ", as_of=date(2023, 3, 15))
        assert first.position == entry["position"] and first.present is True
        exit_, _ = svc.record_crossing(
            OFFICER, RecordCrossing(tid, "x", "exit", "KZ-ALA", at("2023-03-01", 10))
        )
        after = svc.status(tid, "KAZ", as_of=date(2023, 3, 15))
        assert (after.present, after.days_used) == (False, 29)
        assert after.position == exit_["position"]

    def test_exemption_granted_later_is_unknown_earlier(self):
        """Entered 2024-03-01 (known at T1); exempt 03-05..06-30 granted at T2. On 03-20, as
        known at T1: 20 days; as known at T2: 03-01..03-04 = 4."""
        clock = Clock(datetime(2024, 3, 1, 6, tzinfo=UTC))
        svc = self.make_service(clock)
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        svc.record_crossing(OFFICER, RecordCrossing(tid, "e", "entry", "KZ-ALA", at("2024-03-01")))
        t1 = clock.now
        t2 = clock.advance(days=3)
        svc.grant_exemption(
            OFFICER,
            GrantExemption(
                tid, "x1", "study", "KAZ", date(2024, 3, 5), date(2024, 6, 30), permit_number="S-1"
            ),
        )
        as_of = date(2024, 3, 20)
        assert svc.status(tid, "KAZ", as_of=as_of, known_at=t1).days_used == 20
        assert svc.status(tid, "KAZ", as_of=as_of, known_at=t2).days_used == 4
        with pytest.raises(ValidationError):
            svc.status(tid, "KAZ", as_of=as_of, known_at=datetime(2024, 3, 2))

    def test_concurrent_registrations_of_one_document_make_one_traveler(self, svc):
        threads = 8
        barrier = threading.Barrier(threads)
        answers: list = []
        errors: list[BaseException] = []

        def register(i: int) -> None:
            try:
                barrier.wait(timeout=30)
                spelling = ["75 1234567", "75-1234567", "751234567"][i % 3]
                answers.append(svc.register(OFFICER, "RUS", spelling))
            except BaseException as e:
                errors.append(e)

        pool = [threading.Thread(target=register, args=(i,)) for i in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join(timeout=120)
        assert not errors, errors
        assert len({tid for tid, *_ in answers}) == 1
        assert sum(1 for _, created, *_ in answers if created) == 1
        registered = [t for t, _, _ in self.stored_rows(svc) if t.endswith("Registered")]
        assert len(registered) == 1

    def test_default_as_of_is_today_in_the_reference_zone(self):
        """2024-03-10 20:00Z is already 03-11 in Almaty (UTC+5)."""
        clock = Clock(datetime(2024, 3, 10, 20, tzinfo=UTC))
        svc = self.make_service(clock)
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        assert svc.status(tid, "KAZ").as_of == date(2024, 3, 11)

    def test_history_chain_is_valid(self, svc):
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        svc.record_crossing(OFFICER, RecordCrossing(tid, "e", "entry", "KZ-ALA", at("2023-03-01")))
        svc.grant_exemption(
            OFFICER,
            GrantExemption(
                tid, "x1", "study", "KAZ", date(2023, 3, 10), date(2023, 9, 9), permit_number="S-1"
            ),
        )
        svc.correct_crossing(
            OFFICER, CorrectCrossing(tid, "e", "typo", occurred_at=at("2023-03-02"))
        )
        history = svc.history(tid)
        assert history["chain_valid"]
        events = history["events"]
        assert [e["type"] for e in events] == [
            "Registered",
            "CrossingRecorded",
            "ExemptionGranted",
            "CrossingCorrected",
        ]
        assert all(e["hash_valid"] for e in events)
        assert [e["version"] for e in events] == [1, 2, 3, 4]
        positions = [e["position"] for e in events]
        assert all(positions) and positions == sorted(positions)
        for before, after in zip(events, events[1:], strict=False):
            assert after["previous_hash"] == before["hash"]

    def test_chain_survives_offsets_microseconds_and_unicode(self, svc):
        """Read back from the store, every hashed field must serialise as it did when hashed."""
        from datetime import timezone

        tid, *_ = svc.register(
            OFFICER,
            "KAZ",
            "N 0001",
            surname="Әбілқасымов",
            given_names="Ерлан",
            birth_date=date(1990, 2, 28),
        )
        almaty = timezone(timedelta(hours=6))
        svc.record_crossing(
            OFFICER,
            RecordCrossing(
                tid,
                "c1",
                "entry",
                "KG-FRU",
                datetime(2023, 9, 2, 23, 59, 59, 123456, tzinfo=almaty),
            ),
        )
        svc.grant_exemption(
            OFFICER,
            GrantExemption(
                tid,
                "x1",
                "medical",
                "KGZ",
                date(2023, 9, 3),
                date(2023, 12, 31),
                permit_number="M-Ω-1",
            ),
        )
        fresh = self.make_service()  # nothing cached: events come from the database
        history = fresh.history(tid)
        assert history["chain_valid"], [e["hash_valid"] for e in history["events"]]
        assert len(history["events"]) == 3

    def test_document_number_never_in_plain_text_in_the_index(self, svc):
        number = "75 1234567"
        tid, *_ = svc.register(OFFICER, "RUS", number)
        svc.link_document(OFFICER, tid, "RUS", "76 7654321")
        rows = self.stored_rows(svc)
        keys = [r for r in rows if "DocumentKey" in r[0]]
        assert len(keys) == 2
        spellings = [b"75 1234567", b"751234567", b"76 7654321", b"767654321"]
        for topic, state, originator in keys:
            for s in spellings:
                assert s not in state, topic
                assert s.decode().replace(" ", "") not in originator
            assert str(tid).encode() in state or tid.hex.encode() in state
        # Only the traveler's own events carry the number.
        carrying = {t for t, s, _ in rows if any(x in s for x in spellings)}
        assert carrying <= {
            "borderledger:Traveler.Registered",
            "borderledger:Traveler.DocumentLinked",
        }

    # -- concurrency ----------------------------------------------------------------------------

    @pytest.mark.parametrize("instances", [1, 2], ids=["one-service", "two-services"])
    def test_eight_threads_lose_and_duplicate_nothing(self, svc, instances):
        """Eight writers, five crossings each, on one traveler, plus each writer retrying one
        crossing of its neighbour (same content): 40 crossings, each recorded exactly once.
        With two services on one database (two worker processes), each has its own cache."""
        tid, *_ = svc.register(OFFICER, "RUS", DOC)
        services = [svc] + [self.make_service() for _ in range(instances - 1)]
        for other in services[1:]:
            other.status(tid, "KAZ", as_of=date(2023, 1, 1))  # warm its cache: soon stale
        threads, per = 8, 5
        barrier = threading.Barrier(threads)
        errors: list[BaseException] = []

        def crossing(w: int, i: int):
            n = w * per + i
            direction = "entry" if n % 2 == 0 else "exit"
            return f"w{w}-{i}", direction, at("2023-01-01") + timedelta(days=n)

        def writer(w: int) -> None:
            try:
                barrier.wait(timeout=30)
                for i in range(per):
                    mine = services[w % len(services)]
                    cid, direction, when = crossing(w, i)
                    mine.record_crossing(
                        OFFICER, RecordCrossing(tid, cid, direction, "KZ-ALA", when)
                    )
                    if i == 2:
                        cid, direction, when = crossing((w + 1) % threads, 0)
                        mine.record_crossing(
                            OFFICER, RecordCrossing(tid, cid, direction, "KZ-ALA", when)
                        )
            except BaseException as e:  # reported below, in the test's thread
                errors.append(e)

        pool = [threading.Thread(target=writer, args=(w,)) for w in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join(timeout=120)
        assert not errors, errors
        recorded = self.crossings_recorded(svc, tid)
        expected = {crossing(w, i)[0] for w in range(threads) for i in range(per)}
        assert set(recorded) == expected
        assert all(n == 1 for n in recorded.values())
        history = svc.history(tid)
        assert history["chain_valid"]
        assert len(history["events"]) == 1 + threads * per
        # A fresh service (no cache) reads back the same.
        assert self.crossings_recorded(self.make_service(), tid) == recorded


class TestSQLiteService(ServiceContract):
    @pytest.fixture(autouse=True)
    def _database(self, sqlite_url):
        self.database_url = sqlite_url


class TestPostgresService(ServiceContract):
    @pytest.fixture(autouse=True)
    def _database(self, postgres_url):
        self.database_url = f"{postgres_url}?schema=t_{secrets.token_hex(5)}"
