"""Settings from the environment, read once at start-up and passed down explicitly."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlparse

from domain.rulebook import KAZ_DEFAULT_EFFECTIVE
from infrastructure.keys import KeyProblem, LedgerKeys, load_keys

DEFAULT_DATABASE_URL = "sqlite:///borderledger.db"
KEY_FILE_NAME = "borderledger.key"
MIN_SECRET_BYTES = 32  # HS256's own key size: a shorter key can be guessed offline from a token
MAX_TOKEN_TTL_SECONDS = 30 * 24 * 3600


class ConfigurationError(Exception):
    """A setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = ""
    index_key: str = ""
    kaz_effective: date = KAZ_DEFAULT_EFFECTIVE
    posts_file: str | None = None
    calculator_per_minute: int = 600
    verification_per_minute: int = 60
    token_ttl_seconds: int = 8 * 3600
    max_body_bytes: int = 2 * 1024 * 1024
    trusted_proxies: int = 0  # proxies in front whose X-Forwarded-Proto the pages believe
    # The master data key and the signing key; fresh ones unless read from the environment.
    keys: LedgerKeys = field(default_factory=LedgerKeys.generate, repr=False)

    def __post_init__(self) -> None:
        """Every process refuses a weak key or a long token life at start, with the fix."""
        _check_secret(self.secret_key)
        if not 0 < self.token_ttl_seconds <= MAX_TOKEN_TTL_SECONDS:
            raise ConfigurationError(
                f"BORDERLEDGER_TOKEN_TTL_SECONDS must be 1 to {MAX_TOKEN_TTL_SECONDS} (30 days)"
            )

    @classmethod
    def from_env(cls, environ: dict | None = None) -> Settings:
        env = os.environ if environ is None else environ
        url = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
        secret = env.get("BORDERLEDGER_SECRET_KEY") or _kept_secret(key_file(env, url))
        _check_secret(secret)
        try:
            keys = load_keys(env, key_file(env, url).parent)
        except KeyProblem as e:
            raise ConfigurationError(str(e)) from e
        try:
            kaz = date.fromisoformat(
                env.get("BORDERLEDGER_KAZ_EFFECTIVE_DATE") or KAZ_DEFAULT_EFFECTIVE.isoformat()
            )
            return cls(
                database_url=url,
                secret_key=secret,
                index_key=env.get("BORDERLEDGER_INDEX_KEY") or "",
                kaz_effective=kaz,
                posts_file=env.get("BORDERLEDGER_POSTS_FILE") or None,
                calculator_per_minute=int(env.get("BORDERLEDGER_CALCULATOR_PER_MINUTE") or 600),
                verification_per_minute=int(env.get("BORDERLEDGER_VERIFICATION_PER_MINUTE") or 60),
                token_ttl_seconds=int(env.get("BORDERLEDGER_TOKEN_TTL_SECONDS") or 8 * 3600),
                max_body_bytes=int(env.get("BORDERLEDGER_MAX_BODY_BYTES") or 2 * 1024 * 1024),
                trusted_proxies=int(env.get("BORDERLEDGER_TRUSTED_PROXIES") or 0),
                keys=keys,
            )
        except ValueError as e:
            raise ConfigurationError(str(e)) from e

    @property
    def document_key(self) -> bytes:
        """Key of the document index's keyed hash (stable even if the token key rotates)."""
        return (self.index_key or self.secret_key).encode()


def _check_secret(secret: str) -> None:
    size = len(secret.encode())
    if size < MIN_SECRET_BYTES:
        raise ConfigurationError(
            f"BORDERLEDGER_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes, not {size};"
            " make one with: python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )


def key_file(env, database_url: str) -> Path:
    """Where a generated key is kept: fixed by configuration, never the working directory.

    ``BORDERLEDGER_KEY_FILE`` if set; else beside a SQLite database file; else (PostgreSQL, an
    in-memory SQLite) in the user's configuration folder, so every directory sees one key.
    """
    if env.get("BORDERLEDGER_KEY_FILE"):
        return Path(env["BORDERLEDGER_KEY_FILE"]).expanduser()
    path = sqlite_path(database_url)
    if path not in (None, ":memory:"):
        return Path(path).resolve().parent / KEY_FILE_NAME
    config = env.get("XDG_CONFIG_HOME") or ""
    if not os.path.isabs(config):  # the XDG rule: a relative value is ignored
        config = os.path.join(env.get("HOME") or Path.home(), ".config")
    return Path(config) / "borderledger" / KEY_FILE_NAME


def _kept_secret(path: Path) -> str:
    """A signing key generated once and kept in ``path`` (mode 0600)."""
    if path.exists():
        secret = path.read_text().strip()
        if not secret:
            raise ConfigurationError(f"the key file {path} is empty")
        return secret
    secret = secrets.token_urlsafe(48)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")
    return secret


def sqlite_path(database_url: str) -> str | None:
    if not database_url.startswith("sqlite://"):
        return None
    rest = database_url[len("sqlite://") :]
    return unquote(rest[1:] if rest.startswith("/") else rest) or ":memory:"


def persistence_env(database_url: str) -> dict[str, str]:
    """The eventsourcing library's settings for a DATABASE_URL."""
    parsed = urlparse(database_url)
    if parsed.scheme == "sqlite":
        path = sqlite_path(database_url)
        if path == ":memory:":
            path = f"file:borderledger_{secrets.token_hex(6)}?mode=memory&cache=shared"
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    if parsed.scheme in ("postgres", "postgresql"):
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": (parsed.path or "/postgres")[1:] or "postgres",
            "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parsed.port or 5432),
            "POSTGRES_USER": unquote(parsed.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parsed.password or ""),
            "POSTGRES_SCHEMA": schema_of(database_url),
            # The longest wait for a pooled connection (the library names it a connect
            # timeout): with infrastructure.retries, a dead store answers 503 within ~2 s.
            "POSTGRES_CONNECT_TIMEOUT": "1",
            # The recorder retries a lock timeout ten times; keep each wait short.
            "POSTGRES_LOCK_TIMEOUT": "5",
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "10",
            "POSTGRES_POOL_SIZE": "5",
            "POSTGRES_MAX_OVERFLOW": "10",
            # No ping per pool checkout (a round trip each): the recorder already retries
            # on a broken connection, and the pool drops connections that fail.
            "POSTGRES_PRE_PING": "n",
        }
    raise ConfigurationError(f"unsupported DATABASE_URL scheme {parsed.scheme!r}")


def schema_of(database_url: str) -> str:
    """The PostgreSQL schema: ``?schema=`` in the URL, else ``borderledger``."""
    query = urlparse(database_url).query
    for part in query.split("&"):
        if part.startswith("schema="):
            return part[len("schema=") :]
    return "borderledger"


def is_postgres(database_url: str) -> bool:
    return urlparse(database_url).scheme in ("postgres", "postgresql")


def postgres_dsn(database_url: str) -> str:
    """The URL without our own query parameters, for psycopg."""
    return database_url.split("?", 1)[0].replace("postgres://", "postgresql://", 1)
