"""Domain events a turn produces, for the web layer to record.

Past-tense names, plain values. The web layer writes them to its outbox
table in the same transaction as the turn; ``to_dict`` gives the payload
with a ``type`` key naming the event.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    """Base of all tutor events."""

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data, ``type`` first.

        >>> HintGiven("(2x+1)^3", "du/dx", "pointing", 1).to_dict()["type"]
        'HintGiven'
        """
        payload = asdict(self)
        for key, value in payload.items():
            if isinstance(value, tuple):
                payload[key] = list(value)
        return {"type": type(self).__name__, **payload}


@dataclass(frozen=True)
class ProblemStarted(Event):
    """The tutor set a new problem."""

    expression: str
    variable: str
    exercise_slug: str | None


@dataclass(frozen=True)
class AttemptRecorded(Event):
    """The learner answered a step (``correct`` as checked by the core).

    ``counted_correct`` is what BKT observed: False when a hint on the step
    came first. ``skills`` are the skills the step exercises, main one first.
    """

    expression: str
    variable: str
    step: str
    answer: str
    correct: bool
    misconception: str | None
    skills: tuple[str, ...]
    hints_used: int
    counted_correct: bool

    @property
    def skill(self) -> str | None:
        """The main skill, for stores that keep one skill per attempt."""
        return self.skills[0] if self.skills else None


@dataclass(frozen=True)
class HintGiven(Event):
    """A hint was shown; ``level`` is pointing, teaching or bottom_out."""

    expression: str
    step: str
    level: str
    hints_used: int


@dataclass(frozen=True)
class SolutionShown(Event):
    """The learner asked for (or gave up into) the worked solution."""

    expression: str
    variable: str
    open_steps: tuple[str, ...]


@dataclass(frozen=True)
class ProblemSolved(Event):
    """The problem is finished; ``by_learner`` is False after a shown solution."""

    expression: str
    variable: str
    exercise_slug: str | None
    attempts: int
    hints_used: int
    by_learner: bool
    outcome: str  # service.tutor.outcomes: solved, solved_with_hints or gave_up


@dataclass(frozen=True)
class ProblemAbandoned(Event):
    """The learner moved on to another problem before finishing this one."""

    expression: str
    variable: str
    exercise_slug: str | None


@dataclass(frozen=True)
class MasteryChanged(Event):
    """A skill's mastery probability moved."""

    skill: str
    before: float
    after: float
