"""One traveler's ledger: events (the audit contract), commands, history, and the facts mapping."""

from domain.traveler.aggregate import RecordedBy, Traveler
from domain.traveler.document import DocumentKey

__all__ = ["DocumentKey", "RecordedBy", "Traveler"]
