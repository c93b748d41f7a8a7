"""Misconception summaries: wrong answers counted per learner and per answer, for MOOC-size courses.

The misconception page counted every wrong answer of a course: at one
course of 10,000 learners with 1,000,000 attempts (``bench/bench_dashboard.py``)
its query took 0.5 s (p99) and the page 0.7 s, and both grow with the
attempts. Two summaries, kept by each turn in its own transaction like
``conversation_stats`` (0003), let it sum a few small rows instead:

- ``learner_misconception_counts``: per (course, learner, misconception),
  the learner's wrong answers; ``''`` stands for the wrong answers no known
  misconception explains (a key column cannot be NULL). A row is one
  learner, so counting rows counts learners.
- ``wrong_answer_counts``: per (course, misconception, answer, step), how
  often that wrong answer was given: the page's example answers.

Both are created here and **backfilled** from ``attempts`` (wrong answers
filed under a course; no page shows the others), with the SQL that
``service.usecases.dashboard.misconception_summaries`` also rebuilds them
with, frozen here so this revision means the same thing forever.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 21:30:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

BACKFILL = (
    """
    INSERT INTO learner_misconception_counts (course_id, learner_id, misconception, attempts)
    SELECT course_id, learner_id, coalesce(misconception, ''), count(*)
    FROM attempts WHERE NOT correct AND course_id IS NOT NULL
    GROUP BY course_id, learner_id, coalesce(misconception, '')
    """,
    """
    INSERT INTO wrong_answer_counts (course_id, misconception, answer, step, attempts)
    SELECT course_id, coalesce(misconception, ''), answer, step, count(*)
    FROM attempts WHERE NOT correct AND course_id IS NOT NULL
    GROUP BY course_id, coalesce(misconception, ''), answer, step
    """,
)


def counter() -> sa.Column:
    return sa.Column('attempts', sa.BigInteger(), server_default=sa.text('0'), nullable=False)


def upgrade() -> None:
    op.create_table('learner_misconception_counts',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.String(length=32), nullable=False),
    sa.Column('misconception', sa.String(length=64), nullable=False),
    counter(),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                            name=op.f('fk_learner_misconception_counts_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'],
                            name=op.f('fk_learner_misconception_counts_learner_id_learners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', 'learner_id', 'misconception', name=op.f('pk_learner_misconception_counts'))
    )
    op.create_table('wrong_answer_counts',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('misconception', sa.String(length=64), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=False),
    counter(),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                            name=op.f('fk_wrong_answer_counts_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', 'misconception', 'answer', 'step', name=op.f('pk_wrong_answer_counts'))
    )
    for statement in BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table('wrong_answer_counts')
    op.drop_table('learner_misconception_counts')
