"""A traveler's audit trail: its events page by page, the chain checked, statuses as they were."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

from domain.chain import event_data
from domain.errors import NotFoundError, ValidationError
from domain.posts import PostRegistry, reference_today
from domain.traveler import Traveler
from infrastructure.chain_check import check_stored, read_stored
from infrastructure.eventstore.personal import PERSONAL_FIELDS
from infrastructure.ledger import LedgerApplication
from infrastructure.replay import Replay
from infrastructure.usecases.answers import Answers
from infrastructure.usecases.context import Store, check_jurisdiction, utc_now

HISTORY_PAGE, HISTORY_MAX_PAGE = 200, 1000  # events per history page: default and most


class Audit(Store):
    """History pages; statuses come from the answers use case, so they share its cache."""

    def __init__(
        self,
        app: LedgerApplication,
        posts: PostRegistry,
        document_key: bytes,
        answers: Answers,
        clock: Callable[[], datetime] = utc_now,
    ):
        super().__init__(app, posts, document_key, clock)
        self.answers = answers

    def history(
        self,
        traveler_id: UUID,
        with_status: str | None = None,
        limit: int = HISTORY_PAGE,
        after_version: int = 0,
    ) -> dict:
        """A page of events, oldest first; ``chain_valid`` covers the whole history's chain.

        Hashing every event is cheap next to statuses, so the chain is checked in full; the
        traveler is replayed up to the page once, and statuses are computed for its events only.
        """
        if with_status is not None:
            check_jurisdiction(with_status)
        if not 1 <= limit <= HISTORY_MAX_PAGE:
            raise ValidationError({"limit": [f"must be between 1 and {HISTORY_MAX_PAGE}"]})
        if after_version < 0:
            raise ValidationError({"after_version": ["must not be negative"]})
        stored = self.app.recorder.select_events(traveler_id)
        if not stored or not stored[0].topic.startswith(f"{Traveler.TOPIC}."):
            raise NotFoundError(f"no traveler {traveler_id}")
        problems = [
            {"version": p.version, "kind": p.kind}
            for p in check_stored(self.app.keys.seal_key, stored)
        ]
        # Once erased, personal fields answer null even where a key is still cached elsewhere.
        erased = any(s.topic == Traveler.Erased.TOPIC for s in stored)
        page = [e for e in stored if e.originator_version > after_version][:limit]
        positions = self.app.positions(traveler_id) if page else {}
        invalid = {p["version"] for p in problems}
        replay = Replay() if with_status is not None and page else None
        if replay is not None:
            for e in stored:
                if e.originator_version > after_version:
                    break
                replay = _advanced(replay, read_stored(self.app.mapper, e))
        out = []
        for s in page:
            read = read_stored(self.app.mapper, s)
            e = read.event
            if e is None:
                continue  # undecodable: named in chain_problems, nothing to show
            doc = {
                "position": positions.get(e.originator_version),
                "version": e.originator_version,
                "type": type(e).__name__,
                "topic": type(e).TOPIC,
                "recorded_at": e.recorded_at.isoformat(),
                "recorded_by": {"actor": e.actor, "office": e.office},
                "data": _personal(_plain(event_data(e)), type(e).TOPIC, erased),
                "hash": e.hash,
                "previous_hash": e.__dict__.get("previous_hash", ""),
                "hash_valid": read.sealed and e.originator_version not in invalid,
            }
            replay = _advanced(replay, read) if replay is not None else None
            if replay is not None:
                day = reference_today(with_status, e.recorded_at)
                doc["status"] = self.answers.status_of(
                    replay.traveler, with_status, day, e.recorded_at, doc["position"], replay
                )
            out.append(doc)
        more = bool(page) and page[-1].originator_version < stored[-1].originator_version
        return {
            "traveler_id": str(traveler_id),
            "events": out,
            "chain_valid": not problems,
            "chain_problems": problems,
            "next_after_version": page[-1].originator_version if more else None,
        }


def _advanced(replay: Replay | None, read) -> Replay | None:
    """The replay after one more event; None (no more statuses) once an event is damaged."""
    if replay is None or not read.sealed:
        return None
    try:
        replay.advance(read.event)
    except Exception:  # noqa: BLE001 - a history that no longer replays has no statuses
        return None
    return replay


def _personal(data: dict, topic: str, erased: bool) -> dict:
    """An event's data with ``erased`` beside its personal fields, nulled once erased."""
    names = PERSONAL_FIELDS.get(topic)
    if not names:
        return data
    if erased:
        data.update(dict.fromkeys(names))
    data["erased"] = erased
    return data


def _plain(data: dict) -> dict:
    out = {}
    for k, v in data.items():
        out[k] = (
            v.isoformat()
            if isinstance(v, (date, datetime))
            else (str(v) if isinstance(v, UUID) else v)
        )
    return out
