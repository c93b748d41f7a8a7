"""Summaries of each problem by day and skill, for the exercise page's date and skill filters.

With a date range or one skill, the exercise difficulty page read every
attempt of the range and joined each conversation for its problem: 1.7 s for
one course of 10,000 learners at 10,000,000 attempts (``bench/bench_dashboard.py``).
Three tables kept by each turn in its own transaction, like those of 0010
and 0012, answer it instead:

- ``course_problem_days`` (course, UTC day, skill, problem): attempts,
  correct, hints, capped latency and timed attempts;
- ``learner_problem_days`` (course, day, problem, learner) and
  ``learner_problem_skills`` (course, skill, problem, learner): how many
  learners tried each problem in the range, or at the skill.

A problem is a conversation's current expression and bank exercise
(``exercise_key``, 0 for none), as ``learner_problem_stats`` counts it;
``''`` stands for no skill. Backfilled from ``attempts`` joined to their
conversations with the SQL ``service.usecases.dashboard.problem_summaries``
also rebuilds them with, frozen here so this revision means the same thing
forever.

From now on a turn that moves a conversation on deletes the learner's rows
it leaves at zero attempts, so that a row of a table keyed by learner is
always one learner (the page counts keys, from the index alone); the rows of
``learner_problem_stats`` such moves left at zero before are deleted here.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 04:00:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

STATS = ['attempts', 'correct', 'hints_used', 'latency_ms', 'timed_attempts']
SUMS = ("count(*), sum(CASE WHEN correct THEN 1 ELSE 0 END), coalesce(sum(hints_used), 0), "
        "coalesce(sum(CASE WHEN latency_ms > 300000 THEN 300000 ELSE latency_ms END), 0), count(latency_ms)")
PROBLEM = "c.expression, coalesce(c.exercise_id, 0)"
JOINED = "FROM attempts a JOIN conversations c ON c.id = a.conversation_id WHERE c.course_id IS NOT NULL"


def backfill(day: str) -> tuple[str, ...]:
    """The backfill, ``day`` being the database's UTC day of ``a.created_at``."""
    return (
        f"""INSERT INTO course_problem_days (course_id, day, skill, expression, exercise_key, attempts, correct,
                                             hints_used, latency_ms, timed_attempts)
            SELECT c.course_id, {day}, coalesce(a.skill, ''), {PROBLEM}, {SUMS} {JOINED}
            GROUP BY c.course_id, {day}, coalesce(a.skill, ''), {PROBLEM}""",
        f"""INSERT INTO learner_problem_days (course_id, day, expression, exercise_key, learner_id, attempts)
            SELECT c.course_id, {day}, {PROBLEM}, c.learner_id, count(*) {JOINED}
            GROUP BY c.course_id, {day}, {PROBLEM}, c.learner_id""",
        f"""INSERT INTO learner_problem_skills (course_id, skill, expression, exercise_key, learner_id, attempts)
            SELECT c.course_id, coalesce(a.skill, ''), {PROBLEM}, c.learner_id, count(*) {JOINED}
            GROUP BY c.course_id, coalesce(a.skill, ''), {PROBLEM}, c.learner_id""",
    )


def counter(name: str = 'attempts') -> sa.Column:
    return sa.Column(name, sa.BigInteger(), server_default=sa.text('0'), nullable=False)


def keys(table: str, *columns: sa.Column) -> list:
    """The course, the problem and ``columns``; the course's and learner's foreign keys; the primary key."""
    names = [column.name for column in columns]
    constraints = [sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                                           name=op.f(f'fk_{table}_course_id_courses'), ondelete='CASCADE')]
    if 'learner_id' in names:
        constraints.append(sa.ForeignKeyConstraint(['learner_id'], ['learners.id'],
                                                   name=op.f(f'fk_{table}_learner_id_learners'), ondelete='CASCADE'))
    return [sa.Column('course_id', sa.Integer(), nullable=False), *columns, *constraints]


def problem() -> tuple[sa.Column, sa.Column]:
    return (sa.Column('expression', sa.String(length=500), nullable=False),
            sa.Column('exercise_key', sa.Integer(), autoincrement=False, nullable=False))


def upgrade() -> None:
    op.create_table('course_problem_days',
    *keys('course_problem_days', sa.Column('day', sa.Date(), nullable=False),
          sa.Column('skill', sa.String(length=64), nullable=False), *problem()),
    *[counter(name) for name in STATS],
    sa.PrimaryKeyConstraint('course_id', 'day', 'skill', 'expression', 'exercise_key',
                            name=op.f('pk_course_problem_days'))
    )
    op.create_table('learner_problem_days',
    *keys('learner_problem_days', sa.Column('day', sa.Date(), nullable=False), *problem(),
          sa.Column('learner_id', sa.String(length=32), nullable=False)),
    counter(),
    sa.PrimaryKeyConstraint('course_id', 'day', 'expression', 'exercise_key', 'learner_id',
                            name=op.f('pk_learner_problem_days'))
    )
    op.create_table('learner_problem_skills',
    *keys('learner_problem_skills', sa.Column('skill', sa.String(length=64), nullable=False), *problem(),
          sa.Column('learner_id', sa.String(length=32), nullable=False)),
    counter(),
    sa.PrimaryKeyConstraint('course_id', 'skill', 'expression', 'exercise_key', 'learner_id',
                            name=op.f('pk_learner_problem_skills'))
    )
    # SQLite keeps UTC timestamps as text that starts with the day (whatever follows it).
    day = ("date(timezone('UTC', a.created_at))" if op.get_bind().dialect.name == 'postgresql'
           else "substr(a.created_at, 1, 10)")
    for statement in backfill(day):
        op.execute(statement)
    op.execute("DELETE FROM learner_problem_stats WHERE attempts = 0")


def downgrade() -> None:
    op.drop_table('learner_problem_skills')
    op.drop_table('learner_problem_days')
    op.drop_table('course_problem_days')
