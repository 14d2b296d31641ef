"""``borderledger projections …``: run, rebuild, inspect and verify the read models."""

from __future__ import annotations

import click


@click.group()
def projections() -> None:
    """The read models kept from the ledger."""
