"""``borderledger projections …``: run, rebuild, inspect and verify the read models."""

from __future__ import annotations

import logging
import signal
import time

import click

from infrastructure.bootstrap import Runtime, build_runtime
from infrastructure.settings import ConfigurationError, Settings

SQLITE_POLL_SECONDS = 0.5


@click.group()
def projections() -> None:
    """The read models kept from the ledger."""


def _runtime() -> Runtime:
    try:
        return build_runtime(Settings.from_env())
    except ConfigurationError as e:
        raise click.ClickException(f"configuration: {e}") from e


def _stop_on_sigterm(stop) -> None:
    signal.signal(signal.SIGTERM, lambda *_: stop())


@projections.command()
@click.option("--poll", default=1.0, show_default=True, help="seconds between checks for events")
def run(poll: float) -> None:
    """Keep the projections current (PostgreSQL: the one worker process; SQLite: a pull loop)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    read = _runtime().read
    lock = read.runner_lock()
    if lock is None:
        stopped = []
        _stop_on_sigterm(lambda: stopped.append(True))
        while not stopped:
            if not read.catch_up():
                time.sleep(SQLITE_POLL_SECONDS)
        return
    if not lock.hold():
        raise click.ClickException("another projection runner is active on this database")
    worker = read.worker(poll, claim=lock.hold)
    _stop_on_sigterm(worker.stop.set)
    click.echo(f"projection runner started at {read.lag()[0]}")
    try:
        worker.run()
    except KeyboardInterrupt:
        worker.stop.set()
    finally:
        lock.release()
    if worker.displaced:
        raise click.ClickException("another projection runner took over during a database outage")


@projections.command()
def rebuild() -> None:
    """Rebuild from position 0 into fresh tables, swapped in only once caught up; fold the
    running ledger hash again from position 0 too."""
    read = _runtime().read
    with read.rebuild_lock() as won:
        if not won:
            raise click.ClickException("another rebuild is running on this database")
        target = read.lag()[0]["ledger_position"]
        done = 0
        with click.progressbar(length=max(target, 1), label="rebuilding", show_eta=True) as bar:

            def progress(position: int) -> None:
                nonlocal done
                bar.update(min(position, target) - done)
                done = min(position, target)

            view = read.rebuild(progress)
        head = read.rebuild_ledger_hash()
    click.echo(f"generation {view.generation} is live at position {view.position()}")
    click.echo(
        f"ledger hash folded again from 0 to position {head.position} ({head.events} events)"
    )


@projections.command()
def status() -> None:
    """Each projection's position, the ledger's, and the lag between them."""
    read = _runtime().read
    for row in read.lag():
        click.echo(
            f"{row['projection']}: position {row['position']} of {row['ledger_position']}, "
            f"lag {row['lag']}"
        )
    stale = read.stale_rows()
    if stale:
        click.echo(
            f"  {stale} travelers' rows were computed under another rulebook: the worker"
            " (or serve, on SQLite) recomputes them; `projections rebuild` redoes everything"
        )
    for generation, position, live in read.generations():
        if not live:
            click.echo(f"  rebuild in progress: generation {generation} at position {position}")


@projections.command()
@click.option("--show", default=10, show_default=True, help="differences to print")
def verify(show: int) -> None:
    """Recompute every traveler with the engine and compare field by field; exits 1 on any
    difference, 2 when the view is behind the ledger (its unprocessed events are not compared)."""
    read = _runtime().read
    diffs = read.verify()
    for d in diffs[:show]:
        click.echo(f"  {d}")
    click.echo(f"{len(diffs)} differences")
    behind = [row for row in read.lag() if row["lag"]]
    for row in behind:
        click.echo(
            f"{row['projection']} is {row['lag']} events behind the ledger (position "
            f"{row['position']} of {row['ledger_position']}): is `projections run` running?"
        )
    if diffs:
        raise SystemExit(1)
    if behind:
        raise SystemExit(2)
