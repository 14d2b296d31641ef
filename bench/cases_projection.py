"""projection_rebuild: the read side's own rebuild from position 0 (issue 3)."""

from __future__ import annotations

from collections.abc import Callable

from bench.ledger import Ledger
from bench.measure import Pending


def projection_rebuild(ledger: Ledger) -> Callable[[], float]:
    """Ledger events per second through the status projection's rebuild."""
    raise Pending("issue 3 (read side) has no rebuild entry point yet")
