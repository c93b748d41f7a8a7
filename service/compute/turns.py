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
from collections.abc import Callable, Iterator
from typing import Any, NoReturn, TypeVar

from service.compute import pooled, run_budgeted
from service.tutor.engine import TutorContext

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
    """``move(*args)`` (``start`` or ``respond``) in the compute pool, within its budget."""
    if not pooled():
        return move(*args)
    try:
        return run_budgeted(move, *(_detach(arg) for arg in args), heavy=heavy)
    except ContextNeeded:
        return run_budgeted(move, *(_load(arg) for arg in args), heavy=heavy)


def _detach(arg: Any) -> Any:
    if not isinstance(arg, TutorContext):
        return arg
    return dataclasses.replace(arg, lesson=Detached(), exercises=Detached(), seen=Detached())


def _load(arg: Any) -> Any:
    if not isinstance(arg, TutorContext):
        return arg
    return dataclasses.replace(arg, lesson=dict(arg.lesson), exercises=tuple(arg.exercises),
                               seen=frozenset(arg.seen))
