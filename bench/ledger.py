"""The ledger under test: the real service on its own schema, pre-loaded with a population."""

from __future__ import annotations

import base64
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from infrastructure.bootstrap import build_runtime
from infrastructure.keys import SIGNING_KEY_FILE_NAME, load_keys
from infrastructure.population import PlannedTraveler, load, population
from infrastructure.readside import ReadSide
from infrastructure.service import LedgerService
from infrastructure.settings import Settings

SCHEMA = "ledger"
TABLE = "borderledger_events"
SEED = 2023
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def fixed_clock() -> datetime:
    """A fixed "now" after the population's last crossing, so the run needs no real date."""
    return NOW


@dataclass
class Ledger:
    service: LedgerService
    read: ReadSide
    url: str
    plans: list[PlannedTraveler]
    traveler_ids: list[UUID]
    aside: LedgerService | None = None
    # Where the run's keys are kept, for the server processes to read the same ones.
    key_folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bench-keys-")))

    @property
    def key_env(self) -> dict[str, str]:
        keys = self.service.app.keys
        return {
            "BORDERLEDGER_DATA_KEY": base64.b64encode(keys.data_key).decode(),
            "BORDERLEDGER_SIGNING_KEY": str(self.key_folder / SIGNING_KEY_FILE_NAME),
        }

    def set_aside(self) -> LedgerService:
        """A service on a schema of its own, for cases whose data must not weigh on the
        others' (the 2,000-crossing traveler would slow the rebuild and grow the raw read)."""
        if self.aside is None:
            url = f"{self.url.split('?', 1)[0]}?schema={SCHEMA}_aside"
            settings = Settings(database_url=url, secret_key="bench-secret-" + "b" * 32)
            self.aside = build_runtime(settings, clock=fixed_clock).service
        return self.aside

    def close(self) -> None:
        self.service.app.close()
        if self.aside is not None:
            self.aside.app.close()
        shutil.rmtree(self.key_folder, ignore_errors=True)


def open_ledger(db_url: str, travelers: int, seed: int = SEED) -> Ledger:
    """A service on ``db_url``'s ``ledger`` schema with ``travelers`` loaded in batches."""
    url = f"{db_url}?schema={SCHEMA}"
    folder = Path(tempfile.mkdtemp(prefix="bench-keys-"))
    settings = Settings(
        database_url=url, secret_key="bench-secret-" + "b" * 32, keys=load_keys({}, folder)
    )
    built = build_runtime(settings, clock=fixed_clock)
    service = built.service
    plans = population(seed, travelers)
    load(service, plans)
    ids = [service.find_traveler(p.nationality, p.document_number) for p in plans]
    return Ledger(service, built.read, url, plans, ids, key_folder=folder)
