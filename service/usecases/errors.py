"""Domain errors raised by the use cases.

Use cases know nothing of HTTP; ``service.api.errors`` maps each of these to
its 4xx status in one place, so routes never translate errors by hand.
"""

from __future__ import annotations


class UseCaseError(Exception):
    """Base of the errors a use case raises for outcomes the caller caused.

    >>> str(NotFound("no learner 'abc'"))
    "no learner 'abc'"
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(UseCaseError):
    """The thing asked for does not exist (or must not be revealed)."""


class Forbidden(UseCaseError):
    """The caller is known but may not do this."""


class Conflict(UseCaseError):
    """The request clashes with what is stored (a duplicate, a second enrolment)."""


class Unprocessable(UseCaseError):
    """The request is well formed but cannot be acted on (a webhook URL that is refused)."""


class InvalidCredentials(UseCaseError):
    """A login with a wrong email or password, or an unknown token."""
