"""Lesson content: lessons, their sections, and the exercise bank.

Rows here are written only by the content loader (``chain-tutor content
load``) from the files in ``content/``; ``source_path`` says which file a
row came from so that errors and edits can be traced back to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.models.base import Base, utcnow


class Lesson(Base):
    """A lesson: an ordered list of sections."""

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="", server_default=sa.text("''"))
    position: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    source_path: Mapped[str] = mapped_column(sa.String(500), default="", server_default=sa.text("''"))
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=sa.func.current_timestamp()
    )

    sections: Mapped[list[Section]] = relationship(
        back_populates="lesson",
        order_by="Section.position",
        cascade="all, delete-orphan",
        # The database deletes the sections (ON DELETE CASCADE); no need to load them first.
        passive_deletes=True,
    )
    exercises: Mapped[list[Exercise]] = relationship(
        back_populates="lesson", order_by="Exercise.position", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Lesson {self.slug!r}>"


class Section(Base):
    """One part of a lesson: a concept, a worked example, a summary, ...

    ``body`` is the section's Markdown (with ``$...$`` maths); ``meta``
    holds what the front matter says beyond the columns (for a worked
    example: its expression, variable and stated derivative).
    """

    __tablename__ = "sections"
    __table_args__ = (sa.UniqueConstraint("lesson_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lessons.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(sa.String(100))
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(32), default="concept", server_default="concept")
    body: Mapped[str] = mapped_column(sa.Text, default="", server_default=sa.text("''"))
    position: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=sa.text("'{}'"))

    lesson: Mapped[Lesson] = relationship(back_populates="sections")

    def __repr__(self) -> str:
        return f"<Section {self.slug!r} of lesson {self.lesson_id}>"


class Exercise(Base):
    """A problem of the exercise bank, tagged with skills and difficulty.

    ``skills`` lists names from :data:`service.tutor.skills.SKILL_NAMES`;
    ``family`` groups exercises by outer function (power, exp, trig, ...).
    """

    __tablename__ = "exercises"
    __table_args__ = (
        sa.CheckConstraint("difficulty BETWEEN 1 AND 5", name="difficulty_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    expression: Mapped[str] = mapped_column(sa.String(500))
    variable: Mapped[str] = mapped_column(sa.String(16), default="x", server_default="x")
    difficulty: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"), index=True)
    skills: Mapped[list[str]] = mapped_column(default=list, server_default=sa.text("'[]'"))
    family: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    prompt: Mapped[str | None] = mapped_column(sa.Text)
    lesson_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lessons.id", ondelete="SET NULL"), index=True
    )
    source_path: Mapped[str] = mapped_column(sa.String(500), default="", server_default=sa.text("''"))
    position: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))

    lesson: Mapped[Lesson | None] = relationship(back_populates="exercises")

    def __repr__(self) -> str:
        return f"<Exercise {self.slug!r}: {self.expression}>"
