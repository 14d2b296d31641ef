"""The naive peer: the eventsourcing library used the plain way, as its examples show."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from functools import singledispatchmethod
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresFactory, PostgresTrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.utils import Environment
from psycopg.sql import SQL, Identifier

from domain.answers import StatusAnswer
from domain.engine import Engine, Facts
from domain.rulebook import Rulebook
from domain.traveler import Traveler
from infrastructure.settings import persistence_env


class Visitor(Aggregate):
    """A traveler written the declarative way: one decorated method per event."""

    @event("Registered")
    def __init__(self, nationality: str, document_number: str):
        self.nationality = nationality
        self.document_number = document_number
        self.crossings: list[dict] = []

    @event("CrossingRecorded")
    def record_crossing(
        self, crossing_id: str, direction: str, border_post: str, occurred_at: datetime
    ) -> None:
        self.crossings.append(
            {
                "crossing_id": crossing_id,
                "direction": direction,
                "border_post": border_post,
                "occurred_at": occurred_at,
            }
        )


class NaiveApplication(Application[UUID]):
    """Load, command, save: no cache, no batching, the library's defaults."""

    name = "Naive"

    def __init__(self, db_url: str):
        super().__init__(env=persistence_env(f"{db_url}?schema=public"))

    def construct_env(self, name: str, env: dict | None = None) -> Environment:
        return Environment(name, dict(env or {}))

    def record(self, visitor_id: UUID, *crossing) -> None:
        visitor: Visitor = self.repository.get(visitor_id)
        visitor.record_crossing(*crossing)
        self.save(visitor)


class NaiveStatusView(PostgresTrackingRecorder):
    """One status row per traveler and jurisdiction, written with its tracking row."""

    def __init__(self, datastore, **kwargs):
        super().__init__(datastore, **kwargs)
        self.table = Identifier(datastore.schema), Identifier("naive_status")
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.{} (traveler_id uuid, jurisdiction text,"
                " doc jsonb, PRIMARY KEY (traveler_id, jurisdiction))"
            ).format(*self.table)
        )
        self.upsert = SQL(
            "INSERT INTO {}.{} VALUES (%s, %s, %s) ON CONFLICT (traveler_id, jurisdiction)"
            " DO UPDATE SET doc = EXCLUDED.doc"
        ).format(*self.table)

    def put(
        self, traveler_id: UUID, jurisdiction: str, answer: StatusAnswer, tracking: Tracking
    ) -> None:
        with self.datastore.transaction(commit=True) as curs:
            row = (traveler_id, jurisdiction, json.dumps(asdict(answer), default=str))
            curs.execute(self.upsert, row, prepare=True)
            self._insert_tracking(curs, tracking)

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("TRUNCATE {}.{}").format(*self.table))
            curs.execute(
                SQL("TRUNCATE {}.{}").format(
                    Identifier(self.datastore.schema), Identifier(self.tracking_table_name)
                )
            )


class NaiveStatusProjection(Projection[NaiveStatusView]):
    """Status per event, each in its own transaction, like the library's example projections."""

    def __init__(self, view: NaiveStatusView, rulebook: Rulebook, as_of):
        super().__init__(view)
        self.rulebook = rulebook
        self.as_of = as_of
        self.travelers: dict[UUID, Traveler] = {}

    @singledispatchmethod
    def process_event(self, domain_event, tracking: Tracking) -> None:
        self.travelers[domain_event.originator_id] = domain_event.mutate(
            self.travelers.get(domain_event.originator_id)
        )
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, domain_event: Traveler.CrossingRecorded, tracking: Tracking) -> None:
        t = domain_event.mutate(self.travelers[domain_event.originator_id])
        self.travelers[t.id] = t
        facts = Facts.from_crossings(
            domain_event.jurisdiction,
            t.nationality,
            t.crossings_known_at(),
            t.exemptions_known_at(),
            self.as_of,
        )
        answer = Engine(self.rulebook, facts).status(self.as_of)
        self.view.put(t.id, domain_event.jurisdiction, answer, tracking)


def status_view(db_url: str) -> NaiveStatusView:
    env = Environment("NaiveStatus", persistence_env(f"{db_url}?schema=public"))
    return PostgresFactory(env).tracking_recorder(NaiveStatusView)
