"""Pure domain: the Traveler ledger, the rulebook and the stay-rules engine (no I/O, no clock)."""
