"""Domain errors raised by the service layer and mapped to pages or JSON by each blueprint."""


class CivicError(Exception):
    """Base class of the errors the service layer raises on purpose."""


class UnknownReference(CivicError):
    """No case has this reference (or the caller may not know that it exists)."""


class NotAllowed(CivicError):
    """The caller's role does not allow this action."""


class InvalidSubmission(CivicError):
    """Input that fails validation; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{field}: {', '.join(str(m) for m in msgs)}" for field, msgs in errors.items()))
        self.errors = errors


class ModelUnavailable(CivicError):
    """No usable routing model is active."""
