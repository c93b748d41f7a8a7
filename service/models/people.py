"""People and the courses that group them: instructors, learners, enrolments.

Learners are anonymous by default: an opaque id and a bearer token, of
which only a hash is stored. Instructors have an account with a password
hash and an optional API key hash.
"""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.models.base import Base, CreatedAtMixin, utcnow


def new_public_id() -> str:
    """A fresh opaque public id: 32 hex digits of a random UUID.

    >>> len(new_public_id())
    32
    """
    return uuid4().hex


class Instructor(CreatedAtMixin, Base):
    """A teacher with an account; owns courses."""

    __tablename__ = "instructors"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    api_key_hash: Mapped[str | None] = mapped_column(sa.String(128), unique=True)
    # Moves on at every logout and password change; a dashboard session
    # opened in an older generation is over (migration 0005).
    session_generation: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))

    courses: Mapped[list[Course]] = relationship(
        back_populates="instructor", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Instructor {self.email!r}>"


class Course(CreatedAtMixin, Base):
    """A course of one instructor; learners join it with its short ``code``."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    instructor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instructors.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)

    instructor: Mapped[Instructor] = relationship(back_populates="courses")
    enrolments: Mapped[list[Enrolment]] = relationship(
        back_populates="course", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Course {self.code!r}>"


class Learner(CreatedAtMixin, Base):
    """A learner, known by an opaque id and a bearer token (stored hashed)."""

    __tablename__ = "learners"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_public_id)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    token_hash: Mapped[str] = mapped_column(sa.String(128), unique=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    # Where the learner started (widget, embed, lesson, api) and on which host:
    # how the dashboard tells unnamed learners apart (migration 0009).
    source: Mapped[str | None] = mapped_column(sa.String(20))
    source_host: Mapped[str | None] = mapped_column(sa.String(255))

    enrolments: Mapped[list[Enrolment]] = relationship(
        back_populates="learner", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Learner {self.id}>"


class Enrolment(CreatedAtMixin, Base):
    """A learner's membership of a course."""

    __tablename__ = "enrolments"
    __table_args__ = (sa.UniqueConstraint("learner_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No separate index on learner_id: the unique constraint's index leads with it.
    learner_id: Mapped[str] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )

    learner: Mapped[Learner] = relationship(back_populates="enrolments")
    course: Mapped[Course] = relationship(back_populates="enrolments")

    def __repr__(self) -> str:
        return f"<Enrolment {self.learner_id} in course {self.course_id}>"
