"""Summaries by day and skill, for the dashboards' date and skill filters.

With a date range ("the last 7 days") or one skill, the overview, the
misconception page read every attempt of the range: 0.7-2.3 s for one
course of 10,000 learners at 10,000,000 attempts (``bench/bench_dashboard.py``).
Four tables kept by each turn in its own transaction, like those of 0003
and 0010, answer them instead:

- ``course_day_attempts`` (course, UTC day, skill): attempts, correct,
  hints, capped latency and timed attempts, as ``conversation_stats`` sums;
- ``course_day_wrong_answers`` (course, day, skill, misconception, answer,
  step): the misconception counts and example answers;
- ``learner_day_misconceptions`` (course, misconception, learner, day) and
  ``learner_skill_misconceptions`` (course, skill, misconception, learner):
  how many learners showed each misconception in the range, or at the skill;
- and ``learner_misconception_counts`` gains each learner's ``first_day`` and
  ``last_day`` per misconception: "since a day" and "until a day" need no more.

``''`` stands for no skill and for the wrong answers no known misconception
explains (key columns cannot be NULL). Backfilled from ``attempts`` (those
filed under a course) with the SQL ``service.usecases.dashboard.day_summaries``
also rebuilds them with, frozen here so this revision means the same thing
forever.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 01:10:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

STATS = ['attempts', 'correct', 'hints_used', 'latency_ms', 'timed_attempts']
WRONG = "FROM attempts WHERE NOT correct AND course_id IS NOT NULL"


def backfill(day: str) -> tuple[str, ...]:
    """The backfill, ``day`` being the database's UTC day of ``created_at``."""
    return (
        f"""INSERT INTO course_day_attempts (course_id, day, skill, attempts, correct, hints_used, latency_ms,
                                             timed_attempts)
            SELECT course_id, {day}, coalesce(skill, ''), count(*), sum(CASE WHEN correct THEN 1 ELSE 0 END),
                   coalesce(sum(hints_used), 0),
                   coalesce(sum(CASE WHEN latency_ms > 300000 THEN 300000 ELSE latency_ms END), 0), count(latency_ms)
            FROM attempts WHERE course_id IS NOT NULL GROUP BY course_id, {day}, coalesce(skill, '')""",
        f"""INSERT INTO course_day_wrong_answers (course_id, day, skill, misconception, answer, step, attempts)
            SELECT course_id, {day}, coalesce(skill, ''), coalesce(misconception, ''), answer, step, count(*) {WRONG}
            GROUP BY course_id, {day}, coalesce(skill, ''), coalesce(misconception, ''), answer, step""",
        f"""INSERT INTO learner_day_misconceptions (course_id, misconception, learner_id, day, attempts)
            SELECT course_id, coalesce(misconception, ''), learner_id, {day}, count(*) {WRONG}
            GROUP BY course_id, coalesce(misconception, ''), learner_id, {day}""",
        f"""INSERT INTO learner_skill_misconceptions (course_id, skill, misconception, learner_id, attempts)
            SELECT course_id, coalesce(skill, ''), coalesce(misconception, ''), learner_id, count(*) {WRONG}
            GROUP BY course_id, coalesce(skill, ''), coalesce(misconception, ''), learner_id""",
    )


# Each learner's first and last day per misconception, from the day rows just backfilled.
_SAME = ("d.course_id = c.course_id AND d.misconception = c.misconception "
         "AND d.learner_id = c.learner_id")
FIRST_AND_LAST_DAYS = f"""
    UPDATE learner_misconception_counts AS c
    SET first_day = (SELECT min(d.day) FROM learner_day_misconceptions d WHERE {_SAME}),
        last_day = (SELECT max(d.day) FROM learner_day_misconceptions d WHERE {_SAME})
"""


def counter(name: str = 'attempts') -> sa.Column:
    return sa.Column(name, sa.BigInteger(), server_default=sa.text('0'), nullable=False)


def course_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f(f'fk_{table}_course_id_courses'),
                                   ondelete='CASCADE')


def learner_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f(f'fk_{table}_learner_id_learners'),
                                   ondelete='CASCADE')


def upgrade() -> None:
    op.create_table('course_day_attempts',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('skill', sa.String(length=64), nullable=False),
    *[counter(name) for name in STATS],
    course_key('course_day_attempts'),
    sa.PrimaryKeyConstraint('course_id', 'day', 'skill', name=op.f('pk_course_day_attempts'))
    )
    op.create_table('course_day_wrong_answers',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('skill', sa.String(length=64), nullable=False),
    sa.Column('misconception', sa.String(length=64), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=False),
    counter(),
    course_key('course_day_wrong_answers'),
    sa.PrimaryKeyConstraint('course_id', 'day', 'skill', 'misconception', 'answer', 'step',
                            name=op.f('pk_course_day_wrong_answers'))
    )
    op.create_table('learner_day_misconceptions',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('misconception', sa.String(length=64), nullable=False),
    sa.Column('learner_id', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    counter(),
    course_key('learner_day_misconceptions'),
    learner_key('learner_day_misconceptions'),
    sa.PrimaryKeyConstraint('course_id', 'misconception', 'learner_id', 'day',
                            name=op.f('pk_learner_day_misconceptions'))
    )
    op.create_table('learner_skill_misconceptions',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('skill', sa.String(length=64), nullable=False),
    sa.Column('misconception', sa.String(length=64), nullable=False),
    sa.Column('learner_id', sa.String(length=32), nullable=False),
    counter(),
    course_key('learner_skill_misconceptions'),
    learner_key('learner_skill_misconceptions'),
    sa.PrimaryKeyConstraint('course_id', 'skill', 'misconception', 'learner_id',
                            name=op.f('pk_learner_skill_misconceptions'))
    )
    # SQLite keeps UTC timestamps as text that starts with the day (whatever follows it).
    day = ("date(timezone('UTC', created_at))" if op.get_bind().dialect.name == 'postgresql'
           else "substr(created_at, 1, 10)")
    for statement in backfill(day):
        op.execute(statement)
    op.add_column('learner_misconception_counts', sa.Column('first_day', sa.Date(), nullable=True))
    op.add_column('learner_misconception_counts', sa.Column('last_day', sa.Date(), nullable=True))
    op.execute(FIRST_AND_LAST_DAYS)


def downgrade() -> None:
    with op.batch_alter_table('learner_misconception_counts') as batch:
        batch.drop_column('last_day')
        batch.drop_column('first_day')
    op.drop_table('learner_skill_misconceptions')
    op.drop_table('learner_day_misconceptions')
    op.drop_table('course_day_wrong_answers')
    op.drop_table('course_day_attempts')
