"""The read side of the seal: a mapper that checks each event before it is decoded.

``to_domain_event`` calls ``super()`` with the seal cut off, so a mapper that decrypts fields
(also a ``Mapper`` subclass calling ``super()``) composes with it by inheritance.
"""

from __future__ import annotations

from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent

from domain.chain import EDITED
from domain.errors import LedgerIntegrityError
from infrastructure.eventstore.personal import PersonalMapper
from infrastructure.eventstore.sealing import opened, seal_holds, sealed


class SealingMapper(Mapper):
    """Refuses an event whose seal does not hold; gives each decoded event its ``hash``."""

    def __init__(self, *args, seal_key: bytes, **kwargs):
        super().__init__(*args, **kwargs)
        self.seal_key = seal_key

    def sealed(self, stored: StoredEvent, previous_hash: str) -> tuple[StoredEvent, str]:
        return sealed(self.seal_key, stored, previous_hash)

    def to_domain_event(self, stored_event: StoredEvent, **options):
        event = opened(stored_event)
        if event is None or not seal_holds(self.seal_key, event):
            raise LedgerIntegrityError(
                stored_event.originator_id, stored_event.originator_version, EDITED
            )
        try:
            domain_event = super().to_domain_event(
                StoredEvent(
                    stored_event.originator_id,
                    stored_event.originator_version,
                    stored_event.topic,
                    event.body,
                ),
                **options,
            )
        except (MapperDeserialisationError, ValueError, TypeError, KeyError) as e:
            raise LedgerIntegrityError(
                stored_event.originator_id, stored_event.originator_version, EDITED
            ) from e
        domain_event.__dict__["hash"] = event.hash
        return domain_event

    def decode_damaged(self, stored_event: StoredEvent, **options):
        """A damaged event decoded as it now stands, to show it; None when it cannot be."""
        event = opened(stored_event)
        state = event.body if event is not None else stored_event.state
        try:
            domain_event = super().to_domain_event(
                StoredEvent(
                    stored_event.originator_id,
                    stored_event.originator_version,
                    stored_event.topic,
                    state,
                ),
                **options,
            )
        except Exception:  # noqa: BLE001 - whatever the damage, it is shown as undecodable
            return None
        domain_event.__dict__["hash"] = event.hash if event is not None else ""
        return domain_event


class LedgerMapper(SealingMapper, PersonalMapper):
    """Seals are checked first; then personal fields are decrypted with the traveler's key."""

    def to_pseudonymous_event(self, stored_event: StoredEvent):
        """The sealed event with its personal fields None, reading no key (projections)."""
        return self.to_domain_event(stored_event, personal=False)

    def to_personal_event(self, stored_event: StoredEvent):
        """The sealed event with its personal fields decrypted (history, profile)."""
        return self.to_domain_event(stored_event, personal=True)
