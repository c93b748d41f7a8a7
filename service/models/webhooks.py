"""Webhooks out: the endpoints a course's instructor subscribes, and one
delivery row per (endpoint, outbox event) that the delivery worker works
through.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, CreatedAtMixin, utcnow
from service.models.conversations import _one_of
from service.models.people import new_public_id

ENDPOINT_STATES: tuple[str, ...] = ("active", "disabled")
DELIVERY_STATUSES: tuple[str, ...] = ("pending", "delivered", "failed")


class WebhookEndpoint(CreatedAtMixin, Base):
    """A URL that receives a course's learning events, signed with ``secret``.

    The secret is kept as given (``whsec_...``): signing needs it, so it
    cannot be stored hashed. After a rotation ``previous_secret`` still
    signs until ``previous_secret_expires_at``, so receivers can switch over.
    ``events`` empty means every type. ``consecutive_failures`` counts
    failed attempts since the last success; the endpoint is disabled (with
    ``disabled_reason`` for the dashboard) on a 410 or when a delivery runs
    out of retries.
    """

    __tablename__ = "webhook_endpoints"
    __table_args__ = (sa.CheckConstraint(_one_of("state", ENDPOINT_STATES), name="state"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_public_id)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    description: Mapped[str | None] = mapped_column(sa.String(500))
    events: Mapped[list[str]] = mapped_column(default=list, server_default=sa.text("'[]'"))
    secret: Mapped[str] = mapped_column(sa.String(100))
    previous_secret: Mapped[str | None] = mapped_column(sa.String(100))
    previous_secret_expires_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(sa.String(16), default="active", server_default="active")
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(500))
    disabled_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {self.url!r} {self.state}>"


class WebhookDelivery(CreatedAtMixin, Base):
    """One outbox event on its way to one endpoint.

    ``event_id`` is the outbox row (the ``webhook-id`` is derived from it,
    so every retry carries the same one). A worker takes a due delivery by
    setting ``lease_until`` (and its ``lease_token``) in a short
    transaction of its own, sends outside any transaction, then records the
    outcome only if it still holds the lease; a worker killed mid-send
    leaves a lease that runs out, and another worker sends again.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("endpoint_id", "event_id"),
        sa.CheckConstraint(_one_of("status", DELIVERY_STATUSES), name="status"),
        # The worker's search for due deliveries.
        sa.Index(None, "status", "next_attempt_at"),
        # In order per learner: the earlier pending delivery of the same endpoint and learner.
        sa.Index(None, "endpoint_id", "learner_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[int]
    event_type: Mapped[str] = mapped_column(sa.String(64))
    learner_id: Mapped[str | None] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    lease_token: Mapped[str | None] = mapped_column(sa.String(32))
    delivered_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} event {self.event_id} -> {self.endpoint_id}: {self.status}>"
