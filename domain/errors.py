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


class LedgerIntegrityError(DomainError):
    """A stored event fails its seal or chain: the ledger was damaged, not the request."""

    def __init__(self, originator_id, version: int, kind: str):
        self.originator_id = originator_id
        self.version = version
        self.kind = kind
        super().__init__(f"traveler {originator_id}: event {version} is {kind}")
