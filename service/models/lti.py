"""LTI 1.3: the platforms (LMSs) registered with the tool, the tool's own
signing keys, who and what a launch maps to, grade targets for AGS, and the
short-lived cache of OIDC state, nonces and launch data shared by every worker.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, CreatedAtMixin


class LtiPlatform(CreatedAtMixin, Base):
    """A platform registration: one (issuer, client id), with its deployments and endpoints."""

    __tablename__ = "lti_platforms"
    __table_args__ = (sa.UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    issuer: Mapped[str] = mapped_column(sa.String(500))
    client_id: Mapped[str] = mapped_column(sa.String(255))
    deployment_ids: Mapped[list[str]] = mapped_column(default=list, server_default=sa.text("'[]'"))
    auth_login_url: Mapped[str] = mapped_column(sa.String(2000))
    auth_token_url: Mapped[str] = mapped_column(sa.String(2000))
    key_set_url: Mapped[str] = mapped_column(sa.String(2000))
    auth_audience: Mapped[str | None] = mapped_column(sa.String(2000))
    # Shared secret (whsec_) of the platform's Standard Webhooks notices, if it sends them so.
    webhook_secret: Mapped[str | None] = mapped_column(sa.String(100))

    def __repr__(self) -> str:
        return f"<LtiPlatform {self.issuer} {self.client_id}>"


class LtiKey(CreatedAtMixin, Base):
    """An RSA key the tool signs with (service tokens, deep-linking replies).

    The newest key not retired signs; retired keys stay in the JWKS for a
    while so that tokens signed just before a rotation still verify.
    """

    __tablename__ = "lti_keys"

    kid: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    private_pem: Mapped[str] = mapped_column(sa.Text)
    public_pem: Mapped[str] = mapped_column(sa.Text)
    retired_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<LtiKey {self.kid}{' retired' if self.retired_at else ''}>"


class LtiUser(CreatedAtMixin, Base):
    """A platform user (``sub``) as a learner or an instructor here."""

    __tablename__ = "lti_users"
    __table_args__ = (sa.UniqueConstraint("platform_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(sa.String(255))
    learner_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    instructor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("instructors.id", ondelete="CASCADE"), index=True)


class LtiContext(CreatedAtMixin, Base):
    """A platform course (context) and the course it became here."""

    __tablename__ = "lti_contexts"
    __table_args__ = (sa.UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(sa.String(255))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    # The instructor made for a context a learner opened first, until a real one launches.
    placeholder_owner: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    memberships_url: Mapped[str | None] = mapped_column(sa.String(2000))


class LtiGradeTarget(CreatedAtMixin, Base):
    """Where a learner's scores for a course go: the AGS line item of their last launch."""

    __tablename__ = "lti_grade_targets"
    __table_args__ = (sa.UniqueConstraint("learner_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    learner_id: Mapped[str] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    sub: Mapped[str] = mapped_column(sa.String(255))
    resource_link_id: Mapped[str] = mapped_column(sa.String(255))
    resource_title: Mapped[str | None] = mapped_column(sa.String(500))
    lineitem_url: Mapped[str | None] = mapped_column(sa.String(2000))
    lineitems_url: Mapped[str | None] = mapped_column(sa.String(2000))
    scopes: Mapped[list[str]] = mapped_column(default=list, server_default=sa.text("'[]'"))


class LtiCacheEntry(Base):
    """One value of the LTI launch cache (state, nonce, launch data) with its expiry."""

    __tablename__ = "lti_cache"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LtiScoreDelivery(CreatedAtMixin, Base):
    """One outbox event's score on its way to a learner's AGS line item.

    Leased and retried like a webhook delivery (see
    :mod:`service.webhooks.worker`); unique per (target, event), so an event
    is scored once; a 409 from the platform is final.
    """

    __tablename__ = "lti_score_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("target_id", "event_id"),
        sa.Index(None, "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_grade_targets.id", ondelete="CASCADE"))
    event_id: Mapped[int]
    score: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(16), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    lease_token: Mapped[str | None] = mapped_column(sa.String(32))
    delivered_at: Mapped[datetime | None]


class LtiNotice(CreatedAtMixin, Base):
    """A notice the platform sent (a roster change, a course renamed), kept once per id.

    Answered at once and processed later by the delivery worker
    (``processed_at``, or ``error`` when it could not be).
    """

    __tablename__ = "lti_notices"

    key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)  # platform id and notice id
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(sa.String(100))
    payload: Mapped[dict[str, Any]] = mapped_column()
    processed_at: Mapped[datetime | None] = mapped_column(index=True)
    error: Mapped[str | None] = mapped_column(sa.String(500))
