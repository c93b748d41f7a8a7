"""Learners remember where they came from, so a teacher can tell anonymous ones apart.

A learner who gives no name used to show as "(no name)" on every dashboard
page. ``learners.source`` says how the learner started (``widget``,
``embed``, ``lesson``, ``api``) and ``learners.source_host`` the host of the
page they started on (``example.org``); the dashboard writes an unnamed
learner as "Learner 3f2a9c, via widget on example.org". Both are nullable:
existing learners have neither, and show as "Learner 3f2a9c".

Revision ID: 0009
Revises: 0004
Create Date: 2026-11-30 18:20:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no batch copy on SQLite: see 0004 on why a rebuild is unsafe).
    op.add_column('learners', sa.Column('source', sa.String(length=20), nullable=True))
    op.add_column('learners', sa.Column('source_host', sa.String(length=255), nullable=True))


def downgrade() -> None:
    # SQLite >= 3.35 drops a plain column in place.
    op.drop_column('learners', 'source_host')
    op.drop_column('learners', 'source')
