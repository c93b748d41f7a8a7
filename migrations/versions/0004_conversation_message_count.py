"""Conversations count their messages: a turn learns its next position without a query.

Every tutor turn used to ask ``max(messages.position)`` for the conversation
before writing its messages (one more statement and round trip in each
turn). ``conversations.message_count`` now holds it, written by the same
statement that moves the conversation's state and version on; the unique
``(conversation_id, position)`` constraint still guards the messages.
Existing conversations are **backfilled** from their messages.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 06:20:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

BACKFILL = """
    UPDATE conversations SET message_count = (
        SELECT coalesce(max(m.position) + 1, 0) FROM messages m WHERE m.conversation_id = conversations.id
    )
"""


def upgrade() -> None:
    # A plain ADD COLUMN, never a batch "copy and move" on SQLite: rebuilding
    # conversations would drop the old table, and with foreign keys on, the
    # drop cascades to every message and attempt.
    op.add_column('conversations', sa.Column('message_count', sa.Integer(), server_default=sa.text('0'),
                                             nullable=False))
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_column('conversations', 'message_count')
