"""Verification receipts an employer can keep: signed, and named on the traveler's history."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json


def sign_receipt(key: bytes, body: dict) -> str:
    """A compact signed token: base64 of the body, a dot, and its HMAC."""
    payload = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    encoded = base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
    mac = hmac.new(key, encoded.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{encoded}.{mac}"
