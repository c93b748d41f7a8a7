"""The knowledge model: truthful outcomes, problems, misconception beliefs, fitted BKT parameters.

- ``conversations.status`` takes the outcomes vocabulary of
  :mod:`service.tutor.outcomes` (``in_progress``, ``solved``,
  ``solved_with_hints``, ``gave_up``, ``abandoned``). Existing rows are
  **rewritten**: ``active`` becomes ``in_progress``; ``solved`` becomes
  ``gave_up`` when the state says the solution was shown, else
  ``solved_with_hints`` or ``solved`` by the state's hints.
- ``problems``: one row per problem set, with its outcome. **Backfilled** with
  one row per existing conversation (its current problem): problems a
  conversation moved past before this migration are not recoverable.
- ``misconception_beliefs``: per learner, the probability of each misconception.
- ``bkt_parameter_sets``: versioned BKT fits with their report.

On SQLite a CHECK constraint and a column default cannot be altered, and
rebuilding ``conversations`` would cascade-delete every message (foreign keys
are on). The table's stored definition is edited in place instead, as
SQLite's documentation describes for removing or changing CHECK constraints
and defaults ("Making Other Kinds Of Table Schema Changes", writable_schema):
no row's stored bytes change.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-30 18:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
OLD_CHECK = "status IN ('active', 'solved', 'abandoned')"
NEW_CHECK = "status IN ('in_progress', 'solved', 'solved_with_hints', 'gave_up', 'abandoned')"
OLD_COLUMN = "status VARCHAR(16) DEFAULT 'active' NOT NULL"
NEW_COLUMN = "status VARCHAR(24) DEFAULT 'in_progress' NOT NULL"


def _edit_sqlite_definition(replacements: list[tuple[str, str]]) -> None:
    bind = op.get_bind()
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'conversations'").scalar()
    for old, new in replacements:
        if old not in sql:
            raise RuntimeError(f"conversations' definition has no {old!r}; edit it by hand")
        sql = sql.replace(old, new)
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'conversations'", (sql,))
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _change_status_column(old_check: str, new_check: str, old_column: str, new_column: str,
                          length: int, default: str, rewrite) -> None:
    """Swap the status column's definition and ``rewrite`` the rows to the new vocabulary."""
    if op.get_bind().dialect.name == 'sqlite':
        # Existing rows are not re-checked by the edit; the rewrite's UPDATEs are.
        _edit_sqlite_definition([(old_check, new_check), (old_column, new_column)])
        rewrite()
        return
    op.drop_constraint(op.f('ck_conversations_status'), 'conversations', type_='check')
    widening = length > 16  # the new names need the wider column first; the old ones fit after
    if not widening:
        rewrite()
    op.alter_column('conversations', 'status', type_=sa.String(length=length), server_default=default)
    if widening:
        rewrite()
    op.create_check_constraint(op.f('ck_conversations_status'), 'conversations', new_check)


def _rewrite_statuses() -> None:
    conversations = sa.table('conversations', sa.column('id', sa.String), sa.column('status', sa.String),
                             sa.column('state', JSON))
    bind = op.get_bind()
    bind.execute(sa.update(conversations).where(conversations.c.status == 'active').values(status='in_progress'))
    finished = bind.execute(sa.select(conversations.c.id, conversations.c.state)
                            .where(conversations.c.status == 'solved')).all()
    for conversation_id, state in finished:
        state = state or {}
        status = ('gave_up' if state.get('gave_up') else
                  'solved_with_hints' if state.get('hints_used') else 'solved')
        if status != 'solved':
            bind.execute(sa.update(conversations).where(conversations.c.id == conversation_id)
                         .values(status=status))


def upgrade() -> None:
    _change_status_column(OLD_CHECK, NEW_CHECK, OLD_COLUMN, NEW_COLUMN, 24, 'in_progress', _rewrite_statuses)

    op.create_table('problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=32), nullable=False),
    sa.Column('learner_id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('expression', sa.String(length=500), nullable=False),
    sa.Column('outcome', sa.String(length=24), server_default='in_progress', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("outcome IN ('in_progress', 'solved', 'solved_with_hints', 'gave_up', 'abandoned')",
                       name=op.f('ck_problems_outcome')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'],
                            name=op.f('fk_problems_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_problems_learner_id_learners'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problems')),
    sa.UniqueConstraint('conversation_id', 'position', name=op.f('uq_problems_conversation_id_position')),
    )
    op.create_index(op.f('ix_problems_learner_id_created_at'), 'problems', ['learner_id', 'created_at'],
                    postgresql_include=['outcome'])
    op.execute("""
        INSERT INTO problems (conversation_id, learner_id, position, expression, outcome, created_at, updated_at)
        SELECT id, learner_id, 0, expression, status, created_at, updated_at FROM conversations
        WHERE expression <> ''
    """)

    op.create_table('misconception_beliefs',
    sa.Column('learner_id', sa.String(length=32), nullable=False),
    sa.Column('misconception', sa.String(length=64), nullable=False),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'],
                            name=op.f('fk_misconception_beliefs_learner_id_learners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('learner_id', 'misconception', name=op.f('pk_misconception_beliefs')),
    )

    op.create_table('bkt_parameter_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model', sa.String(length=32), nullable=False),
    sa.Column('params', JSON, nullable=False),
    sa.Column('report', JSON, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bkt_parameter_sets')),
    )


def downgrade() -> None:
    op.drop_table('bkt_parameter_sets')
    op.drop_table('misconception_beliefs')
    op.drop_index(op.f('ix_problems_learner_id_created_at'), table_name='problems')
    op.drop_table('problems')
    _change_status_column(NEW_CHECK, OLD_CHECK, NEW_COLUMN, OLD_COLUMN, 16, 'active', _restore_statuses)


def _restore_statuses() -> None:
    op.execute("UPDATE conversations SET status = 'solved' WHERE status IN ('solved_with_hints', 'gave_up')")
    op.execute("UPDATE conversations SET status = 'active' WHERE status = 'in_progress'")
