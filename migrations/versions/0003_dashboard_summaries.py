"""Dashboard summaries: attempts summed per conversation, and an index of the wrong answers.

Measured with ``EXPLAIN ANALYZE`` on ``bench/bench_dashboard.py``'s volume
(a course of 1,000 learners and 100,000 attempts among 1,000,000):

- ``conversation_stats`` holds each conversation's attempts summed
  (attempts, correct, hints, capped latency, timed attempts), kept by the
  same transaction that writes the attempts. The all-time exercise
  difficulty and overview figures sum a course's 10,000 conversation rows
  instead of its 100,000 attempts. It is created here and **backfilled**
  from ``attempts`` so existing data is counted.
- ``ix_attempts_wrong_answers`` (partial: ``NOT correct``) replaces 0002's
  ``ix_attempts_learner_id_misconception`` (partial: misconception not
  NULL). The misconception page counts every wrong answer, including the
  ones no misconception explains, so the old index could not answer its
  counts; keyed by learner and time it also serves the date filters.

The latency cap in the backfill (five minutes) is the dashboard's
``IDLE_CAP_MS`` at the time of writing, spelled out so that this revision
means the same thing forever.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 04:10:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

STATS = ['attempts', 'correct', 'hints_used', 'latency_ms', 'timed_attempts']
WRONG = sa.text('NOT correct')
OLD_WRONG = sa.text('misconception IS NOT NULL')

BACKFILL = """
    INSERT INTO conversation_stats (conversation_id, learner_id, attempts, correct, hints_used,
                                    latency_ms, timed_attempts)
    SELECT a.conversation_id, c.learner_id, count(*),
           sum(CASE WHEN a.correct THEN 1 ELSE 0 END),
           coalesce(sum(a.hints_used), 0),
           coalesce(sum(CASE WHEN a.latency_ms > 300000 THEN 300000 ELSE a.latency_ms END), 0),
           count(a.latency_ms)
    FROM attempts a JOIN conversations c ON c.id = a.conversation_id
    GROUP BY a.conversation_id, c.learner_id
"""


def counter(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), server_default=sa.text('0'), nullable=False)


def upgrade() -> None:
    op.create_table('conversation_stats',
    sa.Column('conversation_id', sa.String(length=32), nullable=False),
    sa.Column('learner_id', sa.String(length=32), nullable=False),
    *[counter(name) for name in STATS],
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'],
                            name=op.f('fk_conversation_stats_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'],
                            name=op.f('fk_conversation_stats_learner_id_learners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id', name=op.f('pk_conversation_stats'))
    )
    op.execute(BACKFILL)
    # The index after the backfill: building it once is cheaper than growing it row by row.
    op.create_index(op.f('ix_conversation_stats_learner_id'), 'conversation_stats', ['learner_id'],
                    postgresql_include=STATS)
    op.drop_index(op.f('ix_attempts_learner_id_misconception'), table_name='attempts')
    op.create_index('ix_attempts_wrong_answers', 'attempts', ['learner_id', 'created_at'],
                    postgresql_include=['misconception', 'answer', 'step', 'skill'],
                    postgresql_where=WRONG, sqlite_where=WRONG)


def downgrade() -> None:
    op.drop_index('ix_attempts_wrong_answers', table_name='attempts')
    op.create_index(op.f('ix_attempts_learner_id_misconception'), 'attempts', ['learner_id', 'misconception'],
                    postgresql_include=['answer', 'step', 'skill', 'created_at'],
                    postgresql_where=OLD_WRONG, sqlite_where=OLD_WRONG)
    op.drop_index(op.f('ix_conversation_stats_learner_id'), table_name='conversation_stats')
    op.drop_table('conversation_stats')
