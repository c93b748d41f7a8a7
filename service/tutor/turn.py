"""What a turn takes in (the context) and gives back (the turn).

:class:`TutorContext` is everything the engine needs from outside, as plain
data the web layer loads: the lesson's texts, the exercise bank, the
learner's mastery and the problems they already had. :class:`Turn` is the
result: the new state, the replies, the events to record, the verdict when
the message was an answer, and the learner's mastery after the turn.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from service.calculus import ExpressionError
from service.calculus.checking import possible_misconceptions

from .events import Event, MasteryChanged
from .evidence import Observation, attempt_observation, revealed_observation
from .intents import Reading
from .learner_model import AnswerEvidence, Evidence, LearnerModel, apply, trace
from .mastery import DEFAULT_PARAMS, Params
from .plan import PlanStep, StepKind
from .messages import AnswerVerdict, MessageKind, TutorMessage
from .problems import Exercise
from .state import ConversationState


@dataclass(frozen=True)
class TutorContext:
    """The outside world as the engine sees it, for one turn.

    - ``lesson``: concept texts by lesson section slug (``"the-chain-rule"``,
      ``"gears"``, ...); missing ones fall back to the tutor's own words.
    - ``exercises``: the exercise bank (``Exercise`` or mappings with slug,
      expression, variable, difficulty, skills, family, prompt).
    - ``mastery``: the learner's probability per skill (missing: the prior).
    - ``misconceptions``: the learner's probability of holding each
      misconception (missing: the prior of :mod:`service.tutor.beliefs`).
    - ``params``: the BKT parameters, per skill once fitted.
    - ``seen``: expressions this learner already had, in any conversation.
    - ``seed``: makes problem choice reproducible (tests, replays).
    """

    lesson: Mapping[str, str] = field(default_factory=dict)
    exercises: Sequence[Exercise | Mapping[str, Any]] = ()
    mastery: Mapping[str, float] = field(default_factory=dict)
    misconceptions: Mapping[str, float] = field(default_factory=dict)
    seen: Collection[str] = ()
    params: Params = DEFAULT_PARAMS
    seed: int | str | None = None

    def rng(self, state: ConversationState) -> random.Random:
        """A random source that depends only on the seed and the conversation so far."""
        return random.Random(f"{self.seed}:{len(state.seen)}:{state.expression}")


@dataclass(frozen=True)
class Turn:
    """The outcome of one learner message (or of starting a conversation)."""

    state: ConversationState
    replies: list[TutorMessage]
    events: list[Event]
    verdict: AnswerVerdict | None
    mastery: dict[str, float]
    misconceptions: dict[str, float] = field(default_factory=dict)
    opportunities: dict[str, int] = field(default_factory=dict)  # BKT observations per skill this turn
    reading: Reading | None = None   # how the learner's message was read, with its reasons
    # What the turn observed, in order: traced into a course's copy of the model
    # (service.tutor.learner_model), so a course's model moves only with its own work.
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: messages, state, verdict (when any), events, mastery."""
        shaped: dict[str, Any] = {
            "messages": [reply.to_dict() for reply in self.replies],
            "state": self.state.to_dict(),
            "events": [event.to_dict() for event in self.events],
            "mastery": dict(self.mastery),
            "misconceptions": dict(self.misconceptions),
        }
        if self.verdict is not None:
            shaped["verdict"] = self.verdict.to_dict()
        if self.reading is not None:
            shaped["reading"] = self.reading.to_dict()
        return shaped


class TurnBuilder:
    """Collects a turn's replies, events and mastery updates as moves run."""

    def __init__(self, context: TutorContext, state: ConversationState) -> None:
        self.context = context
        self.state = state
        self.replies: list[TutorMessage] = []
        self.events: list[Event] = []
        self.verdict: AnswerVerdict | None = None
        self.reading: Reading | None = None
        self.model = trace(LearnerModel(context.mastery, context.misconceptions), (), context.params)
        self._before = dict(self.model.mastery)
        self.evidence: list[Evidence] = []

    def say(self, kind: MessageKind, text: str, **maths: str | None) -> None:
        """Add a reply (``maths``: latex, mathml, derivative)."""
        self.replies.append(TutorMessage(kind, text, **maths))

    def emit(self, event: Event) -> None:
        """Record a domain event."""
        self.events.append(event)

    @property
    def mastery(self) -> dict[str, float]:
        """The learner's mastery by skill, as of the evidence so far (every skill)."""
        return dict(self.model.mastery)

    @property
    def beliefs(self) -> dict[str, float]:
        """The learner's misconception beliefs, as of the evidence so far (every misconception)."""
        return dict(self.model.beliefs)

    def observe(self, skills: Iterable[str], correct: bool) -> None:
        """Update mastery with one BKT observation on ``skills``."""
        self._record(Observation(tuple(dict.fromkeys(skills)), correct))

    def _record(self, evidence: Evidence) -> None:
        self.model = apply(self.model, evidence, self.context.params)
        self.evidence.append(evidence)

    def observe_attempt(self, step: str, skills: Iterable[str], correct: bool, unaided: bool,
                        misconception: str | None) -> None:
        """An attempt at ``step``: evidence for BKT and the misconception beliefs, on its first try only.

        ``unaided`` is False when a hint on the step came first. The rules
        are :mod:`service.tutor.evidence`'s; later tries at a step leave
        both models alone (the learner has had feedback since).
        """
        state = self.state
        if step in state.observed:
            return
        plan_step = state.plan.step(step) if state.plan is not None else None
        self._apply(attempt_observation(plan_step, list(skills), correct, unaided, misconception))
        self._record(AnswerEvidence(self._exposed(plan_step), correct and unaided, misconception))
        self.state = state.evolve(observed=state.observed + (step,))

    def observe_revealed(self, steps: Iterable[PlanStep]) -> None:
        """A shown solution: incorrect for the revealed steps that had no observation yet."""
        steps = list(steps)
        self._apply(revealed_observation(steps, self.state.observed))
        self.state = self.state.evolve(observed=self.state.observed + tuple(
            step.name for step in steps if step.name not in self.state.observed))

    def _apply(self, observation: Observation) -> None:
        if observation.skills:
            self.observe(observation.skills, observation.correct)

    def _exposed(self, step: PlanStep | None) -> frozenset[str]:
        """The misconceptions an answer to ``step`` could have shown (none for naming steps)."""
        state = self.state
        if step is None or state.expression is None or step.kind in (StepKind.IDENTIFY, StepKind.RULE):
            return frozenset()
        if step.kind is StepKind.PART:
            problem, name, cuts = step.problem, "dy/dx", ()
        else:
            problem, name = state.expression, step.checked_as
            cuts = state.plan.cuts if state.plan is not None else ()
        try:
            return possible_misconceptions(problem or state.expression, name, state.variable, cuts)
        except ExpressionError:
            return frozenset()

    def finish(self) -> Turn:
        """The turn, with one MasteryChanged event per skill that moved."""
        for skill, after in self.mastery.items():
            before = self._before[skill]
            if after != before:
                self.emit(MasteryChanged(skill, round(before, 6), round(after, 6)))
        return Turn(self.state, self.replies, self.events, self.verdict, self.mastery, self.beliefs,
                    dict(self.model.opportunities), self.reading, tuple(self.evidence))
