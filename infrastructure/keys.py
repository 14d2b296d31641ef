"""The keys that never sit in the database: the master data key and the ledger's signing key.

The token key is ``Settings.secret_key``; the two here are loaded from the environment or
generated once into files (mode 0600) beside the token key's file, as ``borderledger.key`` is.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DATA_KEY_FILE_NAME = "borderledger.data-key"
SIGNING_KEY_FILE_NAME = "borderledger-signing.pem"
DATA_KEY_BYTES = 32


class KeyProblem(Exception):
    """A key is missing, unreadable or malformed (raised as ConfigurationError by settings)."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class LedgerKeys:
    """The master data key (wraps each traveler's data key) and the Ed25519 signing key."""

    data_key: bytes = field(repr=False)
    signing_key: Ed25519PrivateKey = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.data_key) != DATA_KEY_BYTES:
            raise KeyProblem(f"the master data key must be {DATA_KEY_BYTES} bytes")

    @classmethod
    def generate(cls) -> LedgerKeys:
        """Fresh keys, for a process or test that keeps nothing."""
        return cls(os.urandom(DATA_KEY_BYTES), Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    @property
    def public_pem(self) -> str:
        return public_pem(self.public_key)

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key)

    @property
    def seal_key(self) -> bytes:
        """HMAC key that seals each stored event: derived, so there is no fourth key to keep."""
        private = self.signing_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return HKDF(hashes.SHA256(), 32, salt=None, info=b"borderledger event seal").derive(private)

    def sign(self, message: bytes) -> str:
        """Ed25519 signature of ``message``, base64url without padding."""
        return _b64(self.signing_key.sign(message))


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def key_id_of(key: Ed25519PublicKey) -> str:
    """A short name for a public key: the first 16 hex digits of SHA-256 of its raw bytes."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(pem: str | bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    if not isinstance(key, Ed25519PublicKey):
        raise KeyProblem("not an Ed25519 public key")
    return key


def signature_valid(key: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64url) is ``key``'s signature of ``message``; never raises."""
    try:
        key.verify(_unb64(signature), message)
    except (InvalidSignature, ValueError, binascii.Error, TypeError):
        return False
    return True


def load_keys(env, folder: Path) -> LedgerKeys:
    """Keys from ``BORDERLEDGER_DATA_KEY`` / ``BORDERLEDGER_SIGNING_KEY``, else kept files."""
    return LedgerKeys(_data_key(env, folder), _signing_key(env, folder))


def _data_key(env, folder: Path) -> bytes:
    text = env.get("BORDERLEDGER_DATA_KEY")
    source = "BORDERLEDGER_DATA_KEY"
    if not text:
        path = folder / DATA_KEY_FILE_NAME
        source = str(path)
        if not path.exists():
            _write_private(path, base64.b64encode(os.urandom(DATA_KEY_BYTES)) + b"\n")
        text = path.read_text().strip()
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != DATA_KEY_BYTES:
        raise KeyProblem(
            f"{source}: the master data key must be base64 of {DATA_KEY_BYTES} bytes;"
            " make one with: python3 -c 'import base64, os;"
            " print(base64.b64encode(os.urandom(32)).decode())'"
        )
    return raw


def _signing_key(env, folder: Path) -> Ed25519PrivateKey:
    configured = env.get("BORDERLEDGER_SIGNING_KEY")
    path = Path(configured).expanduser() if configured else folder / SIGNING_KEY_FILE_NAME
    if not configured and not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private(path, pem)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as e:
        raise KeyProblem(f"the signing key {path} cannot be read: {e}") from e
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"the signing key {path} is not an Ed25519 private key")
    return key


def _write_private(path: Path, content: bytes) -> None:
    """Create ``path`` whole, mode 0600, or leave the one a racing process made first."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        draft.unlink()
