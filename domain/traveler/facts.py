"""Events to engine facts: the one mapping the aggregate, the projection and the read side use."""

from __future__ import annotations

import dataclasses

from domain.records import Crossing, Exemption


def crossing_of(event, seq: int) -> Crossing:
    """The crossing a ``CrossingRecorded``/``CrossingCorrected`` states; ``seq`` is the version
    that first recorded it (a correction keeps the original's place among equal instants)."""
    return Crossing(
        crossing_id=event.crossing_id,
        direction=event.direction,
        border_post=event.border_post,
        jurisdiction=event.jurisdiction,
        occurred_at=event.occurred_at,
        local_date=event.local_date,
        seq=seq,
    )


def exemption_of(event) -> Exemption:
    """The exemption an ``ExemptionGranted`` grants."""
    return Exemption(
        exemption_id=event.exemption_id,
        kind=event.kind,
        jurisdiction=event.jurisdiction,
        valid_from=event.valid_from,
        valid_until=event.valid_until,
        contract_number=event.contract_number,
        employer_id=event.employer_id,
        permit_number=event.permit_number,
    )


def ended(exemption: Exemption, event) -> Exemption:
    """``exemption`` after an ``ExemptionEnded``."""
    return dataclasses.replace(exemption, ended_on=event.ended_on, end_reason=event.reason)
