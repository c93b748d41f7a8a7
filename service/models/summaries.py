"""Summaries the instructor dashboards read instead of aggregating every attempt.

A summary row is kept up to date in the same transaction as the attempts
it counts (:mod:`service.usecases.dashboard.summaries`), so it is never
behind and never ahead of them. Migration 0003 created and backfilled
``conversation_stats``, migration 0010 the misconception counts, migration 0012
the summaries by day and skill that the pages' date and skill filters read,
migration 0013 the same for the exercise page's problems.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base

# What the dashboards sum over a course's conversations (see ConversationStats' index).
CONVERSATION_STATS_COLUMNS: tuple[str, ...] = (
    "attempts", "correct", "hints_used", "latency_ms", "timed_attempts",
)


class ConversationStats(Base):
    """The attempts of one conversation, summed.

    One row per conversation that has at least one attempt, carrying the
    conversation's course (``course_id``): a course page sums the rows filed
    under it, so a learner's work in another course never counts (see
    :mod:`service.usecases.dashboard.filters`). ``learner_id`` repeats the
    conversation's learner (it never changes) so the name search narrows
    the rows without reading the conversations.

    ``latency_ms`` sums each attempt's latency capped at
    :data:`service.usecases.dashboard.filters.IDLE_CAP_MS`, and
    ``timed_attempts`` counts the attempts whose latency is known.
    """

    __tablename__ = "conversation_stats"
    __table_args__ = (
        # A course's rows, learner by learner; on PostgreSQL the INCLUDE
        # columns answer the sums from the index alone.
        sa.Index(None, "learner_id", postgresql_include=list(CONVERSATION_STATS_COLUMNS)),
        # A course page sums its own rows (migration 0005).
        sa.Index(None, "course_id", postgresql_include=list(CONVERSATION_STATS_COLUMNS)),
        # The overview's struggling learners: a course's conversations, most
        # wrong answers first, then most hints (migration 0010).
        sa.Index("ix_conversation_stats_struggle", "course_id", sa.text("(attempts - correct) DESC"),
                 sa.text("hints_used DESC")),
    )

    conversation_id: Mapped[str] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    learner_id: Mapped[str] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"))
    # A copy of the conversation's course (which never changes), not a
    # foreign key: the row goes with its conversation (migration 0005).
    course_id: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    correct: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    hints_used: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    latency_ms: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    timed_attempts: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))

    def __repr__(self) -> str:
        return f"<ConversationStats {self.conversation_id}: {self.correct}/{self.attempts}>"


# The misconception key of a wrong answer no known misconception explains
# ("other" on the page): a key column cannot be NULL.
UNEXPLAINED = ""


class LearnerMisconceptionCount(Base):
    """How many wrong answers one learner gave in one course, per misconception.

    One row per (course, learner, misconception) with at least one such
    answer; ``misconception`` is :data:`UNEXPLAINED` for the wrong answers
    no known misconception explains. The misconception page sums a course's
    rows (a row is one learner, so counting rows counts learners exactly),
    narrowed to the searched learners when there is a name search.
    Attempts filed under no course are not counted (no page shows them).
    """

    __tablename__ = "learner_misconception_counts"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    learner_id: Mapped[str] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    misconception: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    # The UTC days of the first and the last of these answers (migration 0012): whether the
    # learner showed the misconception in a date range, mostly without reading further.
    first_day: Mapped[date | None]
    last_day: Mapped[date | None]


class WrongAnswerCount(Base):
    """How many times a course's learners gave one wrong answer at one step, per misconception.

    The misconception page's example answers (the commonest few of each
    misconception, with the first step they were given at) come from a
    course's rows here instead of from every wrong answer of the course.
    """

    __tablename__ = "wrong_answer_counts"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    misconception: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    answer: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    step: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))


# The exercise key of a problem that is not from the bank (typed or generated):
# a key column cannot be NULL, and exercise ids start at 1.
NO_EXERCISE = 0


class LearnerProblemStats(Base):
    """One learner's attempts at one problem of a course, summed (as ``conversation_stats`` sums them).

    A problem is a conversation's current expression (and bank exercise,
    ``exercise_key``, :data:`NO_EXERCISE` for none), as the exercise
    difficulty page groups them: when a conversation moves on to a new
    problem, its attempts so far move with it, so the turn that moves it
    takes its sums off the old problem's row and adds them to the new one's.
    The move then deletes the learner's rows it left at zero attempts
    (since migration 0013), so a row is always one learner of the problem.

    The exercise page and the overview's all-time totals sum a course's rows
    (a row with attempts is one learner of the problem); their number grows
    with the pairs of learners and problems tried, not with the attempts.
    """

    __tablename__ = "learner_problem_stats"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    expression: Mapped[str] = mapped_column(sa.String(500), primary_key=True)
    exercise_key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    learner_id: Mapped[str] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    attempts: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    correct: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    hints_used: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    latency_ms: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    timed_attempts: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))


class CourseProblemDays(Base):
    """:class:`LearnerProblemStats` for a whole course, per UTC day and skill of the attempts.

    Under a date range or a skill, the exercise page's sums per problem are
    a few of these rows (a course has one per problem, day and skill
    practised). A problem is the conversation's current one, as on the
    all-time page: the turn that moves a conversation on moves its attempts'
    rows too (:mod:`service.usecases.dashboard.problem_summaries`).
    """

    __tablename__ = "course_problem_days"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    skill: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    expression: Mapped[str] = mapped_column(sa.String(500), primary_key=True)
    exercise_key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    attempts: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    correct: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    hints_used: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    latency_ms: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    timed_attempts: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))


class LearnerProblemDays(Base):
    """A learner's attempts at one problem of a course on one UTC day: the page's learners in a date range.

    A row is one learner of the problem on that day (a turn that moves a
    conversation on deletes the rows it empties); the key starts with the
    day, so a range is one stretch of the index.
    """

    __tablename__ = "learner_problem_days"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    expression: Mapped[str] = mapped_column(sa.String(500), primary_key=True)
    exercise_key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    learner_id: Mapped[str] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    attempts: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))


class LearnerProblemSkills(Base):
    """A learner's attempts at one problem of a course at one skill: the page's learners at a skill.

    As in :class:`LearnerProblemDays`, a move deletes the rows it empties: a row is one learner.
    """

    __tablename__ = "learner_problem_skills"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    skill: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    expression: Mapped[str] = mapped_column(sa.String(500), primary_key=True)
    exercise_key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    learner_id: Mapped[str] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    attempts: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))


# The skill key of an attempt the engine filed under no skill: a key column cannot be NULL.
NO_SKILL = ""


class CourseDayAttempts(Base):
    """A course's attempts on one UTC day at one skill, summed (as ``conversation_stats`` sums them).

    The overview's attempts, correct answers and time on task under a date
    range or a skill are a few of these rows (a course has one per day and
    skill practised), not every attempt of the range. Kept by the turns, so
    exact at once. A course's turns of one day share its rows: each turn
    holds a row's lock from its write to its commit, a millisecond or two.
    """

    __tablename__ = "course_day_attempts"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    skill: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    correct: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    hints_used: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    latency_ms: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))
    timed_attempts: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))


class CourseDayWrongAnswers(Base):
    """How often a course's learners gave one wrong answer at one step on one day, at one skill.

    :class:`WrongAnswerCount` by day and skill: under a date range or a
    skill, the misconception page's counts (summed per misconception) and
    its example answers come from these rows.
    """

    __tablename__ = "course_day_wrong_answers"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    skill: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    misconception: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    answer: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    step: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))


class LearnerDayMisconceptions(Base):
    """The days on which a learner of a course gave wrong answers showing one misconception.

    How many learners showed a misconception in a date range: a learner's
    first and last day (:class:`LearnerMisconceptionCount`) decide it, except
    when their answers began before a two-ended range and ended after it;
    then their rows here are looked up, one probe of this key each.
    """

    __tablename__ = "learner_day_misconceptions"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    misconception: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    learner_id: Mapped[str] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    attempts: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))


class LearnerSkillMisconceptions(Base):
    """:class:`LearnerMisconceptionCount` per skill: a row is one learner, for the page's skill filter."""

    __tablename__ = "learner_skill_misconceptions"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    skill: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    misconception: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    learner_id: Mapped[str] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    attempts: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))


class CourseDayProblems(Base):
    """The problems a course's learners were set on one UTC day, and how many of them are solved.

    Kept by a job (``chain-tutor dashboards refresh``), not by the turns: a
    problem is counted on the day it was set, and solving it days later
    changes an old day's count, which a turn could only do by reading the
    problem's day first. The overview's solve-rate chart reads these rows for
    the problems set before the job's last run (:class:`SummaryRefresh`) and
    counts the problems set since then from ``problems`` itself; so a new
    problem shows at once and an old problem's later outcome shows after the
    next run.
    """

    __tablename__ = "course_day_problems"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    started: Mapped[int] = mapped_column(sa.BigInteger)
    solved: Mapped[int] = mapped_column(sa.BigInteger)


class SummaryRefresh(Base):
    """Up to when a job-kept summary has counted: the rows created before ``counted_before``."""

    __tablename__ = "summary_refreshes"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    counted_before: Mapped[datetime]


class CourseOutcomeCount(Base):
    """How many of a course's conversations stand at one outcome (``conversations.status``).

    Kept by the same job as :class:`CourseDayProblems`, for the same reason:
    a conversation's outcome changes outside turns too (a new conversation
    abandons the learner's open ones). The overview's "problems by outcome"
    adds these counts (conversations started before the job's last run) to
    a live count of the conversations started since.
    """

    __tablename__ = "course_outcome_counts"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    conversations: Mapped[int] = mapped_column(sa.BigInteger)
