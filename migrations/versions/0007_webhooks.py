"""Webhooks out and LTI 1.3: endpoints, deliveries, platforms, keys, launches' mappings.

``webhook_endpoints`` are a course's subscriptions (URL, event types,
signing secret and the rotated-out one still signing); ``webhook_deliveries``
one row per (endpoint, outbox event) with its status, attempts and lease.
``ix_outbox_events_pending`` finds a learner's events not yet handed out,
so later ones wait for them (in order per learner).

LTI: ``lti_platforms`` (registrations per issuer and client id, with their
deployments), ``lti_keys`` (the tool's RSA keys), ``lti_users`` and
``lti_contexts`` (platform users and courses mapped to ours),
``lti_grade_targets`` (a learner's AGS line item per course) and
``lti_cache`` (OIDC state, nonces and launch data shared by all workers).

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-30 18:10:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'webhook_endpoints',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('description', sa.String(length=500), nullable=True),
        sa.Column('events', JSON, server_default=sa.text("'[]'"), nullable=False),
        sa.Column('secret', sa.String(length=100), nullable=False),
        sa.Column('previous_secret', sa.String(length=100), nullable=True),
        sa.Column('previous_secret_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('state', sa.String(length=16), server_default='active', nullable=False),
        sa.Column('disabled_reason', sa.String(length=500), nullable=True),
        sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('consecutive_failures', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
        sa.CheckConstraint("state IN ('active', 'disabled')", name=op.f('ck_webhook_endpoints_state')),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                                name=op.f('fk_webhook_endpoints_course_id_courses'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints')),
    )
    op.create_index(op.f('ix_webhook_endpoints_course_id'), 'webhook_endpoints', ['course_id'])
    op.create_table(
        'webhook_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('endpoint_id', sa.String(length=32), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('event_type', sa.String(length=64), nullable=False),
        sa.Column('learner_id', sa.String(length=32), nullable=True),
        sa.Column('status', sa.String(length=16), server_default='pending', nullable=False),
        sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('last_status_code', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('lease_token', sa.String(length=32), nullable=True),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')",
                           name=op.f('ck_webhook_deliveries_status')),
        sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'],
                                name=op.f('fk_webhook_deliveries_endpoint_id_webhook_endpoints'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
        sa.UniqueConstraint('endpoint_id', 'event_id', name=op.f('uq_webhook_deliveries_endpoint_id_event_id')),
    )
    op.create_index(op.f('ix_webhook_deliveries_status_next_attempt_at'), 'webhook_deliveries',
                    ['status', 'next_attempt_at'])
    op.create_index(op.f('ix_webhook_deliveries_endpoint_id_learner_id_event_id'), 'webhook_deliveries',
                    ['endpoint_id', 'learner_id', 'event_id'])
    op.create_index('ix_outbox_events_pending', 'outbox_events', ['learner_id', 'id'],
                    postgresql_where=sa.text('delivered_at IS NULL'),
                    sqlite_where=sa.text('delivered_at IS NULL'))

    op.create_table(
        'lti_platforms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('issuer', sa.String(length=500), nullable=False),
        sa.Column('client_id', sa.String(length=255), nullable=False),
        sa.Column('deployment_ids', JSON, server_default=sa.text("'[]'"), nullable=False),
        sa.Column('auth_login_url', sa.String(length=2000), nullable=False),
        sa.Column('auth_token_url', sa.String(length=2000), nullable=False),
        sa.Column('key_set_url', sa.String(length=2000), nullable=False),
        sa.Column('auth_audience', sa.String(length=2000), nullable=True),
        sa.Column('webhook_secret', sa.String(length=100), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_platforms')),
        sa.UniqueConstraint('issuer', 'client_id', name=op.f('uq_lti_platforms_issuer_client_id')),
    )
    op.create_table(
        'lti_keys',
        sa.Column('kid', sa.String(length=100), nullable=False),
        sa.Column('private_pem', sa.Text(), nullable=False),
        sa.Column('public_pem', sa.Text(), nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
        sa.PrimaryKeyConstraint('kid', name=op.f('pk_lti_keys')),
    )
    op.create_table(
        'lti_users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform_id', sa.Integer(), nullable=False),
        sa.Column('sub', sa.String(length=255), nullable=False),
        sa.Column('learner_id', sa.String(length=32), nullable=True),
        sa.Column('instructor_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
        sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'],
                                name=op.f('fk_lti_users_platform_id_lti_platforms'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['learner_id'], ['learners.id'],
                                name=op.f('fk_lti_users_learner_id_learners'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['instructor_id'], ['instructors.id'],
                                name=op.f('fk_lti_users_instructor_id_instructors'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_users')),
        sa.UniqueConstraint('platform_id', 'sub', name=op.f('uq_lti_users_platform_id_sub')),
    )
    op.create_index(op.f('ix_lti_users_learner_id'), 'lti_users', ['learner_id'])
    op.create_index(op.f('ix_lti_users_instructor_id'), 'lti_users', ['instructor_id'])
    op.create_table(
        'lti_contexts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform_id', sa.Integer(), nullable=False),
        sa.Column('context_id', sa.String(length=255), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('placeholder_owner', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('memberships_url', sa.String(length=2000), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
        sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'],
                                name=op.f('fk_lti_contexts_platform_id_lti_platforms'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                                name=op.f('fk_lti_contexts_course_id_courses'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_contexts')),
        sa.UniqueConstraint('platform_id', 'context_id', name=op.f('uq_lti_contexts_platform_id_context_id')),
    )
    op.create_index(op.f('ix_lti_contexts_course_id'), 'lti_contexts', ['course_id'])
    op.create_table(
        'lti_grade_targets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform_id', sa.Integer(), nullable=False),
        sa.Column('learner_id', sa.String(length=32), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('sub', sa.String(length=255), nullable=False),
        sa.Column('resource_link_id', sa.String(length=255), nullable=False),
        sa.Column('resource_title', sa.String(length=500), nullable=True),
        sa.Column('lineitem_url', sa.String(length=2000), nullable=True),
        sa.Column('lineitems_url', sa.String(length=2000), nullable=True),
        sa.Column('scopes', JSON, server_default=sa.text("'[]'"), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
        sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'],
                                name=op.f('fk_lti_grade_targets_platform_id_lti_platforms'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['learner_id'], ['learners.id'],
                                name=op.f('fk_lti_grade_targets_learner_id_learners'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'],
                                name=op.f('fk_lti_grade_targets_course_id_courses'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_grade_targets')),
        sa.UniqueConstraint('learner_id', 'course_id', name=op.f('uq_lti_grade_targets_learner_id_course_id')),
    )
    op.create_index(op.f('ix_lti_grade_targets_course_id'), 'lti_grade_targets', ['course_id'])
    op.create_table(
        'lti_cache',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('value', JSON, nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_lti_cache')),
    )
    op.create_index(op.f('ix_lti_cache_expires_at'), 'lti_cache', ['expires_at'])
    op.create_table(
        'lti_score_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('score', JSON, nullable=False),
        sa.Column('status', sa.String(length=16), server_default='pending', nullable=False),
        sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('last_status_code', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('lease_token', sa.String(length=32), nullable=True),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
        sa.ForeignKeyConstraint(['target_id'], ['lti_grade_targets.id'],
                                name=op.f('fk_lti_score_deliveries_target_id_lti_grade_targets'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_score_deliveries')),
        sa.UniqueConstraint('target_id', 'event_id', name=op.f('uq_lti_score_deliveries_target_id_event_id')),
    )
    op.create_index(op.f('ix_lti_score_deliveries_status_next_attempt_at'), 'lti_score_deliveries',
                    ['status', 'next_attempt_at'])
    op.create_table(
        'lti_notices',
        sa.Column('key', sa.String(length=300), nullable=False),
        sa.Column('platform_id', sa.Integer(), nullable=False),
        sa.Column('type', sa.String(length=100), nullable=False),
        sa.Column('payload', JSON, nullable=False),
        sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('error', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
        sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'],
                                name=op.f('fk_lti_notices_platform_id_lti_platforms'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_lti_notices')),
    )
    op.create_index(op.f('ix_lti_notices_processed_at'), 'lti_notices', ['processed_at'])


def downgrade() -> None:
    for table in ('lti_notices', 'lti_score_deliveries', 'lti_cache', 'lti_grade_targets', 'lti_contexts', 'lti_users', 'lti_keys', 'lti_platforms'):
        op.drop_table(table)
    op.drop_index('ix_outbox_events_pending', table_name='outbox_events')
    op.drop_table('webhook_deliveries')
    op.drop_table('webhook_endpoints')
