"""Indexes for the instructor dashboards at scale (10,000 learners, 1,000,000 attempts).

A dashboard reads one course's attempts learner by learner (a course's work
is its enrolled learners' work). Those rows are scattered over the whole
table, so fetching each one costs a random page read; the PostgreSQL
``INCLUDE`` columns below let the aggregates run from the index alone:

- ``ix_attempts_learner_id_created_at`` is rebuilt to carry what the
  overview, exercise and skill figures read (verdict, latency, hints,
  skill, misconception, conversation);
- ``ix_attempts_learner_id_misconception`` (partial: wrong answers with a
  misconception only) carries the answer text for the misconception page;
- ``ix_conversations_learner_id_created_at`` serves the solve rate per day.

On SQLite ``INCLUDE`` does not exist and the indexes are plain (the partial
one stays partial). ``bench/bench_dashboard.py`` measures the effect.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 03:20:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

SUMMARY = ['correct', 'latency_ms', 'hints_used', 'skill', 'misconception', 'conversation_id']
WRONG_ANSWERS = sa.text('misconception IS NOT NULL')


def upgrade() -> None:
    op.drop_index(op.f('ix_attempts_learner_id_created_at'), table_name='attempts')
    op.create_index(op.f('ix_attempts_learner_id_created_at'), 'attempts', ['learner_id', 'created_at'],
                    postgresql_include=SUMMARY)
    op.create_index(op.f('ix_attempts_learner_id_misconception'), 'attempts', ['learner_id', 'misconception'],
                    postgresql_include=['answer', 'step', 'skill', 'created_at'],
                    postgresql_where=WRONG_ANSWERS, sqlite_where=WRONG_ANSWERS)
    op.create_index(op.f('ix_conversations_learner_id_created_at'), 'conversations',
                    ['learner_id', 'created_at'], postgresql_include=['status'])


def downgrade() -> None:
    op.drop_index(op.f('ix_conversations_learner_id_created_at'), table_name='conversations')
    op.drop_index(op.f('ix_attempts_learner_id_misconception'), table_name='attempts')
    op.drop_index(op.f('ix_attempts_learner_id_created_at'), table_name='attempts')
    op.create_index(op.f('ix_attempts_learner_id_created_at'), 'attempts', ['learner_id', 'created_at'])
