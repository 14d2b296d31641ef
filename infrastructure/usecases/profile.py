"""A traveler's personal data as the API answers it: null fields and ``erased`` once erased."""

from __future__ import annotations

from uuid import UUID

from domain.errors import NotFoundError
from domain.traveler import Traveler
from infrastructure.usecases.context import Store


class Profiles(Store):
    """Who the traveler is: the one read that replays a traveler with its personal data."""

    def profile(self, traveler_id: UUID) -> dict:
        t = self.app.replay(traveler_id, personal=True)
        if not isinstance(t, Traveler):
            raise NotFoundError(f"no traveler {traveler_id}")
        erased = t.is_erased
        p = t.profile
        return {
            "traveler_id": t.id,
            "nationality": t.nationality,
            "surname": None if erased else p.surname,
            "given_names": None if erased else p.given_names,
            "birth_date": None if erased else p.birth_date,
            "documents": [
                {
                    "nationality": d.nationality,
                    "document_type": d.document_type,
                    "document_number": None if erased else d.document_number,
                }
                for d in t.documents
            ],
            "erased": erased,
        }
