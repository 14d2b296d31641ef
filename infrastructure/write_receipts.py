"""Signed receipts of writes: what the ledger acknowledged, provable later with its public key.

A receipt names the position and the record hash of the last event a write stored (the value
the hash chain and the running ledger hash use), taken from what the save path stored: no read
back. ``signed_at`` is the instant the ledger recorded that event, and Ed25519 signatures are
deterministic, so a retried write answers the very same receipt. It is signed in the write's
process when first rendered: bulk loaders that never show one do not pay a signature per call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from domain.chain import receipt_message
from infrastructure.keys import LedgerKeys


@dataclass(frozen=True)
class WriteReceipt:
    position: int
    event_hash: str
    signed_at: str
    keys: LedgerKeys = field(repr=False, compare=False)

    @cached_property
    def signature(self) -> str:
        """Ed25519 over ``receipt_message``, base64url without padding."""
        message = receipt_message(
            position=self.position, event_hash=self.event_hash, signed_at=self.signed_at
        )
        return self.keys.sign(message)

    def as_dict(self) -> dict:
        return {
            "position": self.position,
            "event_hash": self.event_hash,
            "signed_at": self.signed_at,
            "signature": self.signature,
        }
