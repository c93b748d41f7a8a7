"""The tutor's view of the database: a :class:`TutorContext` for one turn.

The engine needs four things from outside: the lesson's concept texts, the
exercise bank, the learner's mastery and the problems the learner already
had. Mastery is read every turn (the engine starts from it). The other three
are needed only on some turns (an explanation, a new problem), so they are
handed over as lazy collections that query on first use: an ordinary answer
costs no content query at all.

What is static is cached per process: turning a section's Markdown and LaTeX
into plain text (:func:`service.usecases.lesson_text.markdown_to_text`) and
building the bank's :class:`~service.tutor.problems.Exercise` values, both
keyed by the rows themselves so that a content reload is seen at once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any, Generic, TypeVar, overload

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import Conversation, Exercise, Section
from service.tutor.engine import TutorContext
from service.tutor.problems import Exercise as BankExercise
from service.usecases.lesson_text import markdown_to_text
from service.usecases.mastery_params import current_params

T = TypeVar("T")


class _Deferred(Generic[T]):
    """A value computed on first use, then kept."""

    def __init__(self, load: Callable[[], T]) -> None:
        self._load: Callable[[], T] | None = load
        self._value: T | None = None

    @property
    def value(self) -> T:
        if self._load is not None:
            self._value, self._load = self._load(), None
        return self._value  # type: ignore[return-value]  # set just above


class LazyMapping(Mapping[str, str]):
    """A read-only mapping whose items are loaded on first access."""

    def __init__(self, load: Callable[[], dict[str, str]]) -> None:
        self._items = _Deferred(load)

    def __getitem__(self, key: str) -> str:
        return self._items.value[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items.value)

    def __len__(self) -> int:
        return len(self._items.value)


class LazySequence(Sequence[T]):
    """A read-only sequence whose items are loaded on first access."""

    def __init__(self, load: Callable[[], tuple[T, ...]]) -> None:
        self._items = _Deferred(load)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...

    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return self._items.value[index]

    def __len__(self) -> int:
        return len(self._items.value)


class LazySet(Collection[str]):
    """A read-only set of strings loaded on first access."""

    def __init__(self, load: Callable[[], frozenset[str]]) -> None:
        self._items = _Deferred(load)

    def __contains__(self, item: object) -> bool:
        return item in self._items.value

    def __iter__(self) -> Iterator[str]:
        return iter(self._items.value)

    def __len__(self) -> int:
        return len(self._items.value)


def build_context(session: Session, learner_id: str, mastery: Mapping[str, float],
                  conversation_id: str | None = None,
                  misconceptions: Mapping[str, float] | None = None) -> TutorContext:
    """The engine's context for one turn of ``learner_id``.

    ``mastery`` is the learner's current mastery (see :func:`service.usecases.turn_records.read_mastery`);
    ``conversation_id`` is left out of ``seen``, since the engine keeps that
    conversation's own problems in its state; ``misconceptions`` are the
    learner's beliefs (:func:`service.usecases.turn_records.read_beliefs`).
    The BKT parameters are the newest fitted set (:mod:`service.usecases.mastery_params`).
    """
    return TutorContext(
        lesson=LazyMapping(lambda: lesson_texts(session)),
        exercises=LazySequence(lambda: exercise_bank(session)),
        mastery=dict(mastery),
        misconceptions=dict(misconceptions or {}),
        params=current_params(session),
        seen=LazySet(lambda: seen_expressions(session, learner_id, conversation_id)),
        seed=learner_id,
    )


def lesson_texts(session: Session) -> dict[str, str]:
    """Every lesson section's plain text, keyed by section slug (the tutor's concept keys)."""
    rows = session.execute(sa.select(Section.slug, Section.body).order_by(Section.position))
    return {slug: markdown_to_text(body) for slug, body in rows}


def exercise_bank(session: Session) -> tuple[BankExercise, ...]:
    """The exercise bank as the engine's plain values, in bank order."""
    columns = (Exercise.slug, Exercise.expression, Exercise.variable, Exercise.difficulty,
               Exercise.skills, Exercise.family, Exercise.prompt)
    rows = session.execute(sa.select(*columns).order_by(Exercise.position, Exercise.slug))
    return _bank(tuple((*row[:4], tuple(row[4] or ()), *row[5:]) for row in rows))


@lru_cache(maxsize=8)
def _bank(rows: tuple[tuple[Any, ...], ...]) -> tuple[BankExercise, ...]:
    # Keyed by the rows: the same bank is built once per process, a changed one again.
    return tuple(
        BankExercise(slug=slug, expression=expression, variable=variable or "x",
                     difficulty=difficulty or 1, skills=skills, family=family, prompt=prompt)
        for slug, expression, variable, difficulty, skills, family, prompt in rows
    )


def seen_expressions(session: Session, learner_id: str,
                     except_conversation: str | None = None) -> frozenset[str]:
    """Every problem the learner has had in its (other) conversations."""
    query = sa.select(Conversation.expression, Conversation.state).where(
        Conversation.learner_id == learner_id)
    if except_conversation is not None:
        query = query.where(Conversation.id != except_conversation)
    seen: set[str] = set()
    for expression, state in session.execute(query):
        if expression:
            seen.add(expression)
        listed = state.get("seen") if isinstance(state, dict) else None
        if isinstance(listed, list):
            seen.update(item for item in listed if isinstance(item, str))
    return frozenset(seen)
