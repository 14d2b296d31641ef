"""The read side against real SQLite and PostgreSQL: one contract, a factory hook per backend."""

from __future__ import annotations

import dataclasses
import secrets
from datetime import date

import pytest

from domain.engine import Engine, Facts
from domain.rulebook import ALL_PRESENCE, with_policy
from infrastructure.bootstrap import build_runtime
from infrastructure.population import LOADER, load, population
from infrastructure.readside import ReadSide
from infrastructure.settings import Settings
from infrastructure.usecases.context import Actor
from projections.views import AlreadyApplied, Changes

TRAVELERS = 500
DATES = (
    date(2023, 3, 15),
    date(2023, 11, 1),
    date(2024, 10, 1),
    date(2025, 12, 1),
    date(2026, 8, 1),
)
SECRET = "contract-test-secret-" + "k" * 24


def catch_up(read: ReadSide) -> int:
    total = 0
    while n := read.catch_up():
        total += n
    return total


def snapshot(read: ReadSide) -> dict:
    """Every row of the live generation, by traveler."""
    view = read.view()
    ids = sorted(view.traveler_ids())
    facts = view.load_facts(ids)
    return {t: (view.status_of(t), view.deadlines_of(t), facts[t]) for t in ids}


class ReadSideContract:
    """Subclasses give ``url``: a fresh, empty ledger per test class."""

    @pytest.fixture(scope="class")
    @classmethod
    def ledger(cls, url):
        ledger = build_runtime(Settings(database_url=url, secret_key=SECRET))
        plans = population(11, TRAVELERS)
        half = len(plans) // 2
        load(ledger.service, plans[:half])
        catch_up(ledger.read)  # incremental: part now, the rest (with late records) after
        load(ledger.service, plans[half:])
        catch_up(ledger.read)
        return ledger

    def test_caught_up_and_verified(self, ledger):
        lag = ledger.read.lag()[0]
        assert lag["lag"] == 0 and lag["position"] == ledger.service.app.position()
        assert ledger.read.verify() == []

    def test_verify_reports_a_changed_row(self, ledger):
        view = ledger.read.view()
        tid = next(t for t in view.traveler_ids() if view.status_of(t))
        rows = view.status_of(tid)
        position = view.position()
        wrong = dataclasses.replace(rows[0], days_used=(rows[0].days_used or 0) + 1)
        changes = Changes(status={tid: [wrong, *rows[1:]]}, deadlines={tid: view.deadlines_of(tid)})
        changes.existing.add(tid)
        view.commit(changes, position, position)
        try:
            diffs = ledger.read.verify()
            assert [(d["traveler_id"], d["field"]) for d in diffs] == [(str(tid), "days_used")]
        finally:
            changes.status[tid] = rows
            view.commit(changes, position, position)
        assert ledger.read.verify() == []

    def test_a_verification_and_a_link_keep_the_view_verified(self, ledger):
        """Events that change no status still move the version the traveler's rows carry."""
        service, read = ledger.service, ledger.read
        worker = next(p for p in population(11, TRAVELERS) if p.exemptions)
        exemption = worker.exemptions[0]
        employer = Actor("employer", employer_id=exemption["employer_id"])
        nationality, number = worker.nationality, worker.document_number
        service.verify_exemption(employer, nationality, number, exemption["contract_number"])
        tid = service.find_traveler(nationality, number)
        service.link_document(LOADER, tid, nationality, "LINKED-0001")
        catch_up(read)
        version = service.app.repository.get(tid).version
        assert {r.version for r in read.view().status_of(tid)} == {version}
        assert read.verify() == []

    def test_duplicate_delivery_changes_nothing(self, ledger):
        app, read = ledger.service.app, ledger.read
        view = read.view()
        after = view.position()
        load(ledger.service, population(12, 5))
        projection = read.projection(view)
        notes = app.recorder.select_notifications(start=after, limit=1000, inclusive_of_start=False)
        events = [(n.id, app.mapper.to_domain_event(n)) for n in notes]
        projection.process(events, after, notes[-1].id)
        before = snapshot(read)
        with pytest.raises(AlreadyApplied):
            projection.process(events, after, notes[-1].id)
        with pytest.raises(AlreadyApplied):
            projection.process(events[-3:], notes[-4].id, notes[-1].id)
        assert snapshot(read) == before
        assert view.position() == notes[-1].id

    def test_rebuild_equals_incremental(self, ledger):
        read = ledger.read
        catch_up(read)
        incremental = snapshot(read)
        old = read.view().generation
        seen = []
        view = read.rebuild(lambda position: seen.append(read.view().generation))
        assert seen and set(seen) == {old}  # readers kept the old tables until the swap
        assert read.view().generation == view.generation != old
        assert read.generations() == [(view.generation, view.position(), True)]
        assert snapshot(read) == incremental

    def test_overstayers_agree_with_the_engine(self, ledger):
        service, read = ledger.service, ledger.read
        catch_up(read)
        expected = {(j, d): set() for j in ("KAZ", "KGZ", "SCHENGEN") for d in DATES}
        for tid in read.traveler_ids():
            t = service.app.repository.get(tid)
            crossings, exemptions = t.crossings_known_at(), t.exemptions_known_at()
            for j in {c.jurisdiction for c in crossings}:
                for d in DATES:
                    facts = Facts.from_crossings(j, t.nationality, crossings, exemptions, d)
                    answer = Engine(service.rulebook, facts).status(d)
                    periods = answer.overstay.periods
                    if answer.present and periods and periods[-1].last == d:
                        entered = answer.current_stay.entered_on
                        expected[j, d].add((str(tid), entered, periods[-1].days))
        assert sum(map(len, expected.values())) > 20
        for (j, d), want in expected.items():
            got, cursor = [], None
            while True:
                page = read.overstays(j, d, limit=25, cursor=cursor)
                got += [(i["traveler_id"], i["entered_on"], i["days_over"]) for i in page["items"]]
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            assert len(got) == len(set(got))
            assert set(got) == want, (j, d)

    def test_document_index_holds_hashes_not_numbers(self, ledger):
        plan = population(11, TRAVELERS)[0]
        tid = ledger.service.find_traveler(plan.nationality, plan.document_number)
        assert ledger.read.find_document(plan.nationality, plan.document_number) == tid
        assert ledger.read.find_document(plan.nationality, "NOT-A-NUMBER") is None

    def test_rulebook_change_recomputes_rows(self, ledger):
        service = ledger.service
        catch_up(ledger.read)
        longer = with_policy(
            service.rulebook, "KAZ-EAEU-90-180", exempt_days_count_later=True, source="changed"
        )
        assert longer.digest != service.rulebook.digest
        key = ledger.read.document_key
        other = ReadSide(service.app, longer, key)
        assert other.catch_up() > 0
        catch_up(other)
        view = other.view()
        digests = {r.rulebook for t in view.traveler_ids() for r in view.status_of(t)}
        assert digests == {longer.digest}
        assert other.verify() == []

    def test_rows_under_the_old_look_back_are_recomputed(self, ledger):
        """Rows projected while KAZ-EAEU-90-180 counted all presence are stale under the
        shipped rulebook (days since 27 January 2023 only) and are recomputed by catching up."""
        service = ledger.service
        old = with_policy(service.rulebook, "KAZ-EAEU-90-180", lookback=ALL_PRESENCE)
        assert old.digest != service.rulebook.digest
        before = ReadSide(service.app, old, ledger.read.document_key)
        catch_up(before)
        assert {
            r.rulebook for t in before.view().traveler_ids() for r in before.view().status_of(t)
        } == {old.digest}
        assert before.verify() == []
        assert ledger.read.stale_rows() > 0
        assert ledger.read.catch_up() > 0
        catch_up(ledger.read)
        view = ledger.read.view()
        digests = {r.rulebook for t in view.traveler_ids() for r in view.status_of(t)}
        assert digests == {service.rulebook.digest}
        assert ledger.read.stale_rows() == 0
        assert ledger.read.verify() == []


class TestSqlite(ReadSideContract):
    @pytest.fixture(scope="class")
    @classmethod
    def url(cls, tmp_path_factory):
        return f"sqlite:///{tmp_path_factory.mktemp('readside')}/ledger.db"


@pytest.mark.postgres
class TestPostgres(ReadSideContract):
    @pytest.fixture(scope="class")
    @classmethod
    def url(cls, postgres_url):
        return f"{postgres_url}?schema=readside_{secrets.token_hex(4)}"
