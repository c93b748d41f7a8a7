"""Dashboard summaries for MOOC-size courses: misconception counts, sums per problem, the overview's job.

At one course of 10,000 learners with 1,000,000 attempts
(``bench/bench_dashboard.py``) the misconception page took 0.5 s (p99) and
the exercise page 0.2 s, and both grew with the attempts (2 s at
10,000,000). Three summaries kept by each turn in its own transaction, like
``conversation_stats`` (0003), let them sum a few small rows instead:

- ``learner_misconception_counts``: per (course, learner, misconception),
  the learner's wrong answers; ``''`` stands for the wrong answers no known
  misconception explains (a key column cannot be NULL). A row is one
  learner, so counting rows counts learners.
- ``wrong_answer_counts``: per (course, misconception, answer, step), how
  often that wrong answer was given: the page's example answers.
- ``learner_problem_stats``: per (course, problem, learner), the attempts
  summed as ``conversation_stats`` sums them; a problem is a conversation's
  current expression and exercise (``exercise_key``, 0 for none). The
  exercise difficulty page and the overview's all-time totals sum it
  instead of every conversation's row.

And for the overview:

- ``course_day_problems`` (per course and UTC day, the problems set and
  solved: the solve-rate chart) and ``course_outcome_counts`` (per course
  and outcome, the conversations: "problems by outcome"); kept by a job
  (``chain-tutor dashboards refresh``), with ``summary_refreshes`` saying up
  to when it counted, and ``ix_problems_created_at`` and
  ``ix_conversations_course_created`` for what was set since. Not
  backfilled: until the job's first run the pages count live, as before.
- Indexes for "who needs help" (a course's conversations ranked by wrong
  answers and hints, its latest solved, its given-up ones): it sorted every
  conversation of the course (1.6 s at 10,000,000 attempts).

The first three are created here and **backfilled**, the first two from ``attempts``
(wrong answers filed under a course; no page shows the others), the last
from ``conversation_stats``, with the SQL that
``service.usecases.dashboard.misconception_summaries`` and
``problem_summaries`` also rebuild them with, frozen here so this revision
means the same thing forever.

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

STATS = ['attempts', 'correct', 'hints_used', 'latency_ms', 'timed_attempts']
SOLVED = sa.text("status IN ('solved', 'solved_with_hints')")
GAVE_UP = sa.text("status = 'gave_up'")

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
    # From the per-conversation sums (exact since 0003), filed under each
    # conversation's current problem; 0 stands for "not a bank exercise".
    """
    INSERT INTO learner_problem_stats (course_id, expression, exercise_key, learner_id, attempts, correct,
                                       hints_used, latency_ms, timed_attempts)
    SELECT c.course_id, c.expression, coalesce(c.exercise_id, 0), c.learner_id, sum(s.attempts), sum(s.correct),
           sum(s.hints_used), sum(s.latency_ms), sum(s.timed_attempts)
    FROM conversation_stats s JOIN conversations c ON c.id = s.conversation_id
    WHERE c.course_id IS NOT NULL
    GROUP BY c.course_id, c.expression, coalesce(c.exercise_id, 0), c.learner_id
    """,
)


def sum_column(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), server_default=sa.text('0'), nullable=False)


def counter() -> sa.Column:
    return sum_column('attempts')


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
    op.create_table('learner_problem_stats',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('expression', sa.String(length=500), nullable=False),
    sa.Column('exercise_key', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('learner_id', sa.String(length=32), nullable=False),
    *[sum_column(name) for name in STATS],
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                            name=op.f('fk_learner_problem_stats_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'],
                            name=op.f('fk_learner_problem_stats_learner_id_learners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', 'expression', 'exercise_key', 'learner_id',
                            name=op.f('pk_learner_problem_stats'))
    )
    for statement in BACKFILL:
        op.execute(statement)
    # Kept by a job (chain-tutor dashboards refresh), not backfilled: until its
    # first run the chart counts every problem live, as before.
    op.create_table('course_day_problems',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('started', sa.BigInteger(), nullable=False),
    sa.Column('solved', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                            name=op.f('fk_course_day_problems_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', 'day', name=op.f('pk_course_day_problems'))
    )
    op.create_table('course_outcome_counts',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('conversations', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                            name=op.f('fk_course_outcome_counts_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', 'status', name=op.f('pk_course_outcome_counts'))
    )
    op.create_table('summary_refreshes',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('counted_before', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_summary_refreshes'))
    )
    op.create_index(op.f('ix_problems_created_at'), 'problems', ['created_at'])
    # The overview's "who needs help" at MOOC size: ranked from an index, not a sort of
    # every conversation of the course.
    op.create_index('ix_conversation_stats_struggle', 'conversation_stats',
                    ['course_id', sa.text('(attempts - correct) DESC'), sa.text('hints_used DESC')])
    op.create_index('ix_conversations_course_created', 'conversations', ['course_id', 'created_at'],
                    postgresql_include=['status'])
    op.create_index('ix_conversations_course_solved', 'conversations', ['course_id', 'updated_at'],
                    postgresql_where=SOLVED, sqlite_where=SOLVED)
    op.create_index('ix_conversations_course_gave_up', 'conversations', ['course_id', 'updated_at'],
                    postgresql_where=GAVE_UP, sqlite_where=GAVE_UP)


def downgrade() -> None:
    op.drop_index('ix_conversations_course_gave_up', table_name='conversations')
    op.drop_index('ix_conversations_course_solved', table_name='conversations')
    op.drop_index('ix_conversations_course_created', table_name='conversations')
    op.drop_index('ix_conversation_stats_struggle', table_name='conversation_stats')
    op.drop_index(op.f('ix_problems_created_at'), table_name='problems')
    op.drop_table('summary_refreshes')
    op.drop_table('course_outcome_counts')
    op.drop_table('course_day_problems')
    op.drop_table('learner_problem_stats')
    op.drop_table('wrong_answer_counts')
    op.drop_table('learner_misconception_counts')
