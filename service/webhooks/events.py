"""The public webhook events, built from the outbox rows every turn writes.

The outbox keeps the tutor's own events (``AttemptRecorded``,
``ProblemSolved``, ``MasteryChanged``: see :mod:`service.tutor.events`);
receivers get the contract's names and fields instead, so the tutor may
rename its internals without breaking anyone's integration.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

ATTEMPT_RECORDED = "attempt.recorded"
PROBLEM_SOLVED = "problem.solved"
PROBLEM_GIVEN_UP = "problem.given_up"
MASTERY_CHANGED = "mastery.changed"
EVENT_TYPES: tuple[str, ...] = (ATTEMPT_RECORDED, PROBLEM_SOLVED, PROBLEM_GIVEN_UP, MASTERY_CHANGED)

# Fields every event's data carries, then each type's own.
_COMMON_FIELDS = ("learner_id", "course_id", "conversation_id", "expression", "variable")
_TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    ATTEMPT_RECORDED: ("step", "answer", "correct", "misconception", "hints_used"),
    PROBLEM_SOLVED: ("exercise_slug", "attempts", "hints_used"),
    PROBLEM_GIVEN_UP: ("exercise_slug", "attempts", "hints_used"),
    MASTERY_CHANGED: ("skill", "probability", "previous_probability"),
}


@dataclass(frozen=True)
class WebhookEvent:
    """One event as receivers see it: ``webhook-id``, type, time and data."""

    id: str
    type: str
    timestamp: datetime
    data: dict[str, Any]

    def body(self) -> str:
        """The JSON body posted (and signed): the same bytes on every retry.

        >>> WebhookEvent("evt_1", "problem.solved", datetime(2026, 1, 2, tzinfo=timezone.utc), {}).body()
        '{"type":"problem.solved","timestamp":"2026-01-02T00:00:00.000Z","data":{}}'
        """
        payload = {"type": self.type, "timestamp": iso_milliseconds(self.timestamp), "data": self.data}
        return json.dumps(payload, separators=(",", ":"), sort_keys=False)


def event_id(outbox_id: int) -> str:
    """The ``webhook-id`` of an outbox event.

    >>> event_id(42)
    'evt_42'
    """
    return f"evt_{outbox_id}"


def public_type(outbox_type: str, payload: Mapping[str, Any]) -> str | None:
    """The contract's event type for an outbox row, or ``None`` for events not published.

    >>> public_type("ProblemSolved", {"by_learner": False})
    'problem.given_up'
    >>> public_type("HintGiven", {}) is None
    True
    """
    if outbox_type == "AttemptRecorded":
        return ATTEMPT_RECORDED
    if outbox_type == "ProblemSolved":
        return PROBLEM_SOLVED if payload.get("by_learner", True) else PROBLEM_GIVEN_UP
    if outbox_type == "MasteryChanged":
        return MASTERY_CHANGED
    return None


def webhook_event(outbox_id: int, outbox_type: str, learner_id: str | None, payload: Mapping[str, Any],
                  created_at: datetime, lti: Mapping[str, str] | None = None) -> WebhookEvent | None:
    """The public event for an outbox row (``None`` when the type is not published).

    ``lti`` is the learner's platform identity (``iss``, ``sub``) when they
    came through an LMS launch.

    >>> event = webhook_event(7, "MasteryChanged", "l1", {"skill": "outer", "before": 0.2, "after": 0.5,
    ...     "conversation_id": "c1", "course_id": 3, "expression": "(2*x+1)**3", "variable": "x"},
    ...     datetime(2026, 1, 2, tzinfo=timezone.utc))
    >>> event.type, event.data["probability"], event.data["previous_probability"]
    ('mastery.changed', 0.5, 0.2)
    """
    kind = public_type(outbox_type, payload)
    if kind is None:
        return None
    source = {**payload, "learner_id": learner_id}
    if kind == MASTERY_CHANGED:
        source.update(probability=payload.get("after"), previous_probability=payload.get("before"))
    data = {name: source.get(name) for name in _COMMON_FIELDS + _TYPE_FIELDS[kind]}
    if lti:
        data["lti"] = {"iss": lti["iss"], "sub": lti["sub"]}
    return WebhookEvent(id=event_id(outbox_id), type=kind, timestamp=created_at, data=data)


def iso_milliseconds(moment: datetime) -> str:
    """An ISO 8601 UTC time to the millisecond, as LMSs and receivers expect.

    >>> iso_milliseconds(datetime(2026, 3, 4, 5, 6, 7, 891234, tzinfo=timezone.utc))
    '2026-03-04T05:06:07.891Z'
    """
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
