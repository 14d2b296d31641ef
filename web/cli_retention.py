"""``borderledger retention plan|apply``: travelers due for erasure, and erasing them."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime

import click

from infrastructure.bootstrap import build_service
from infrastructure.settings import Settings
from infrastructure.usecases.context import Actor

# Who the erasures are recorded as: the ledger's own retention, not a person.
RETENTION_ACTOR = Actor("retention", office=None, admin=True)


def _as_of(value: date | None) -> date:
    return value or datetime.now(UTC).date()


def _plan(service, as_of: date):
    total = service.registered_count()
    with click.progressbar(length=max(total, 1), label="planning", file=sys.stderr) as bar:
        return service.retention_plan(as_of, bar.update)


def _day(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("a date YYYY-MM-DD is required") from None


AS_OF = click.option(
    "--as-of", "as_of", callback=_day, help="the day to plan for, YYYY-MM-DD (default: today, UTC)"
)


@click.group()
def retention() -> None:
    """Erasure of personal data once it is no longer to be kept."""


@retention.command()
@AS_OF
def plan(as_of: date | None) -> None:
    """List the travelers due for erasure: id, reason, the day they became due."""
    day = _as_of(as_of)
    service = build_service(Settings.from_env())
    try:
        due, damaged = _plan(service, day)
    finally:
        service.close()
    for d in due:
        click.echo(f"{d.traveler_id}, {d.due.reason}, {d.due.due_on.isoformat()}")
    for tid in damaged:
        click.echo(f"{tid}, unreadable (see audit verify)", err=True)
    click.echo(f"{len(due)} traveler(s) due for erasure on {day.isoformat()}")


@retention.command()
@AS_OF
def apply(as_of: date | None) -> None:
    """Erase every traveler due for erasure, with the reason ``retention``."""
    day = _as_of(as_of)
    service = build_service(Settings.from_env())
    erased = already = 0
    try:
        due, damaged = _plan(service, day)
        with click.progressbar(due, label="erasing", file=sys.stderr) as bar:
            for d in bar:
                if service.erase_for_retention(RETENTION_ACTOR, d.traveler_id):
                    erased += 1
                else:
                    already += 1
    finally:
        service.close()
    for tid in damaged:
        click.echo(f"{tid}, unreadable (see audit verify)", err=True)
    click.echo(
        f"{erased} traveler(s) erased for retention on {day.isoformat()}"
        + (f", {already} already erased" if already else "")
    )
