"""Domain errors: commands raise these instead of asserting, so callers can map them to answers."""


class DomainError(Exception):
    """Base class of every refusal the domain gives."""


class ValidationError(DomainError):
    """A command's content is invalid; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]] | str):
        if isinstance(errors, str):
            errors = {"_": [errors]}
        self.errors = errors
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))


class ConflictError(DomainError):
    """A command contradicts what the ledger already holds (e.g. a reused crossing id)."""


class NotFoundError(DomainError):
    """A referenced crossing, exemption or traveler does not exist."""


class ForbiddenError(DomainError):
    """The actor may not do this (office or employer scope)."""
