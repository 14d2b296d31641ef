"""The ``borderledger`` command line."""

from __future__ import annotations

import json
import os
import shlex
from datetime import UTC, datetime
from pathlib import Path

import click

from domain.errors import NotFoundError
from infrastructure.bootstrap import build_runtime, build_service, load_posts
from infrastructure.settings import MAX_TOKEN_TTL_SECONDS, ConfigurationError, Settings
from infrastructure.usecases.context import Actor
from web.auth import ROLES, TokenError, issue_token

IMPORT_CHUNK = 1000
QUICKSTART_DB = "borderledger.db"
QUICKSTART_TRAVELERS, QUICKSTART_SEED = 300, 2023


class LedgerGroup(click.Group):
    """Commands whose settings or store are wrong end with one line, not a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ConfigurationError as e:
            raise click.ClickException(str(e)) from e


@click.group(cls=LedgerGroup)
def main() -> None:
    """Border Ledger: record border crossings and answer how long a person may stay."""


def _settings(environ: dict | None = None) -> Settings:
    try:
        return Settings.from_env(environ)
    except ConfigurationError as e:
        raise click.ClickException(f"configuration: {e}") from e


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="PostgreSQL only (default: by CPU); SQLite serves with one worker and threads",
)
def serve(host: str, port: int, workers: int | None) -> None:
    """Serve the API with gunicorn (DATABASE_URL from the environment)."""
    from web.server import Server, options

    settings = _settings()
    # Tables made once here: workers booting together on a new database raced to make them.
    build_runtime(settings).service.close()
    Server(settings, options(settings, host, port, workers)).run()


@main.group()
def token() -> None:
    """Bearer tokens for the API."""


@token.command("issue")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--office", help="registrar: the office (a border post code or an office code)")
@click.option("--employer", "employer_id", help="employer: the employer id")
@click.option("--subject", help="who the token speaks for (recorded on every write)")
@click.option(
    "--ttl",
    type=click.IntRange(1, MAX_TOKEN_TTL_SECONDS),
    help="seconds, at most 30 days; default from settings",
)
def issue(role, office, employer_id, subject, ttl) -> None:
    """Print one signed token on stdout."""
    settings = _settings()
    if office and not load_posts(settings.posts_file).posts_of_office(office):
        raise click.UsageError(f"no border post belongs to office {office!r}")
    try:
        click.echo(_token(settings, role, subject, office, employer_id, ttl))
    except TokenError as e:
        raise click.UsageError(str(e)) from e


def _token(settings, role, subject=None, office=None, employer_id=None, ttl=None) -> str:
    return issue_token(
        settings.secret_key,
        role,
        datetime.now(UTC),
        ttl or settings.token_ttl_seconds,
        subject=subject,
        office=office,
        employer_id=employer_id,
    )


@main.command()
@click.option("--travelers", default=300, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--seed", default=2023, show_default=True, type=int)
def demo(travelers: int, seed: int) -> None:
    """Load a realistic sample ledger into an empty ledger (one that holds events is refused)."""
    from infrastructure.population import load_demo

    service = build_service(_settings())
    try:
        # Loading again would re-apply the demo's corrections and voids to what it loaded before.
        if service.position():
            raise click.ClickException(
                "the ledger already holds events; demo loads only into an empty ledger "
                "(point DATABASE_URL at a new database)"
            )
        summary = load_demo(service, travelers=travelers, seed=seed)
    finally:
        service.close()
    click.echo(json.dumps(summary, indent=2))


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--actor", default="import", show_default=True, help="recorded on every event")
@click.option("--office", help="record as a registrar of this office (default: as an admin)")
def import_(file: Path, actor: str, office: str | None) -> None:
    """Bulk load crossings from FILE.csv or FILE.jsonl; unknown travelers are registered."""
    from web.importer import count_rows, read_rows

    settings = _settings()
    service = build_service(settings)
    posts = service.posts.posts_of_office(office) if office else None
    who = Actor(actor, office, admin=office is None, posts=frozenset(posts) if office else None)
    counts = {"created": 0, "duplicate": 0, "rejected": 0}
    rejected: list[tuple[int, dict]] = []
    try:
        rows = read_rows(file)
        with click.progressbar(length=count_rows(file), label="importing") as bar:
            while chunk := [row for _, row in zip(range(IMPORT_CHUNK), rows, strict=False)]:
                results, *_ = service.record_batch(who, [item for _, item in chunk])
                for (line, _), result in zip(chunk, results, strict=True):
                    counts[result["status"]] += 1
                    if result["status"] == "rejected":
                        rejected.append((line, result["errors"]))
                bar.update(len(chunk))
    except ValueError as e:
        raise click.UsageError(str(e)) from e
    finally:
        service.close()
    click.echo(", ".join(f"{n} {k}" for k, n in counts.items()))
    for line, errors in rejected:
        click.echo(f"line {line}: {json.dumps(errors)}", err=True)


@main.command()
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
def quickstart(port: int) -> None:
    """Load the demo ledger into ./borderledger.db, print ready curl commands, then serve."""
    from web.server import Server, options

    settings = _settings({**os.environ, "DATABASE_URL": f"sqlite:///{QUICKSTART_DB}"})
    click.echo(f"loading the demo ledger if ./{QUICKSTART_DB} is empty…", err=True)
    sample = _quickstart_sample(settings)
    base = f"http://127.0.0.1:{port}"
    for line in curl_commands(settings, sample, base):
        click.echo(line)
    click.echo(f"# every operation, readable offline: {base}/api/v1/docs")
    ui_token = _token(settings, "auditor", subject="quickstart-auditor")
    click.echo(f"# the pages for people: open {base}/ui/ and sign in with this auditor token:")
    click.echo(ui_token)
    Server(settings, options(settings, "127.0.0.1", port, 1)).run()


def _quickstart_sample(settings: Settings) -> dict:
    """The demo's sample travelers, loading the demo first when the ledger is empty."""
    from infrastructure.population import demo_sample, load_demo, population

    service = build_service(settings)
    try:
        if not service.position():
            return load_demo(service, QUICKSTART_TRAVELERS, QUICKSTART_SEED)["sample"]
        try:
            return demo_sample(service, population(QUICKSTART_SEED, QUICKSTART_TRAVELERS))
        except NotFoundError:
            raise click.ClickException(
                f"./{QUICKSTART_DB} holds a ledger without the demo's travelers; "
                "move it away and run again"
            ) from None
    finally:
        service.close()


def curl_commands(settings: Settings, sample: dict, base: str) -> list[str]:
    """A status, a history and an employer verification, with fresh tokens."""
    auditor = _token(settings, "auditor", subject="quickstart-auditor")
    worker = sample["worker"]
    employer = _token(settings, "employer", employer_id=worker["employer_id"])
    traveler = f"{base}/api/v1/travelers/{sample['traveler_id']}"
    body = json.dumps(
        {
            "nationality": worker["nationality"],
            "document_number": worker["document_number"],
            "contract_number": worker["contract_number"],
        }
    )
    return [
        "# status today in Kazakhstan:",
        f"curl -s -H 'Authorization: Bearer {auditor}' '{traveler}/status?jurisdiction=KAZ'",
        "# the audit trail with the status after each event:",
        f"curl -s -H 'Authorization: Bearer {auditor}' '{traveler}/history?with_status=KAZ'",
        "# an employer checks its worker's exemption:",
        f"curl -s -X POST -H 'Authorization: Bearer {employer}' "
        f"-H 'Content-Type: application/json' -d {shlex.quote(body)} "
        f"'{base}/api/v1/exemptions/verify'",
    ]


def _register_groups() -> None:
    from web.cli_audit import audit
    from web.cli_projections import projections
    from web.cli_retention import retention

    main.add_command(projections)
    main.add_command(audit)
    main.add_command(retention)


_register_groups()
