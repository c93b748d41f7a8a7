"""Work belongs to one course; dashboard sessions can be revoked.

Access follows the course (issue 11): an instructor reads only the
conversations and attempts filed under their own course, never everything
a learner of theirs did elsewhere. The columns ``conversations.course_id``
and ``attempts.course_id`` existed but were left empty by older code, so
they are **backfilled** here:

- a conversation without a course is filed under the course the learner
  had joined last when the conversation started (the rule
  ``start_conversation`` applies to new ones); a conversation started
  before any enrolment stays without a course, visible to no instructor;
- every attempt takes its conversation's course (a conversation's course
  never changes, so an attempt can never disagree with it);
- ``conversation_stats`` (the dashboards' per-conversation sums) gets a
  copy of its conversation's course, indexed, so a course page sums its
  own rows. It is a copy, not a foreign key: the row goes with its
  conversation (ON DELETE CASCADE), and SQLite cannot add a named foreign
  key to an existing table without rebuilding it.

``instructors.session_generation`` counts the instructor's logouts and
password changes: a dashboard session records the generation it was opened
in and ends when the counter moves on, so a cookie saved before a logout
no longer opens the dashboard.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 18:00:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

STATS = ['attempts', 'correct', 'hints_used', 'latency_ms', 'timed_attempts']

FILE_CONVERSATIONS = """
    UPDATE conversations SET course_id = (
        SELECT e.course_id FROM enrolments e
        WHERE e.learner_id = conversations.learner_id AND e.created_at <= conversations.created_at
        ORDER BY e.created_at DESC, e.id DESC LIMIT 1
    )
    WHERE course_id IS NULL
"""
FILE_ATTEMPTS = """
    UPDATE attempts SET course_id = (
        SELECT c.course_id FROM conversations c WHERE c.id = attempts.conversation_id
    )
"""
FILE_STATS = """
    UPDATE conversation_stats SET course_id = (
        SELECT c.course_id FROM conversations c WHERE c.id = conversation_stats.conversation_id
    )
"""


def upgrade() -> None:
    # Plain ADD COLUMNs, never a batch "copy and move" on SQLite (see 0004).
    op.add_column('conversation_stats', sa.Column('course_id', sa.Integer(), nullable=True))
    op.add_column('instructors', sa.Column('session_generation', sa.Integer(), server_default=sa.text('0'),
                                           nullable=False))
    op.execute(FILE_CONVERSATIONS)
    op.execute(FILE_ATTEMPTS)
    op.execute(FILE_STATS)
    op.create_index(op.f('ix_conversation_stats_course_id'), 'conversation_stats', ['course_id'],
                    postgresql_include=STATS)


def downgrade() -> None:
    # The filed courses stay: they are right, and older code reads them too.
    op.drop_index(op.f('ix_conversation_stats_course_id'), table_name='conversation_stats')
    op.drop_column('instructors', 'session_generation')
    op.drop_column('conversation_stats', 'course_id')
