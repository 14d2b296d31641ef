"""The application's save path (checked against eventsourcing 9.5.6).

``save`` is the library's ``Application.save`` with its private ``_record``,
``_take_snapshots`` and ``_notify``; ``LedgerProcessingEvent`` is its ``ProcessingEvent``.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Aggregate


class LedgerProcessingEvent(ProcessingEvent[UUID]):
    """The library's, with a nominal ``isinstance`` first: checks against its runtime Protocols
    are slow on Python 3.11, and there are two per saved aggregate (bench: ledger_batch)."""

    def collect_events(self, *objs, **kwargs) -> None:
        for obj in objs:
            if isinstance(obj, Aggregate):
                self.events.extend(obj.collect_events())
                self.aggregates[obj.id] = obj
            else:
                super().collect_events(obj)
        self.saved_kwargs.update(kwargs)


def save(app: Application, *objs, **kwargs):
    """The library's ``Application.save``, collecting with ``LedgerProcessingEvent``."""
    processing_event = LedgerProcessingEvent()
    processing_event.collect_events(*objs, **kwargs)
    recordings = app._record(processing_event)
    app._take_snapshots(processing_event)
    app._notify(recordings)
    app.notify(processing_event.events)
    return recordings
