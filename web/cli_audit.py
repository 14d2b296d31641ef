"""``borderledger audit verify`` (an auditor's check of the whole ledger, exit 0, 1 or 2) and
``borderledger audit checkpoint`` (a signed checkpoint of the running ledger hash, now)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from infrastructure.audit import verify_ledger
from infrastructure.errors import DRIVER_ERRORS, StoreUnavailable
from infrastructure.ledger import LedgerApplication
from infrastructure.readside import ledger_hashes
from infrastructure.settings import ConfigurationError, Settings

CLEAN, PROBLEMS, COULD_NOT_RUN = 0, 1, 2


@click.group()
def audit() -> None:
    """Tamper evidence: sign checkpoints, verify the ledger against them."""


def _checkpoint_files(paths: tuple[Path, ...]) -> list[dict]:
    out = []
    for path in paths:
        try:
            out.append(json.loads(path.read_text()))
        except (OSError, ValueError) as e:
            raise _CouldNotRun(f"checkpoint {path}: {e}") from e
    return out


class _CouldNotRun(Exception):
    """Why the check could not run: one line, exit 2."""


@audit.command()
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="a checkpoint JSON file (an auditor's own copy); may be given more than once",
)
def verify(checkpoint_files: tuple[Path, ...]) -> None:
    """Re-read the whole ledger: every chain and seal, every document claim, the running hash
    against every checkpoint. One line per problem (traveler, version, kind) on stdout."""
    try:
        problems = _verify(checkpoint_files)
    except _CouldNotRun as e:
        click.echo(f"audit verify could not run: {e}", err=True)
        sys.exit(COULD_NOT_RUN)
    for problem in problems:
        click.echo(problem.line())
    click.echo(f"{len(problems)} problem(s)" if problems else "ledger verified", err=True)
    sys.exit(PROBLEMS if problems else CLEAN)


@audit.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="write the checkpoint to this file (it is public) instead of printing it",
)
def checkpoint(out: Path | None) -> None:
    """Fold what the running ledger hash has not yet, sign a checkpoint of it now, store it and
    print it as JSON (keep it: `audit verify --checkpoint FILE` checks the ledger against it)."""
    try:
        settings, app = _open()
        try:
            made = ledger_hashes(app).checkpoint()
        except (StoreUnavailable, *DRIVER_ERRORS) as e:
            raise _CouldNotRun(f"the ledger store is unavailable: {e}") from e
        finally:
            app.close()
        text = json.dumps(made, indent=2) + "\n"
        if out is None:
            click.echo(text, nl=False)
            return
        try:
            out.write_text(text)
        except OSError as e:
            raise _CouldNotRun(f"{out}: {e}") from e
    except _CouldNotRun as e:
        click.echo(f"audit checkpoint could not run: {e}", err=True)
        sys.exit(COULD_NOT_RUN)
    click.echo(f"checkpoint at position {made['position']} written to {out}", err=True)


def _open() -> tuple[Settings, LedgerApplication]:
    try:
        settings = Settings.from_env()
        return settings, LedgerApplication(settings.database_url, keys=settings.keys)
    except ConfigurationError as e:
        raise _CouldNotRun(str(e)) from e
    except (StoreUnavailable, *DRIVER_ERRORS) as e:
        raise _CouldNotRun(f"the ledger store is unavailable: {e}") from e


def _verify(checkpoint_files: tuple[Path, ...]):
    checkpoints = _checkpoint_files(checkpoint_files)
    settings, app = _open()
    try:
        total = app.position()
        with click.progressbar(length=max(total, 1), label="verifying", file=sys.stderr) as bar:
            return verify_ledger(app, settings.keys.public_key, checkpoints, bar.update)
    except (StoreUnavailable, *DRIVER_ERRORS) as e:
        raise _CouldNotRun(f"the ledger store is unavailable: {e}") from e
    finally:
        app.close()
