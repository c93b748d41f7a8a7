"""Problem outcomes in the database: one place that counts them, so every page agrees.

Every figure about problems — the learner's progress, the learner page's
header, the course overview's solve rate, the exports — counts rows of
``problems`` (:class:`~service.models.ProblemRecord`) through the functions
here, with the vocabulary of :mod:`service.tutor.outcomes`. A problem is
solved when its outcome is ``solved`` or ``solved_with_hints``; a shown
solution is ``gave_up`` and never counts as solved.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import Conversation, ProblemRecord, utcnow
from service.tutor.engine import Turn
from service.tutor.events import ProblemAbandoned, ProblemSolved, ProblemStarted
from service.tutor.outcomes import OUTCOMES, SOLVED_OUTCOMES, Outcome


@dataclass(frozen=True)
class OutcomeCounts:
    """How many problems ended each way.

    >>> counts = OutcomeCounts({"solved": 2, "solved_with_hints": 1, "gave_up": 1})
    >>> counts.problems, counts.solved, counts.of("abandoned")
    (4, 3, 0)
    """

    by_outcome: dict[str, int] = field(default_factory=dict)

    def of(self, outcome: str) -> int:
        return self.by_outcome.get(outcome, 0)

    @property
    def problems(self) -> int:
        """Every problem set."""
        return sum(self.by_outcome.values())

    @property
    def solved(self) -> int:
        """Problems the learner reached the answer of (with or without hints)."""
        return sum(self.of(outcome) for outcome in SOLVED_OUTCOMES)

    def as_dict(self) -> dict[str, int]:
        """Every outcome of the vocabulary with its count (zeros included)."""
        return {outcome: self.of(outcome) for outcome in OUTCOMES}


def outcome_counts(session: Session, learner_ids: Collection[str] | sa.Select,
                   conversations: sa.Select | None = None) -> OutcomeCounts:
    """The problems of these learners (ids or a subquery of ids), counted by outcome.

    ``conversations`` (a subquery of conversation ids) keeps only the problems
    set in those: an instructor counts only the work filed under their courses.
    """
    query = (sa.select(ProblemRecord.outcome, sa.func.count())
             .where(ProblemRecord.learner_id.in_(learner_ids))
             .group_by(ProblemRecord.outcome))
    if conversations is not None:
        query = query.where(ProblemRecord.conversation_id.in_(conversations))
    return OutcomeCounts({outcome: count for outcome, count in session.execute(query)})


def abandon_open_problems(session: Session, learner_id: str) -> None:
    """The learner starts a new conversation: the problems they left open are abandoned.

    Runs in the caller's transaction. Coming back to one of those
    conversations opens its problem again (the turn writes its outcome).
    """
    now = utcnow()
    session.execute(sa.update(ProblemRecord)
                    .where(ProblemRecord.learner_id == learner_id,
                           ProblemRecord.outcome == Outcome.IN_PROGRESS.value)
                    .values(outcome=Outcome.ABANDONED.value, updated_at=now))
    session.execute(sa.update(Conversation)
                    .where(Conversation.learner_id == learner_id,
                           Conversation.status == Outcome.IN_PROGRESS.value)
                    .values(status=Outcome.ABANDONED.value)
                    .execution_options(synchronize_session=False))


def problem_rows(conversation_id: str, learner_id: str, seen_before: int, stored_status: str, turn: Turn,
                 now: datetime) -> list[dict[str, Any]]:
    """The conversation's problems whose outcome a turn set: those it ended or started, and the open one.

    ``seen_before`` is how many problems the conversation had set before the
    turn and ``stored_status`` its stored status. A problem's position is its
    index in the state's ``seen`` (the problems set in the conversation,
    oldest first). The current problem's row is written whenever its outcome
    differs from the conversation's stored status, so one left ``abandoned``
    by a newer conversation is open again when the learner comes back to it;
    most turns write no problem row.
    """
    position = seen_before - 1
    outcomes: dict[int, tuple[str, str]] = {}
    for event in turn.events:
        if isinstance(event, ProblemStarted):
            position += 1
            outcomes[position] = (event.expression, Outcome.IN_PROGRESS.value)
        elif isinstance(event, ProblemSolved) and position >= 0:
            outcomes[position] = (event.expression, event.outcome)
        elif isinstance(event, ProblemAbandoned) and position >= 0:
            outcomes[position] = (event.expression, Outcome.ABANDONED.value)
    state = turn.state
    if state.expression is not None and state.seen and (outcomes or stored_status != state.outcome):
        outcomes[len(state.seen) - 1] = (state.expression, state.outcome.value)
    return [{"conversation_id": conversation_id, "learner_id": learner_id, "position": index,
             "expression": expression, "outcome": outcome, "created_at": now, "updated_at": now}
            for index, (expression, outcome) in sorted(outcomes.items())]
