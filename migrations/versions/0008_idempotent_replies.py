"""Idempotent turns: the reply to a request sent with an Idempotency-Key, kept for a day.

A client that resends a chat message (or a conversation start) after a
timeout, with the same ``Idempotency-Key`` header, gets the stored reply
instead of a second turn. Rows older than ``IDEMPOTENCY_KEY_TTL`` no longer
answer and are deleted when their learner stores a new key.

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-30 18:10:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'idempotent_replies',
        sa.Column('learner_id', sa.String(length=32), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('reply', JSON, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'),
                  nullable=False),
        sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_idempotent_replies_learner_id_learners'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('learner_id', 'key', name=op.f('pk_idempotent_replies')),
    )


def downgrade() -> None:
    op.drop_table('idempotent_replies')
