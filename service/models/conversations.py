"""What learners do: conversations and their messages, attempts, mastery,
and the outbox of events for later delivery to an LMS.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.models.base import Base, CreatedAtMixin, TimestampsMixin, utcnow
from service.models.people import new_public_id
from service.tutor.outcomes import OUTCOMES

# A conversation's status is the outcome of the problem it is on (service.tutor.outcomes).
CONVERSATION_STATUSES: tuple[str, ...] = OUTCOMES
MESSAGE_ROLES: tuple[str, ...] = ("learner", "tutor")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL that holds when ``column`` takes one of ``values``.

    >>> _one_of("role", ("a", "b"))
    "role IN ('a', 'b')"
    """
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Conversation(TimestampsMixin, Base):
    """One tutoring conversation about one expression.

    ``state`` is the tutor engine's state, stored as JSON. ``version`` is
    SQLAlchemy's version counter: an UPDATE that finds another writer moved
    it first raises ``sqlalchemy.orm.exc.StaleDataError`` rather than
    overwriting that writer's turn (tutor turns, written with Core in
    :mod:`service.usecases.turn_records`, make the same check themselves).
    """

    __tablename__ = "conversations"
    __table_args__ = (
        sa.CheckConstraint(_one_of("status", CONVERSATION_STATUSES), name="status"),
        sa.Index(None, "learner_id", "updated_at"),
        # The dashboards' solve rate per day: a course's conversations by start, with their status.
        sa.Index(None, "learner_id", "created_at", postgresql_include=["status"]),
        # The overview at MOOC size (migration 0010): a course's conversations
        # started since the dashboards job ran, by outcome, its latest solved
        # ones and its given-up ones, without reading them all.
        sa.Index("ix_conversations_course_created", "course_id", "created_at", postgresql_include=["status"]),
        sa.Index("ix_conversations_course_solved", "course_id", "updated_at",
                 postgresql_where=sa.text("status IN ('solved', 'solved_with_hints')"),
                 sqlite_where=sa.text("status IN ('solved', 'solved_with_hints')")),
        sa.Index("ix_conversations_course_gave_up", "course_id", "updated_at",
                 postgresql_where=sa.text("status = 'gave_up'"), sqlite_where=sa.text("status = 'gave_up'")),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_public_id)
    learner_id: Mapped[str] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"))
    course_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="SET NULL"), index=True
    )
    exercise_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("exercises.id", ondelete="SET NULL"), index=True
    )
    expression: Mapped[str] = mapped_column(sa.String(500))
    variable: Mapped[str] = mapped_column(sa.String(16), default="x", server_default="x")
    state: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'"))
    status: Mapped[str] = mapped_column(sa.String(24), default="in_progress", server_default="in_progress")
    version: Mapped[int] = mapped_column(server_default=sa.text("1"))
    # How many messages it has, so also the next message's position (migration 0004).
    message_count: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation",
        order_by="Message.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Conversation {self.id} {self.status}>"


class Message(CreatedAtMixin, Base):
    """One message of a conversation, from the learner or the tutor.

    ``position`` numbers the messages of a conversation; it is unique per
    conversation so that two turns written at once cannot both take the
    same place (the second commit fails and can be retried).
    """

    __tablename__ = "messages"
    __table_args__ = (
        sa.UniqueConstraint("conversation_id", "position"),
        sa.CheckConstraint(_one_of("role", MESSAGE_ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE")
    )
    position: Mapped[int]
    role: Mapped[str] = mapped_column(sa.String(16))
    kind: Mapped[str] = mapped_column(sa.String(32))
    text: Mapped[str] = mapped_column(sa.Text)
    # The rendered maths and extras of a tutor message: latex, mathml, derivative, ...
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'"))

    conversation: Mapped[Conversation] = relationship(back_populates="messages")

    def __repr__(self) -> str:
        return f"<Message {self.conversation_id}#{self.position} {self.role}/{self.kind}>"


# What the dashboards' aggregates read of each attempt (see Attempt's indexes).
ATTEMPT_SUMMARY_COLUMNS: tuple[str, ...] = (
    "correct", "latency_ms", "hints_used", "skill", "misconception", "conversation_id",
)


class Attempt(CreatedAtMixin, Base):
    """One answer a learner gave to one step, with the tutor's verdict."""

    __tablename__ = "attempts"
    __table_args__ = (
        # The dashboards: per course over time, per learner over time,
        # most frequent misconceptions, per-exercise difficulty.
        sa.Index(None, "course_id", "created_at"),
        # A dashboard reads a course's attempts learner by learner; on
        # PostgreSQL the INCLUDE columns let it answer from the index alone
        # (migration 0002), without visiting the scattered table rows.
        sa.Index(None, "learner_id", "created_at", postgresql_include=list(ATTEMPT_SUMMARY_COLUMNS)),
        # The wrong answers only (a third of the rows), with their text: the
        # misconception page's counts, examples and its date and skill
        # filters, index-only on PostgreSQL (migration 0003).
        sa.Index("ix_attempts_wrong_answers", "learner_id", "created_at",
                 postgresql_include=["misconception", "answer", "step", "skill"],
                 postgresql_where=sa.text("NOT correct"),
                 sqlite_where=sa.text("NOT correct")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[str] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    exercise_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("exercises.id", ondelete="SET NULL"), index=True
    )
    course_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="SET NULL")
    )
    step: Mapped[str] = mapped_column(sa.String(64))
    answer: Mapped[str] = mapped_column(sa.Text)
    correct: Mapped[bool]
    misconception: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    skill: Mapped[str | None] = mapped_column(sa.String(64))
    latency_ms: Mapped[int | None]
    hints_used: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))

    def __repr__(self) -> str:
        verdict = "correct" if self.correct else (self.misconception or "wrong")
        return f"<Attempt {self.learner_id} {self.step}: {verdict}>"


class Mastery(Base):
    """A learner's estimated probability of knowing one skill (BKT)."""

    __tablename__ = "mastery"

    learner_id: Mapped[str] = mapped_column(
        sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[str] = mapped_column(sa.String(64), primary_key=True, index=True)
    probability: Mapped[float] = mapped_column(sa.Float)
    # BKT observations of the skill (opportunities); 0: not yet assessed (issue 13).
    attempts: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=sa.func.current_timestamp()
    )

    def __repr__(self) -> str:
        return f"<Mastery {self.learner_id} {self.skill}={self.probability:.2f}>"


class OutboxEvent(CreatedAtMixin, Base):
    """An event written in the same transaction as the turn that caused it.

    A deliverer (the LMS integration) sends undelivered events and sets
    ``delivered_at``. ``learner_id`` is deliberately not a foreign key: the
    outbox is a log, and an event must outlive the rows it talks about.
    """

    __tablename__ = "outbox_events"
    __table_args__ = (
        # The delivery worker: a learner's events not yet handed out, oldest
        # first (later events of that learner wait for them; migration 0007).
        sa.Index("ix_outbox_events_pending", "learner_id", "id",
                 postgresql_where=sa.text("delivered_at IS NULL"),
                 sqlite_where=sa.text("delivered_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(64))
    learner_id: Mapped[str | None] = mapped_column(sa.String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'"))
    delivered_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))

    def __repr__(self) -> str:
        return f"<OutboxEvent {self.id} {self.type}>"
