"""Domain exceptions of the calculus core."""

from __future__ import annotations


class ExpressionError(ValueError):
    """An expression a learner typed cannot be read or worked on.

    The message is written for the learner ("unknown function 'foo'"), and
    ``position`` is the 0-based index into the typed text where the problem
    was found, when one is known. ``location`` says which text it is in when a
    call reads several ("your answer", "the problem"), so a caller shows the
    bare ``message`` where the location is plain rather than stripping it.

    >>> err = ExpressionError("unknown function 'foo'", position=0)
    >>> str(err)
    "unknown function 'foo' (at position 1)"
    >>> str(ExpressionError("unbalanced parenthesis", location="your answer"))
    'in your answer: unbalanced parenthesis'
    """

    def __init__(self, message: str, position: int | None = None, *, location: str | None = None) -> None:
        self.message = message
        self.position = position
        self.location = location
        text = message if position is None else f"{message} (at position {position + 1})"
        super().__init__(text if location is None else f"in {location}: {text}")

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Pickled whole (message, position, location), as when raised in a compute
        # child (service.compute); the class is kept, so ExpressionTooCostly stays one.
        return (_rebuild, (type(self), self.message, self.position, self.location))


def _rebuild(cls: type[ExpressionError], message: str, position: int | None,
             location: str | None) -> ExpressionError:
    """An :class:`ExpressionError` (or subclass) back from its pickled parts."""
    return cls(message, position, location=location)
