"""Domain exceptions of the calculus core."""

from __future__ import annotations


class ExpressionError(ValueError):
    """An expression a learner typed cannot be read or worked on.

    The message is written for the learner ("unknown function 'foo'"), and
    ``position`` is the 0-based index into the typed text where the problem
    was found, when one is known.

    >>> err = ExpressionError("unknown function 'foo'", position=0)
    >>> str(err)
    "unknown function 'foo' (at position 1)"
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        self.message = message
        self.position = position
        text = message if position is None else f"{message} (at position {position + 1})"
        super().__init__(text)

    def __reduce__(self) -> tuple[type, tuple[str, int | None]]:
        # Pickled whole (message and position), as when raised in a compute child (service.compute).
        return (type(self), (self.message, self.position))
