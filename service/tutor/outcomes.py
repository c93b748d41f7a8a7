"""How a problem ended: the one vocabulary of outcomes.

The engine, the database (``conversations.status``, ``problems.outcome``),
the API, the dashboards and the exports all use these names:

- ``in_progress``: the problem is open;
- ``solved``: the learner reached the answer with no hint;
- ``solved_with_hints``: the learner reached the answer after one or more hints;
- ``gave_up``: the tutor showed the worked solution ("show me the solution");
- ``abandoned``: the learner left it open — they moved on to another problem
  (in the same conversation or a new one) before finishing it. A problem
  merely left idle stays ``in_progress`` until then: a learner may come back
  to it, and the record of what they did is not rewritten by a clock.

Only ``solved`` and ``solved_with_hints`` count as solved anywhere.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """A problem's outcome; each member is its stored string."""

    IN_PROGRESS = "in_progress"
    SOLVED = "solved"
    SOLVED_WITH_HINTS = "solved_with_hints"
    GAVE_UP = "gave_up"
    ABANDONED = "abandoned"


OUTCOMES: tuple[str, ...] = tuple(outcome.value for outcome in Outcome)
SOLVED_OUTCOMES: tuple[str, ...] = (Outcome.SOLVED.value, Outcome.SOLVED_WITH_HINTS.value)
# A teacher's words for each outcome, for pages and exports.
OUTCOME_LABELS: dict[str, str] = {
    Outcome.IN_PROGRESS.value: "in progress",
    Outcome.SOLVED.value: "solved",
    Outcome.SOLVED_WITH_HINTS.value: "solved with hints",
    Outcome.GAVE_UP.value: "gave up",
    Outcome.ABANDONED.value: "abandoned",
}


def outcome_of(finished: bool, gave_up: bool, hints_used: int) -> Outcome:
    """The outcome of a problem from the tutor's state.

    >>> outcome_of(True, False, 0), outcome_of(True, False, 2), outcome_of(True, True, 0)
    (<Outcome.SOLVED: 'solved'>, <Outcome.SOLVED_WITH_HINTS: 'solved_with_hints'>, <Outcome.GAVE_UP: 'gave_up'>)
    >>> outcome_of(False, False, 1).value
    'in_progress'
    """
    if not finished:
        return Outcome.IN_PROGRESS
    if gave_up:
        return Outcome.GAVE_UP
    return Outcome.SOLVED_WITH_HINTS if hints_used else Outcome.SOLVED
