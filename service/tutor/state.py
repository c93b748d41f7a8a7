"""The state of a conversation: plain data, stored as JSON between turns.

The web layer keeps ``state.to_dict()`` in its database and gives back
``ConversationState.from_dict(...)`` on the next message, so a conversation
resumes exactly where it was after a restart. ``version`` is bumped whenever
the shape changes, with one upgrade step per version in :data:`UPGRADES`, so a
state stored by any earlier version resumes; :meth:`ConversationState.from_dict`
refuses versions it does not know (newer, or never released) rather than
guessing, and the engine then starts afresh with a friendly word.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .outcomes import Outcome, outcome_of
from .plan import Plan, PlanStep, StepKind

STATE_VERSION = 3


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 remembers the last feedback, so "why?" can explain it (none yet), and
    the letters a learner chose for the links (none yet); a rule step names its rule
    as data (version 1 kept it only in the display text "the product rule")."""
    plan = data.get("plan")
    if plan:
        steps = [{**step, "rule": step["answer"].split()[1]} if step.get("kind") == StepKind.RULE.value else step
                 for step in plan["steps"]]
        plan = {**plan, "steps": steps}
    return {**data, "plan": plan, "last_feedback": None, "aliases": {}, "version": 2}


def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """Version 3 plans keep the links a learner cut differently from the core (none before)."""
    plan = data.get("plan")
    return {**data, "plan": {**plan, "cuts": []} if plan else plan, "version": 3}


# UPGRADES[n] turns a version-n state into a version-(n + 1) state.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}


def upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` brought to :data:`STATE_VERSION` through each upgrade step in turn.

    >>> upgrade({"version": 1, "expression": "x^2"})["last_feedback"] is None
    True
    >>> upgrade({"version": 99})
    Traceback (most recent call last):
    ...
    service.tutor.state.StateVersionError: conversation state version 99 is not supported (expected 3)
    """
    version = data.get("version")
    while version != STATE_VERSION:
        step = UPGRADES.get(version) if isinstance(version, int) else None
        if step is None:
            raise StateVersionError(
                f"conversation state version {version} is not supported (expected {STATE_VERSION})")
        data = step(data)
        version = data["version"]
    return data


class StateVersionError(ValueError):
    """A stored state was written by an incompatible version of the tutor."""


@dataclass(frozen=True)
class ConversationState:
    """Where a conversation stands.

    The contract's fields are ``expression``, ``variable``, ``step`` (the
    name of the open step, None when finished), ``solved`` (the learner
    reached the answer: never after a shown solution) and ``hints_used``
    (hints on the current problem). ``finished`` is True once the problem is
    over either way; ``outcome`` names how.
    """

    expression: str | None = None
    variable: str = "x"
    plan: Plan | None = None
    done: tuple[str, ...] = ()          # names of the steps already answered
    found: dict[str, str] = field(default_factory=dict)  # step name -> the learner's answer
    finished: bool = False              # solved by the learner, or the solution shown
    gave_up: bool = False               # the solution was shown
    hints_used: int = 0                 # on the whole current problem
    step_hints: int = 0                 # on the open step (the rung of its ladder reached)
    step_wrong: int = 0                 # wrong tries on the open step
    attempts: int = 0                   # answers on the current problem
    exercise_slug: str | None = None
    seen: tuple[str, ...] = ()          # problems set in this conversation, oldest first
    mastery_at_start: dict[str, float] = field(default_factory=dict)
    observed: tuple[str, ...] = ()      # steps whose first attempt BKT has seen (service.tutor.evidence)
    last_question: str = ""
    awaiting_next: bool = False         # the tutor offered a next problem
    # The last answer's verdict ({"step", "misconception", "correct"}), for "why?".
    last_feedback: dict[str, Any] | None = None
    aliases: dict[str, str] = field(default_factory=dict)  # the learner's letter -> the plan's
    version: int = STATE_VERSION

    @property
    def current(self) -> PlanStep | None:
        """The first step not answered yet, or None when the problem is done."""
        if self.plan is None or self.finished:
            return None
        return next((step for step in self.plan.steps if step.name not in self.done), None)

    @property
    def solved(self) -> bool:
        """Whether the learner reached the answer themselves (contract field)."""
        return self.finished and not self.gave_up

    @property
    def outcome(self) -> Outcome:
        """How the current problem stands: in progress, solved (with hints), gave up."""
        return outcome_of(self.finished, self.gave_up, self.hints_used)

    @property
    def step(self) -> str | None:
        """The open step's name (contract field)."""
        current = self.current
        return current.name if current is not None else None

    def evolve(self, **changes: Any) -> ConversationState:
        """A copy with ``changes`` (states are immutable between turns)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data, with the contract's fields at the top level.

        >>> ConversationState(expression="(2x+1)^3").to_dict()["expression"]
        '(2x+1)^3'
        """
        return {
            "version": self.version, "expression": self.expression, "variable": self.variable,
            "step": self.step, "solved": self.solved, "hints_used": self.hints_used,
            "finished": self.finished, "outcome": self.outcome.value,
            "gave_up": self.gave_up, "plan": self.plan.to_dict() if self.plan else None,
            "done": list(self.done), "found": dict(self.found), "step_hints": self.step_hints,
            "step_wrong": self.step_wrong, "attempts": self.attempts,
            "exercise_slug": self.exercise_slug, "seen": list(self.seen),
            "mastery_at_start": dict(self.mastery_at_start), "observed": list(self.observed),
            "last_question": self.last_question,
            "awaiting_next": self.awaiting_next, "last_feedback": self.last_feedback,
            "aliases": dict(self.aliases),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConversationState:
        """The inverse of :meth:`to_dict`; ``step`` is derived, not read.

        >>> ConversationState.from_dict({"version": 99})
        Traceback (most recent call last):
        ...
        service.tutor.state.StateVersionError: conversation state version 99 is not supported (expected 3)
        """
        data = upgrade(data)
        version = data["version"]
        plan = data.get("plan")
        return cls(
            expression=data.get("expression"), variable=data.get("variable", "x"),
            plan=Plan.from_dict(plan) if plan else None, done=tuple(data.get("done", ())),
            found=dict(data.get("found", {})),
            # States written before "finished" existed said "solved" for both endings.
            finished=bool(data.get("finished", data.get("solved", False))),
            gave_up=bool(data.get("gave_up", False)), hints_used=int(data.get("hints_used", 0)),
            step_hints=int(data.get("step_hints", 0)), step_wrong=int(data.get("step_wrong", 0)),
            attempts=int(data.get("attempts", 0)), exercise_slug=data.get("exercise_slug"),
            seen=tuple(data.get("seen", ())),
            mastery_at_start={k: float(v) for k, v in data.get("mastery_at_start", {}).items()},
            observed=tuple(data.get("observed", ())),
            last_question=data.get("last_question", ""),
            awaiting_next=bool(data.get("awaiting_next", False)),
            last_feedback=data.get("last_feedback"), aliases=dict(data.get("aliases") or {}),
            version=version)
