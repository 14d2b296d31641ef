"""The ledger service: every operation the API offers, as thin load-command-save steps."""

from __future__ import annotations

import random
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.answers import Calculation, PlanAnswer, StatusAnswer
from domain.chain import event_data
from domain.documents import canonical_document_number
from domain.engine import Engine, Facts
from domain.errors import ConflictError, DomainError, ForbiddenError, NotFoundError, ValidationError
from domain.posts import JURISDICTIONS, BorderPost, PostRegistry, reference_today
from domain.rulebook import Rulebook, RuleVersion
from domain.stays import stays_from_dates
from domain.traveler import DocumentKey, RecordedBy, Traveler
from infrastructure.chain_check import check_stored, read_stored
from infrastructure.documents import document_digest, document_key_id
from infrastructure.ledger import LedgerApplication
from infrastructure.receipts import sign_receipt
from infrastructure.replay import Replay
from infrastructure.verifications import Verification, VerificationLog

MAX_RETRIES = 10
HISTORY_PAGE, HISTORY_MAX_PAGE = 200, 1000  # events per history page: default and most
BATCH_CHUNK = 1000  # one transaction per API batch: a commit and a table lock per chunk
_COUNTRY = re.compile(r"[A-Z]{3}")
# The earliest time zones are 14 hours ahead of UTC: a birth there today is not in the future.
_AHEAD = timedelta(hours=14)
# A batch asks for each document's key twice (the chunk's lookup, then the item's traveler).
_batch_key_id = lru_cache(maxsize=4096)(document_key_id)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _backoff(attempt: int) -> None:
    """Wait a random, growing moment before retrying a save that lost a race.

    Without it, writers that lost a race reload and collide again at once: with eight writers
    on one traveler some ran out of retries and raised ConflictError.
    """
    time.sleep(random.uniform(0, min(0.25, 0.002 * 2**attempt)))


@dataclass(frozen=True)
class Actor:
    """Who asks: recorded on events, and the posts a registrar may record at (None: any)."""

    name: str
    office: str | None = None
    admin: bool = False
    posts: frozenset[str] | None = None
    employer_id: str | None = None

    @property
    def recorded_by(self) -> RecordedBy:
        return RecordedBy(self.name, self.office, self.admin)


@dataclass
class BatchItem:
    nationality: str
    document_number: str
    crossing_id: str
    direction: str
    border_post: str
    occurred_at: datetime
    document_type: str = "passport"
    errors: dict = field(default_factory=dict)


def check_country(name: str, value: str) -> None:
    if not isinstance(value, str) or not _COUNTRY.fullmatch(value):
        raise ValidationError({name: ["an ISO 3166-1 alpha-3 code is required"]})


def check_jurisdiction(value: str) -> None:
    if value not in JURISDICTIONS:
        raise ValidationError({"jurisdiction": [f"must be one of {', '.join(JURISDICTIONS)}"]})


class AnswerCache:
    """Engine answers by traveler version and question: a new event makes a new key, so an
    answer never outlives the history it was computed from. Shared by request threads."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._answers: OrderedDict[tuple, dict] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> dict | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, key: tuple, answer: dict) -> dict:
        with self._lock:
            self._answers[key] = answer
            if len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer


class LedgerService:
    """Operations over the ledger; the clock and the rulebook come in from outside."""

    def __init__(
        self,
        app: LedgerApplication,
        rulebook: Rulebook,
        posts: PostRegistry,
        document_key: bytes,
        receipt_key: bytes,
        clock: Callable[[], datetime] = utc_now,
    ):
        self.app = app
        self.rulebook = rulebook
        self.posts = posts
        self._document_key = document_key
        self._receipt_key = receipt_key
        self.clock = clock
        self._answers = AnswerCache()
        self.verifications = VerificationLog(app)

    def forget_answers(self) -> None:
        """Drop cached answers: the benchmarks time the computation, not the cache."""
        self._answers = AnswerCache(self._answers.size)

    # -- helpers -------------------------------------------------------------------------

    def _load(self, traveler_id: UUID) -> Traveler:
        try:
            t = self.app.repository.get(traveler_id)
        except AggregateNotFoundError:
            raise NotFoundError(f"no traveler {traveler_id}") from None
        if not isinstance(t, Traveler):
            raise NotFoundError(f"no traveler {traveler_id}")
        return t

    def _update(self, traveler_id: UUID, command: Callable[[Traveler, datetime], object]):
        """Load, run one command, save; on a concurrent write, reload and run it again."""
        for attempt in range(MAX_RETRIES):
            t = self._load(traveler_id)
            result = command(t, self.clock())
            if not t.pending_events:
                return result, None
            try:
                recordings = self.app.save(t)
            except IntegrityError:
                _backoff(attempt)
                continue
            self.app.repository.keep(t)
            return result, recordings[-1].notification.id
        raise ConflictError("the traveler is being changed concurrently; try again")

    def _claimed(self, nationality: str, document_number: str) -> UUID | None:
        key_id = document_key_id(self._document_key, nationality, document_number)
        try:
            key = self.app.repository.get(key_id)
        except AggregateNotFoundError:
            return None
        return key.traveler_id

    def _post_in_scope(self, actor: Actor, post: BorderPost) -> None:
        if actor.posts is not None and post.code not in actor.posts:
            raise ForbiddenError(f"office {actor.office} may not record at {post.code}")

    def _jurisdiction_in_scope(self, actor: Actor, jurisdiction: str) -> None:
        """A registrar acts only in its office's jurisdiction (its posts'); an admin anywhere."""
        if actor.posts is None:
            return
        if jurisdiction not in {self.posts.get(code).jurisdiction for code in actor.posts}:
            raise ForbiddenError(f"office {actor.office} may not act in {jurisdiction}")

    # -- travelers and documents ---------------------------------------------------------

    def register(
        self,
        actor: Actor,
        nationality: str,
        document_number: str,
        document_type: str = "passport",
        surname: str | None = None,
        given_names: str | None = None,
        birth_date: date | None = None,
    ) -> tuple[UUID, bool, int | None]:
        """Register a traveler; the same nationality and document again gives the same id."""
        check_country("nationality", nationality)
        document_number = canonical_document_number(document_number)
        if birth_date is not None and birth_date > (self.clock() + _AHEAD).date():
            raise ValidationError({"birth_date": ["must not be in the future"]})
        for _ in range(MAX_RETRIES):
            existing = self._claimed(nationality, document_number)
            key_id = document_key_id(self._document_key, nationality, document_number)
            if existing is not None:
                return existing, False, self.app.position_of(key_id, 1)
            traveler = Traveler.register(
                uuid.uuid4(),
                nationality,
                document_type,
                document_number,
                actor.recorded_by,
                self.clock(),
                surname=surname,
                given_names=given_names,
                birth_date=birth_date,
                document_key_id=str(key_id),
            )
            try:
                recordings = self.app.save(traveler, DocumentKey.claim(key_id, traveler.id))
            except IntegrityError:
                continue
            return traveler.id, True, recordings[-1].notification.id
        raise ConflictError("registration raced too often; try again")

    def find_traveler(self, nationality: str, document_number: str) -> UUID:
        check_country("nationality", nationality)
        found = self._claimed(nationality, canonical_document_number(document_number))
        if found is None:
            raise NotFoundError("no traveler with that document")
        return found

    def link_document(
        self,
        actor: Actor,
        traveler_id: UUID,
        nationality: str,
        document_number: str,
        document_type: str = "passport",
    ) -> tuple[bool, int | None]:
        """Link a document; False when already linked to this traveler, 409 if to another."""
        check_country("nationality", nationality)
        document_number = canonical_document_number(document_number)
        for _ in range(MAX_RETRIES):
            owner = self._claimed(nationality, document_number)
            if owner is not None and owner != traveler_id:
                raise ConflictError("that document belongs to another traveler")
            t = self._load(traveler_id)
            key_id = document_key_id(self._document_key, nationality, document_number)
            if owner == traveler_id:
                # Already claimed by this traveler, perhaps linked before numbers were stored
                # canonical: the aggregate compares them as stored and would link a duplicate.
                return False, self.app.position_of(key_id, 1)
            linked = t.link_document(
                nationality,
                document_type,
                document_number,
                actor.recorded_by,
                self.clock(),
                document_key_id=str(key_id),
            )
            if not linked and owner is not None:
                return False, self.app.position_of(key_id, 1)
            pending = [t] + ([] if owner else [DocumentKey.claim(key_id, traveler_id)])
            try:
                recordings = self.app.save(*pending)
            except IntegrityError:
                continue
            return linked or owner is None, recordings[-1].notification.id
        raise ConflictError("the traveler is being changed concurrently; try again")

    # -- crossings -----------------------------------------------------------------------

    def record_crossing(
        self,
        actor: Actor,
        traveler_id: UUID,
        crossing_id: str,
        direction: str,
        border_post: str,
        occurred_at: datetime,
    ) -> tuple[dict, bool]:
        post = self.posts.get(border_post)
        post.local_date(occurred_at)  # content (the local date's range) before scope
        self._post_in_scope(actor, post)

        def command(t: Traveler, now: datetime):
            return t.record_crossing(
                crossing_id, direction, post, occurred_at, actor.recorded_by, now
            )

        (crossing, created), position = self._update(traveler_id, command)
        if not created:
            position = self.app.position_of(traveler_id, crossing.seq)
        return {
            "crossing_id": crossing.crossing_id,
            "local_date": crossing.local_date.isoformat(),
            "jurisdiction": crossing.jurisdiction,
            "position": position,
        }, created

    def record_batch(self, actor: Actor, items: list[BatchItem]) -> tuple[list[dict], int | None]:
        """Record many crossings, one transaction per chunk; a bad item rejects only itself."""
        results: list[dict] = [None] * len(items)  # type: ignore[list-item]
        items = [_canonical(item) for item in items]
        position = None
        for start in range(0, len(items), BATCH_CHUNK):
            chunk = list(range(start, min(start + BATCH_CHUNK, len(items))))
            pos = self._batch_chunk(actor, items, chunk, results)
            position = pos or position
        return results, position

    def _batch_chunk(
        self, actor: Actor, items: list[BatchItem], chunk: list[int], results: list[dict]
    ) -> int | None:
        for attempt in range(MAX_RETRIES):
            now = self.clock()
            travelers: dict[UUID, Traveler] = {}
            claims: dict[UUID, DocumentKey] = {}
            owners = self._chunk_owners(items, chunk)
            outcome: dict[int, dict] = {}
            for i in chunk:
                item = items[i]
                if item.errors:
                    outcome[i] = _rejected(item.crossing_id, item.errors)
                    continue
                try:
                    post = self.posts.get(item.border_post)
                    self._post_in_scope(actor, post)
                    check_country("nationality", item.nationality)
                    t = self._batch_traveler(actor, item, now, travelers, claims, owners)
                    _, created = t.record_crossing(
                        item.crossing_id,
                        item.direction,
                        post,
                        item.occurred_at,
                        actor.recorded_by,
                        now,
                    )
                    outcome[i] = {
                        "crossing_id": item.crossing_id,
                        "status": "created" if created else "duplicate",
                        "traveler_id": str(t.id),
                    }
                except DomainError as e:
                    outcome[i] = _rejected(item.crossing_id, _errors_of(e))
            pending = [t for t in travelers.values() if t.pending_events] + list(claims.values())
            try:
                recordings = self.app.save(*pending) if pending else []
            except IntegrityError:
                _backoff(attempt)
                continue
            for i, doc in outcome.items():
                results[i] = doc
            return recordings[-1].notification.id if recordings else None
        raise ConflictError("the batch met too many concurrent writes; try again")

    def _chunk_owners(self, items: list[BatchItem], chunk: list[int]) -> dict[UUID, UUID | None]:
        """Owner of every document in the chunk (None: unclaimed), in one query, not one each."""
        keys = {
            _batch_key_id(self._document_key, item.nationality, item.document_number)
            for item in (items[i] for i in chunk)
            if not item.errors
            and isinstance(item.nationality, str)
            and isinstance(item.document_number, str)
        }
        found = self.app.claims(list(keys))
        return {key: found.get(key) for key in keys}

    def _batch_traveler(self, actor, item, now, travelers, claims, owners) -> Traveler:
        """The item's traveler: known by document, or registered in the same transaction."""
        doc = (item.nationality, item.document_number)
        # Keyed by the normalised document, so "AC 1" and "AC1" in one batch are one traveler.
        key_id = _batch_key_id(self._document_key, *doc)
        tid = owners[key_id] if key_id in owners else self._claimed(*doc)
        if tid is None:
            t = Traveler.register(
                uuid.uuid4(),
                item.nationality,
                item.document_type,
                item.document_number,
                actor.recorded_by,
                now,
                document_key_id=str(key_id),
            )
            claims[key_id] = DocumentKey.claim(key_id, t.id)
            travelers[t.id] = t
            owners[key_id] = t.id
            return t
        owners[key_id] = tid
        if tid not in travelers:
            travelers[tid] = self._load(tid)
        return travelers[tid]

    def correct_crossing(
        self,
        actor: Actor,
        traveler_id: UUID,
        crossing_id: str,
        reason: str,
        direction: str | None = None,
        border_post: str | None = None,
        occurred_at: datetime | None = None,
    ) -> dict:
        new_post = self.posts.get(border_post) if border_post else None
        if new_post is not None:
            self._post_in_scope(actor, new_post)

        def command(t: Traveler, now: datetime):
            current = t.crossing_version(crossing_id)
            if current is None:
                raise NotFoundError(f"no crossing {crossing_id}")
            post = new_post or self.posts.get(current.crossing.border_post)
            return t.correct_crossing(
                crossing_id, reason, actor.recorded_by, now, post, direction, occurred_at
            )

        crossing, position = self._update(traveler_id, command)
        return {**crossing.as_dict(), "position": position}

    def void_crossing(self, actor: Actor, traveler_id: UUID, crossing_id: str, reason: str) -> dict:
        def command(t: Traveler, now: datetime):
            t.void_crossing(crossing_id, reason, actor.recorded_by, now)

        _, position = self._update(traveler_id, command)
        return {"crossing_id": crossing_id, "voided": True, "position": position}

    # -- exemptions ----------------------------------------------------------------------

    def grant_exemption(
        self,
        actor: Actor,
        traveler_id: UUID,
        exemption_id: str,
        kind: str,
        jurisdiction: str,
        valid_from: date,
        valid_until: date,
        contract_number: str | None = None,
        employer_id: str | None = None,
        permit_number: str | None = None,
    ) -> tuple[dict, bool]:
        check_jurisdiction(jurisdiction)
        self._jurisdiction_in_scope(actor, jurisdiction)

        def command(t: Traveler, now: datetime):
            return t.grant_exemption(
                exemption_id,
                kind,
                jurisdiction,
                valid_from,
                valid_until,
                actor.recorded_by,
                now,
                contract_number=contract_number,
                employer_id=employer_id,
                permit_number=permit_number,
            )

        created, position = self._update(traveler_id, command)
        if not created:
            # An identical retry answers with the position of the original grant.
            seq = self._load(traveler_id).exemptions[exemption_id][0].seq
            position = self.app.position_of(traveler_id, seq)
        return {"exemption_id": exemption_id, "position": position}, created

    def end_exemption(
        self, actor: Actor, traveler_id: UUID, exemption_id: str, ended_on: date, reason: str
    ) -> dict:
        def command(t: Traveler, now: datetime):
            versions = t.exemptions.get(exemption_id)
            if versions is not None:
                self._jurisdiction_in_scope(actor, versions[0].exemption.jurisdiction)
            return t.end_exemption(exemption_id, ended_on, reason, actor.recorded_by, now)

        exemption, position = self._update(traveler_id, command)
        return {**exemption.as_dict(), "position": position}

    def verify_exemption(
        self,
        actor: Actor,
        nationality: str,
        document_number: str,
        contract_number: str,
        on: date | None = None,
    ) -> dict:
        """Tell an employer the exemption's state and dates, nothing else; keep a record.

        Only a check of the employer's own contract goes on the traveler's history; every
        check goes to the verification log, so a stranger's probing is seen but not stored
        on a traveler it did not concern.
        """
        check_country("nationality", nationality)
        document_number = canonical_document_number(document_number)
        now = self.clock()
        employer_id = actor.employer_id or ""
        traveler_id = self._claimed(nationality, document_number)
        answer = {"status": "not_found", "kind": None, "valid_from": None, "valid_until": None}
        day = on
        own = False
        if traveler_id is not None:
            t = self._load(traveler_id)
            exemption = t.exemption_by_contract(contract_number)
            if exemption is not None and exemption.employer_id == employer_id:
                own = True
                day = on or reference_today(exemption.jurisdiction, now)
                answer = {
                    "status": exemption.state_on(day),
                    "kind": exemption.kind,
                    "valid_from": exemption.valid_from.isoformat(),
                    "valid_until": exemption.last_day.isoformat(),
                }
        day = day or now.date()
        body = {
            "receipt_id": str(uuid.uuid4()),
            "employer_id": employer_id,
            "contract_number": contract_number,
            "on": day.isoformat(),
            "checked_at": now.isoformat(),
            **answer,
        }
        receipt = sign_receipt(self._receipt_key, body)
        if own:

            def command(t: Traveler, at: datetime):
                t.record_verification(
                    employer_id,
                    contract_number,
                    day,
                    answer["status"],
                    body["receipt_id"],
                    actor.recorded_by,
                    at,
                )

            self._update(traveler_id, command)
        self.verifications.append(
            Verification(
                checked_at=now,
                employer_id=employer_id,
                actor=actor.name,
                nationality=nationality,
                document_digest=document_digest(self._document_key, nationality, document_number),
                contract_number=contract_number,
                on=day,
                status=answer["status"],
                receipt_id=body["receipt_id"],
                on_traveler=own,
            )
        )
        return {**answer, "on": day.isoformat(), "checked_at": now.isoformat(), "receipt": receipt}

    def verification_log(
        self, employer_id: str | None, since: datetime | None, limit: int, after: int | None
    ) -> tuple[list[dict], int | None]:
        return self.verifications.page(employer_id, since, limit, after)

    # -- answers -------------------------------------------------------------------------

    def status(
        self,
        traveler_id: UUID,
        jurisdiction: str,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> StatusAnswer:
        check_jurisdiction(jurisdiction)
        if known_at is not None and (known_at.tzinfo is None or known_at.utcoffset() is None):
            raise ValidationError({"known_at": ["an instant with a UTC offset is required"]})
        t = self._load(traveler_id)
        as_of = as_of or reference_today(jurisdiction, self.clock())
        return self._status_of(t, jurisdiction, as_of, known_at, self._position_of_head(t))

    def _position_of_head(self, t: Traveler) -> int | None:
        """The ledger position of the traveler's latest event: what a status reflects."""
        key = (t.id, t.version)
        found = self._answers.get(key)
        if found is None:
            found = self._answers.put(key, {"position": self.app.position_of(t.id, t.version)})
        return found["position"]

    def _status_of(
        self,
        t: Traveler,
        jurisdiction: str,
        as_of: date,
        known_at: datetime | None,
        position,
        replay: Replay | None = None,
    ) -> StatusAnswer:
        key = (t.id, t.version, jurisdiction, as_of, known_at)
        answer = self._answers.get(key)
        if answer is None:
            facts = Facts.from_crossings(
                jurisdiction,
                t.nationality,
                replay.crossings_known_at(known_at) if replay else t.crossings_known_at(known_at),
                t.exemptions_known_at(known_at),
                as_of,
            )
            answer = self._answers.put(key, Engine(self.rulebook, facts).status(as_of))
        return replace(answer, traveler_id=t.id, known_at=known_at, position=position)

    def plan(
        self,
        traveler_id: UUID,
        jurisdiction: str,
        entry_on: date,
        planned_stays: list[tuple[date, date]] = (),
    ) -> PlanAnswer:
        check_jurisdiction(jurisdiction)
        _check_stays(planned_stays, open_allowed=False)
        t = self._load(traveler_id)
        facts = Facts.from_crossings(
            jurisdiction, t.nationality, t.crossings_known_at(), t.exemptions_known_at()
        )
        return Engine(self.rulebook, facts).plan(entry_on, list(planned_stays))

    def calculate(
        self,
        jurisdiction: str,
        nationality: str,
        stays: list[tuple[date, date | None]],
        as_of: date | None = None,
        entry_on: date | None = None,
    ) -> Calculation:
        """The engine over stays given in the request; nothing is read or stored."""
        check_jurisdiction(jurisdiction)
        check_country("nationality", nationality)
        _check_stays(stays, open_allowed=True)
        engine = Engine(
            self.rulebook, Facts(jurisdiction, nationality, tuple(stays_from_dates(stays)))
        )
        return Calculation(
            engine.status(as_of) if as_of else None, engine.plan(entry_on) if entry_on else None
        )

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
                "data": _plain(event_data(e)),
                "hash": e.hash,
                "previous_hash": e.__dict__.get("previous_hash", ""),
                "hash_valid": read.sealed and e.originator_version not in invalid,
            }
            replay = _advanced(replay, read) if replay is not None else None
            if replay is not None:
                day = reference_today(with_status, e.recorded_at)
                doc["status"] = self._status_of(
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

    def rules(self) -> tuple[RuleVersion, ...]:
        return self.rulebook.versions

    def border_posts(self) -> list[dict]:
        return [
            {
                "code": p.code,
                "name": p.name,
                "jurisdiction": p.jurisdiction,
                "timezone": p.timezone,
                "office": p.office,
            }
            for p in self.posts.all()
        ]


def _advanced(replay: Replay | None, read) -> Replay | None:
    """The replay after one more event; None (no more statuses) once an event is damaged."""
    if replay is None or not read.sealed:
        return None
    try:
        replay.advance(read.event)
    except Exception:  # noqa: BLE001 - a history that no longer replays has no statuses
        return None
    return replay


def _check_stays(stays, open_allowed: bool) -> None:
    for i, (entry, exit_) in enumerate(stays):
        if exit_ is None and not open_allowed:
            raise ValidationError({f"stays.{i}.exit_on": ["is required"]})
        if exit_ is not None and exit_ < entry:
            raise ValidationError({f"stays.{i}.exit_on": ["is before entry_on"]})
    if open_allowed and sum(1 for _, b in stays if b is None) > 1:
        raise ValidationError({"stays": ["at most one stay may be open"]})


def _canonical(item: BatchItem) -> BatchItem:
    """The item with its document number canonical, or carrying why it cannot be."""
    if item.errors:
        return item
    try:
        number = canonical_document_number(item.document_number)
    except ValidationError as e:
        return replace(item, errors=e.errors)
    return replace(item, document_number=number)


def _rejected(crossing_id: str, errors: dict) -> dict:
    return {"crossing_id": crossing_id, "status": "rejected", "errors": errors}


def _errors_of(e: DomainError) -> dict:
    if isinstance(e, ValidationError):
        return e.errors
    kind = {ConflictError: "conflict", ForbiddenError: "forbidden", NotFoundError: "not_found"}
    return {"_": [f"{kind.get(type(e), 'error')}: {e}"]}


def _plain(data: dict) -> dict:
    out = {}
    for k, v in data.items():
        out[k] = (
            v.isoformat()
            if isinstance(v, (date, datetime))
            else (str(v) if isinstance(v, UUID) else v)
        )
    return out
