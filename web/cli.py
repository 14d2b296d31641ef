"""The ``borderledger`` command line."""

from __future__ import annotations

import click


@click.group()
def main() -> None:
    """Border Ledger: record border crossings and answer how long a person may stay."""


def _register_groups() -> None:
    from web.cli_projections import projections

    main.add_command(projections)


_register_groups()
