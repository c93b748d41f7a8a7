"""A scripted learner for the tutor's unit tests: it keeps the state and the
mastery between turns, as the web layer does, and round-trips the state
through JSON on every turn so that resuming is exercised all the time."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from service.tutor.engine import respond, start
from service.tutor.state import ConversationState
from service.tutor.turn import Turn, TutorContext


class Chat:
    """One learner talking to the tutor."""

    def __init__(self, lesson: Mapping[str, str] | None = None,
                 exercises: Sequence[Any] = (), mastery: Mapping[str, float] | None = None,
                 seen: Sequence[str] = ()) -> None:
        self.lesson = dict(lesson or {})
        self.exercises = list(exercises)
        self.mastery = dict(mastery or {})
        self.seen = list(seen)
        self.misconceptions: dict[str, float] = {}
        self.turns: list[Turn] = []

    def context(self) -> TutorContext:
        return TutorContext(lesson=self.lesson, exercises=self.exercises, mastery=self.mastery,
                            misconceptions=self.misconceptions, seen=tuple(self.seen), seed=7)

    def _keep(self, turn: Turn) -> Turn:
        self.turns.append(turn)
        self.mastery = turn.mastery
        self.misconceptions = turn.misconceptions
        stored = json.dumps(turn.to_dict()["state"])  # what the web layer stores
        self.state = ConversationState.from_dict(json.loads(stored))
        return turn

    def start(self, expression: str | None = None, variable: str | None = None) -> Turn:
        return self._keep(start(self.context(), expression, variable))

    def say(self, text: str) -> Turn:
        return self._keep(respond(self.state, text, self.context()))


def texts(turn: Turn, kind: str | None = None) -> list[str]:
    """The replies' texts (of one kind)."""
    return [reply.text for reply in turn.replies if kind is None or reply.kind == kind]


def joined(turn: Turn) -> str:
    return "\n".join(texts(turn))


def event_types(turn: Turn) -> list[str]:
    return [type(event).__name__ for event in turn.events]
