"""Who needs help, and who finished: the two questions a teacher asks first.

Struggling
    a learner with a problem (started in the date range) that is not
    solved: still in progress, given up or abandoned, with at least one
    wrong answer or hint, or given up. Ranked by wrong answers on that
    problem, then hints, then the most recent first; each learner appears
    once, with their hardest such problem, the misconception they showed
    most on it ("other" when the tutor recognised none) and the step
    where they stopped.
Finished
    the problems of the range by outcome (``solved``,
    ``solved_with_hints``, ``gave_up``, ``abandoned``, ``in_progress``),
    and the latest problems solved, with who solved them.

Outcomes come from ``conversations.status`` as the engine records it; the
stored ``active`` of older rows reads as ``in_progress``. Like every page,
these look at the course's own conversations (a learner's work in another
course is that course's).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import Attempt, Conversation, ConversationStats, Learner
from service.usecases.dashboard.filters import (
    DashboardFilter,
    conversation_conditions,
    owned_course,
)
from service.usecases.dashboard.job_summaries import OUTCOMES as OUTCOME_COUNTS
from service.usecases.dashboard.job_summaries import counted_before, stored_outcomes
from service.usecases.dashboard.labels import learner_label

OUTCOMES: tuple[str, ...] = ("solved", "solved_with_hints", "gave_up", "abandoned", "in_progress")
SOLVED: tuple[str, ...] = ("solved", "solved_with_hints")
LIST_LENGTH = 10
# Rows read before keeping one per learner: enough for a class whose weakest ten repeat.
_CANDIDATES = 200
_STORED = {"active": "in_progress"}


def outcome_of(status: str) -> str:
    """The contract's outcome for a stored status.

    >>> outcome_of("active"), outcome_of("gave_up")
    ('in_progress', 'gave_up')
    """
    return _STORED.get(status, status)


@dataclass(frozen=True)
class StrugglingLearner:
    learner_id: str
    label: str
    conversation_id: str
    problem: str
    outcome: str
    wrong: int
    hints: int
    misconception: str | None  # None: wrong answers no known misconception explains
    stopped_at: str | None     # the open step (u, du/dx, dy/dx, ...)
    updated_at: datetime


@dataclass(frozen=True)
class FinishedProblem:
    learner_id: str
    label: str
    problem: str
    outcome: str
    hints: int
    updated_at: datetime


@dataclass(frozen=True)
class AttentionReport:
    struggling: list[StrugglingLearner]
    outcomes: dict[str, int]
    finished: list[FinishedProblem]


def who_needs_help(session: Session, instructor_id: int, flt: DashboardFilter) -> AttentionReport:
    """The struggling learners, ranked, and the problems by outcome (see the module's definitions).

    Raises :class:`NotFound` for a course the instructor does not own.
    """
    owned_course(session, instructor_id, flt.course_id)
    # The course's own conversations, as every other page counts them (filters.conversation_conditions).
    in_range = conversation_conditions(flt)
    return AttentionReport(struggling=_struggling(session, in_range), outcomes=_outcomes(session, flt),
                           finished=_finished(session, in_range))


def _struggling(session: Session, in_range: list[sa.ColumnElement[bool]]) -> list[StrugglingLearner]:
    """The struggling learners, each with their hardest unsolved problem.

    The candidates are ranked by the per-conversation sums the turn writer
    keeps (migration 0003) in two parts, merged here: the conversations with
    sums, in the order of the course's struggle index on ``conversation_stats``
    (migration 0010), so only the first few hundred rows are read; and the
    given-up ones without any attempt (no sums: nothing wrong, no hint).
    """
    wrong = ConversationStats.attempts - ConversationStats.correct
    summed = (
        sa.select(Conversation, Learner, wrong, ConversationStats.hints_used)
        .join(ConversationStats, ConversationStats.conversation_id == Conversation.id)
        .join(Learner, Learner.id == Conversation.learner_id)
        .where(*in_range, ConversationStats.course_id == Conversation.course_id,
               Conversation.status.not_in(SOLVED),
               sa.or_(wrong > 0, ConversationStats.hints_used > 0, Conversation.status == "gave_up"))
        .order_by(wrong.desc(), ConversationStats.hints_used.desc(), Conversation.updated_at.desc(), Conversation.id)
        .limit(_CANDIDATES)
    )
    unsummed = (
        sa.select(Conversation, Learner, sa.literal(0), sa.literal(0))
        .join(Learner, Learner.id == Conversation.learner_id)
        .where(*in_range, Conversation.status == "gave_up",
               ~sa.exists().where(ConversationStats.conversation_id == Conversation.id))
        .order_by(Conversation.updated_at.desc(), Conversation.id)
        .limit(_CANDIDATES)
    )
    rows = [*session.execute(summed), *session.execute(unsummed)]
    # The one order over both parts: most wrong answers, most hints, most recent.
    rows.sort(key=lambda row: (-row[2], -row[3], -row[0].updated_at.timestamp(), row[0].id))
    picked: dict[str, tuple[Conversation, Learner, int, int]] = {}
    for conversation, learner, n_wrong, n_hints in rows[:_CANDIDATES]:
        if learner.id not in picked:
            picked[learner.id] = (conversation, learner, int(n_wrong), int(n_hints))
        if len(picked) == LIST_LENGTH:
            break
    commonest = _commonest_misconceptions(session, [c.id for c, _, _, _ in picked.values()])
    return [
        StrugglingLearner(
            learner_id=learner.id, label=learner_label(learner.name, learner.id, learner.source, learner.source_host),
            conversation_id=conversation.id, problem=conversation.expression,
            outcome=outcome_of(conversation.status), wrong=n_wrong,
            # The state counts every hint; the sums only those before an answer.
            hints=int((conversation.state or {}).get("hints_used") or n_hints),
            misconception=commonest.get(conversation.id), stopped_at=(conversation.state or {}).get("step"),
            updated_at=conversation.updated_at,
        )
        for conversation, learner, n_wrong, n_hints in picked.values()
    ]


def _commonest_misconceptions(session: Session, conversation_ids: list[str]) -> dict[str, str | None]:
    """Each conversation's most frequent misconception among its wrong answers (None: unrecognised)."""
    if not conversation_ids:
        return {}
    query = (
        sa.select(Attempt.conversation_id, Attempt.misconception, sa.func.count())
        .where(Attempt.conversation_id.in_(conversation_ids), sa.not_(Attempt.correct))
        .group_by(Attempt.conversation_id, Attempt.misconception)
    )
    counts: dict[str, Counter[str | None]] = {}
    for conversation_id, misconception, n in session.execute(query):
        counts.setdefault(conversation_id, Counter())[misconception] = n
    # A named misconception wins a tie with "other": it says more.
    return {cid: max(found, key=lambda name: (found[name], name is not None)) for cid, found in counts.items()}


def _outcomes(session: Session, flt: DashboardFilter) -> dict[str, int]:
    """The course's conversations by outcome.

    All time, those started before the dashboards job's last run are its
    counts (:mod:`~service.usecases.dashboard.job_summaries`), and only
    the ones started since are counted here.
    """
    conditions = conversation_conditions(flt)
    all_time = not flt.search and flt.since is None and flt.until is None
    since = counted_before(session, OUTCOME_COUNTS) if all_time else None
    found: Counter[str] = Counter()
    if since is not None:
        conditions.append(Conversation.created_at >= since)
        for status, n in stored_outcomes(session, flt.course_id).items():
            found[outcome_of(status)] += n
    query = sa.select(Conversation.status, sa.func.count()).where(*conditions).group_by(Conversation.status)
    for status, n in session.execute(query):
        found[outcome_of(status)] += n
    return {outcome: found.get(outcome, 0) for outcome in OUTCOMES} | dict(found)


def _finished(session: Session, in_range: list[sa.ColumnElement[bool]]) -> list[FinishedProblem]:
    query = (
        sa.select(Conversation, Learner)
        .join(Learner, Learner.id == Conversation.learner_id)
        .where(*in_range, Conversation.status.in_(SOLVED))
        .order_by(Conversation.updated_at.desc(), Conversation.id)
        .limit(LIST_LENGTH)
    )
    return [
        FinishedProblem(learner_id=learner.id,
                        label=learner_label(learner.name, learner.id, learner.source, learner.source_host),
                        problem=conversation.expression, outcome=outcome_of(conversation.status),
                        hints=int((conversation.state or {}).get("hints_used") or 0),
                        updated_at=conversation.updated_at)
        for conversation, learner in session.execute(query)
    ]
