"""``/api/v1/courses/{id}/webhooks`` and ``/api/v1/webhooks/{id}``: a course's webhook subscriptions."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from service.api.openapi import INSTRUCTOR_AUTH
from service.api.webhooks.schemas import (
    DeliverySchema,
    NewWebhookSchema,
    SecretSchema,
    WebhookCreateSchema,
    WebhookSchema,
)
from service.auth import require_instructor
from service.extensions import db
from service.usecases import webhooks

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1",
                description="Webhooks: a course's learning events, signed (Standard Webhooks 1.0)")

_WEBHOOK = "/webhooks/<string(maxlength=32):webhook_id>"


@blp.route("/courses/<int(max=2147483647):course_id>/webhooks")
class CourseWebhooks(MethodView):
    @blp.doc(security=INSTRUCTOR_AUTH)
    @blp.response(200, WebhookSchema(many=True))
    def get(self, course_id: int) -> list[webhooks.WebhookView]:
        """List the course's webhook endpoints (no secrets)."""
        return webhooks.list_webhooks(db.session, require_instructor(), course_id)

    @blp.doc(security=INSTRUCTOR_AUTH)
    @blp.arguments(WebhookCreateSchema)
    @blp.response(201, NewWebhookSchema)
    def post(self, body: dict, course_id: int) -> webhooks.NewWebhook:
        """Subscribe a URL to the course's events; the signing secret is shown only here."""
        return webhooks.create_webhook(
            db.session, require_instructor(), course_id, body["url"], body.get("events"),
            body.get("description"), allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE_TARGETS"])


@blp.route(_WEBHOOK)
class Webhook(MethodView):
    @blp.doc(security=INSTRUCTOR_AUTH)
    @blp.response(204)
    def delete(self, webhook_id: str) -> None:
        """Remove a webhook endpoint and its delivery log."""
        webhooks.delete_webhook(db.session, require_instructor(), webhook_id)


@blp.route(f"{_WEBHOOK}/rotate-secret")
class RotateSecret(MethodView):
    @blp.doc(security=INSTRUCTOR_AUTH)
    @blp.response(200, SecretSchema)
    def post(self, webhook_id: str) -> dict[str, str]:
        """A new signing secret; the old one keeps signing too for 24 hours."""
        return {"secret": webhooks.rotate_secret(db.session, require_instructor(), webhook_id)}


@blp.route(f"{_WEBHOOK}/deliveries")
class Deliveries(MethodView):
    @blp.doc(security=INSTRUCTOR_AUTH)
    @blp.response(200, DeliverySchema(many=True))
    def get(self, webhook_id: str) -> list[webhooks.DeliveryView]:
        """The endpoint's latest deliveries, newest first."""
        return webhooks.list_deliveries(db.session, require_instructor(), webhook_id)


@blp.route(f"{_WEBHOOK}/deliveries/<int(max=2147483647):delivery_id>/replay")
class Replay(MethodView):
    @blp.doc(security=INSTRUCTOR_AUTH)
    @blp.response(202, DeliverySchema)
    def post(self, webhook_id: str, delivery_id: int) -> webhooks.DeliveryView:
        """Send a delivery's event again (same webhook-id), as soon as the worker can."""
        return webhooks.replay_delivery(db.session, require_instructor(), webhook_id, delivery_id)
