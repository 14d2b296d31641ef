"""Granting and ending exemptions, within the actor's jurisdiction."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from domain.traveler import Traveler
from infrastructure.usecases.commands import GrantExemption
from infrastructure.usecases.context import Actor, Store, check_jurisdiction, written


class Exemptions(Store):
    """Exemption grants and early ends: load, one command, save."""

    def grant_exemption(self, actor: Actor, cmd: GrantExemption) -> tuple[dict, bool]:
        traveler_id, exemption_id, jurisdiction = (
            cmd.traveler_id,
            cmd.exemption_id,
            cmd.jurisdiction,
        )
        check_jurisdiction(jurisdiction)
        self._jurisdiction_in_scope(actor, jurisdiction)

        def command(t: Traveler, now: datetime):
            return t.grant_exemption(
                exemption_id,
                cmd.kind,
                jurisdiction,
                cmd.valid_from,
                cmd.valid_until,
                actor.recorded_by,
                now,
                contract_number=cmd.contract_number,
                employer_id=cmd.employer_id,
                permit_number=cmd.permit_number,
            )

        created, receipt = self._update(traveler_id, command)
        if not created:
            # An identical retry answers with the position and receipt of the original grant.
            seq = self._load(traveler_id).exemptions[exemption_id][0].seq
            receipt = self._receipt_of(traveler_id, seq)
        return {"exemption_id": exemption_id, **written(receipt)}, created

    def end_exemption(
        self, actor: Actor, traveler_id: UUID, exemption_id: str, ended_on: date, reason: str
    ) -> dict:
        def command(t: Traveler, now: datetime):
            versions = t.exemptions.get(exemption_id)
            if versions is not None:
                self._jurisdiction_in_scope(actor, versions[0].exemption.jurisdiction)
            return t.end_exemption(exemption_id, ended_on, reason, actor.recorded_by, now)

        exemption, receipt = self._update(traveler_id, command)
        return {**exemption.as_dict(), **written(receipt)}
