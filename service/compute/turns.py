"""Running the tutor's engine in the compute pool, with a context a child can hold.

The engine's :class:`~service.tutor.engine.TutorContext` carries lazy,
database-backed collections (the lesson, the exercise bank, the problems a
learner has seen; :mod:`service.usecases.tutor_context`) that most turns
never touch, and a child process cannot query the database. So a turn is
first sent with those collections *detached*: placeholders that raise
:class:`ContextNeeded` when the engine reaches for them. An ordinary answer
never does; a turn that does (a new problem, an explanation) is sent again
with the collections loaded in this process. Nothing the engine did in the
first try leaves the child, so trying twice is harmless.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from typing import Any, NoReturn, TypeVar

from service.compute import pooled, run_budgeted
from service.tutor.engine import TutorContext
from service.usecases.tutor_context import LazyMapping, LazySequence, LazySet

T = TypeVar("T")


class ContextNeeded(Exception):
    """The engine reached for part of its context that was not sent along."""


class Detached:
    """A collection of the context left behind: any use raises :class:`ContextNeeded`."""

    def _missing(self, *args: Any) -> NoReturn:
        raise ContextNeeded

    __getitem__ = __contains__ = __len__ = _missing

    def __iter__(self) -> Iterator[Any]:
        self._missing()

    def __bool__(self) -> bool:
        self._missing()

    def __getattr__(self, name: str) -> Any:
        # Any method of a mapping or sequence (get, items, index, ...); dunder
        # names stay missing so that pickling and copying work as usual.
        if name.startswith("__"):
            raise AttributeError(name)
        self._missing()


def run_engine(move: Callable[..., T], *args: Any, heavy: bool) -> T:
    """``move(*args)`` (``start`` or ``respond``) in the compute pool, within one budget.

    The second try, when there is one, gets what is left of the budget, so
    the turn as a whole ends within it.
    """
    if not pooled():
        return move(*args)
    started = time.monotonic()
    try:
        return run_budgeted(move, *(_detach(arg) for arg in args), heavy=heavy)
    except ContextNeeded:
        spent = time.monotonic() - started
        return run_budgeted(move, *(_load(arg) for arg in args), heavy=heavy, spent=spent)


# The lazy collections of service.usecases.tutor_context, and how to load each whole.
_LOADERS: dict[type, Callable[[Any], Any]] = {LazyMapping: dict, LazySequence: tuple, LazySet: frozenset}


def _detach(arg: Any) -> Any:
    """A context with its lazy (database-backed) collections left behind."""
    if not isinstance(arg, TutorContext):
        return arg
    return dataclasses.replace(arg, **{name: Detached() for name, value in _lazy_fields(arg)})


def _load(arg: Any) -> Any:
    """A context with its lazy collections loaded, here, in full."""
    if not isinstance(arg, TutorContext):
        return arg
    return dataclasses.replace(arg, **{name: _LOADERS[type(value)](value) for name, value in _lazy_fields(arg)})


def _lazy_fields(context: TutorContext) -> Iterator[tuple[str, Any]]:
    for field in dataclasses.fields(context):
        value = getattr(context, field.name)
        if type(value) in _LOADERS:
            yield field.name, value
