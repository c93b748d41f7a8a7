"""Webhook subscriptions of a course: create, list, delete, rotate the secret,
read the delivery log, replay a delivery, re-enable a disabled endpoint.

Only the course's own instructor may do any of it. The delivering itself is
:mod:`service.webhooks.worker`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import Course, WebhookDelivery, WebhookEndpoint, utcnow
from service.usecases.errors import Forbidden, NotFound, Unprocessable
from service.webhooks.events import event_id
from service.webhooks.signing import new_secret
from service.webhooks.targets import TargetRefused, check_literal

# How long a rotated-out secret keeps signing, so receivers can switch over.
ROTATION_OVERLAP = timedelta(hours=24)
DELIVERY_LOG_LIMIT = 100


@dataclass(frozen=True)
class WebhookView:
    id: str
    course_id: int
    url: str
    events: list[str]
    description: str | None
    state: str
    disabled_reason: str | None
    disabled_at: datetime | None
    consecutive_failures: int
    created_at: datetime


@dataclass(frozen=True)
class NewWebhook(WebhookView):
    secret: str  # shown once, when made


@dataclass(frozen=True)
class DeliveryView:
    id: int
    event_id: str
    type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


def create_webhook(session: Session, instructor_id: int, course_id: int, url: str,
                   events: list[str] | None = None, description: str | None = None,
                   allow_private: bool = False) -> NewWebhook:
    """Subscribe ``url`` to the course's events (all types when ``events`` is empty)."""
    _own_course(session, instructor_id, course_id)
    try:
        check_literal(url, allow_private=allow_private)
    except TargetRefused as refused:
        raise Unprocessable(str(refused)) from None
    endpoint = WebhookEndpoint(course_id=course_id, url=url.strip(), events=sorted(set(events or ())),
                               description=description, secret=new_secret(), state="active",
                               consecutive_failures=0)
    session.add(endpoint)
    session.commit()
    return NewWebhook(**vars(_view(endpoint)), secret=endpoint.secret)


def list_webhooks(session: Session, instructor_id: int, course_id: int) -> list[WebhookView]:
    """The course's endpoints, oldest first, without their secrets."""
    _own_course(session, instructor_id, course_id)
    query = sa.select(WebhookEndpoint).where(WebhookEndpoint.course_id == course_id).order_by(
        WebhookEndpoint.created_at, WebhookEndpoint.id)
    return [_view(endpoint) for endpoint in session.scalars(query)]


def delete_webhook(session: Session, instructor_id: int, webhook_id: str) -> None:
    """Remove the endpoint and its delivery log."""
    session.delete(_own_endpoint(session, instructor_id, webhook_id))
    session.commit()


def rotate_secret(session: Session, instructor_id: int, webhook_id: str) -> str:
    """A new signing secret; the old one keeps signing beside it for :data:`ROTATION_OVERLAP`."""
    endpoint = _own_endpoint(session, instructor_id, webhook_id)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = utcnow() + ROTATION_OVERLAP
    endpoint.secret = new_secret()
    session.commit()
    return endpoint.secret


def enable_webhook(session: Session, instructor_id: int, webhook_id: str) -> WebhookView:
    """Turn a disabled endpoint back on; its deliveries still pending go out again."""
    endpoint = _own_endpoint(session, instructor_id, webhook_id)
    endpoint.state, endpoint.disabled_reason, endpoint.disabled_at = "active", None, None
    endpoint.consecutive_failures = 0
    session.commit()
    return _view(endpoint)


def list_deliveries(session: Session, instructor_id: int, webhook_id: str,
                    limit: int = DELIVERY_LOG_LIMIT) -> list[DeliveryView]:
    """The endpoint's most recent deliveries, newest first."""
    _own_endpoint(session, instructor_id, webhook_id)
    query = (sa.select(WebhookDelivery).where(WebhookDelivery.endpoint_id == webhook_id)
             .order_by(WebhookDelivery.id.desc()).limit(limit))
    return [_delivery_view(delivery) for delivery in session.scalars(query)]


def replay_delivery(session: Session, instructor_id: int, webhook_id: str, delivery_id: int) -> DeliveryView:
    """Send the delivery's event again, now (same ``webhook-id``); its attempts count on."""
    _own_endpoint(session, instructor_id, webhook_id)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != webhook_id:
        raise NotFound(f"There is no delivery {delivery_id} of webhook {webhook_id!r}.")
    delivery.status, delivery.next_attempt_at, delivery.delivered_at = "pending", utcnow(), None
    delivery.lease_until = delivery.lease_token = None
    session.commit()
    return _delivery_view(delivery)


def _own_course(session: Session, instructor_id: int, course_id: int) -> Course:
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound(f"There is no course with id {course_id}.")
    if course.instructor_id != instructor_id:
        raise Forbidden("Only the instructor of this course may manage its webhooks.")
    return course


def _own_endpoint(session: Session, instructor_id: int, webhook_id: str) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, webhook_id)
    if endpoint is None:
        raise NotFound(f"There is no webhook with id {webhook_id!r}.")
    _own_course(session, instructor_id, endpoint.course_id)
    return endpoint


def _view(endpoint: WebhookEndpoint) -> WebhookView:
    return WebhookView(id=endpoint.id, course_id=endpoint.course_id, url=endpoint.url,
                       events=list(endpoint.events), description=endpoint.description, state=endpoint.state,
                       disabled_reason=endpoint.disabled_reason, disabled_at=endpoint.disabled_at,
                       consecutive_failures=endpoint.consecutive_failures, created_at=endpoint.created_at)


def _delivery_view(delivery: WebhookDelivery) -> DeliveryView:
    pending = delivery.status == "pending"
    return DeliveryView(id=delivery.id, event_id=event_id(delivery.event_id), type=delivery.event_type,
                        status=delivery.status, attempts=delivery.attempts,
                        last_status_code=delivery.last_status_code, last_error=delivery.last_error,
                        next_attempt_at=delivery.next_attempt_at if pending else None,
                        delivered_at=delivery.delivered_at, created_at=delivery.created_at)


@dataclass(frozen=True)
class EndpointLog:
    endpoint: WebhookView
    deliveries: list[DeliveryView]


@dataclass(frozen=True)
class CourseWebhooks:
    """The dashboard's webhooks page of one course."""

    course_id: int
    course_title: str
    endpoints: list[EndpointLog]


def course_webhooks(session: Session, instructor_id: int, course_id: int,
                    deliveries_each: int = 20) -> CourseWebhooks:
    """The course's endpoints, each with its latest deliveries."""
    course = _own_course(session, instructor_id, course_id)
    return CourseWebhooks(course_id=course.id, course_title=course.title, endpoints=[
        EndpointLog(view, list_deliveries(session, instructor_id, view.id, deliveries_each))
        for view in list_webhooks(session, instructor_id, course_id)])


def disabled_webhooks(session: Session, instructor_id: int, course_id: int) -> list[WebhookView]:
    """The course's endpoints the worker disabled, for a notice on every course page."""
    query = (sa.select(WebhookEndpoint).join(Course, Course.id == WebhookEndpoint.course_id)
             .where(WebhookEndpoint.course_id == course_id, Course.instructor_id == instructor_id,
                    WebhookEndpoint.state == "disabled").order_by(WebhookEndpoint.disabled_at))
    return [_view(endpoint) for endpoint in session.scalars(query)]
