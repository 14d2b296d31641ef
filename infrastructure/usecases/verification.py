"""Employers checking an exemption by contract, with a signed receipt and a log of every check."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime

from domain.documents import canonical_document_number
from domain.posts import PostRegistry, reference_today
from domain.traveler import Traveler
from infrastructure.documents import document_digest
from infrastructure.ledger import LedgerApplication
from infrastructure.receipts import sign_receipt
from infrastructure.usecases.context import Actor, Store, check_country, utc_now
from infrastructure.verifications import Verification, VerificationLog


class EmployerChecks(Store):
    """An employer's check: the answer, a receipt, the traveler's history and the log."""

    def __init__(
        self,
        app: LedgerApplication,
        posts: PostRegistry,
        document_key: bytes,
        receipt_key: bytes,
        clock: Callable[[], datetime] = utc_now,
    ):
        super().__init__(app, posts, document_key, clock)
        self._receipt_key = receipt_key
        self.verifications = VerificationLog(app)

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
