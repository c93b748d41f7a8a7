"""The dashboard's webhooks page: a course's endpoints, their state, their
delivery log, and the buttons to add, rotate, re-enable, delete and replay.

The routes hang on the dashboard's blueprint, so its login, CSRF and error
pages apply; each calls one use case of :mod:`service.usecases.webhooks`.
"""

from __future__ import annotations

import marshmallow as ma
from flask import current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from service.dashboard.logins import current_instructor_id, login_required
from service.dashboard.routes import bp
from service.extensions import db
from service.usecases import webhooks
from service.webhooks.events import EVENT_TYPES

_COURSE = "/courses/<int(max=2147483647):course_id>/webhooks"
_ENDPOINT = _COURSE + "/<string(maxlength=32):webhook_id>"


class WebhookFormSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    url = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000))
    events = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(EVENT_TYPES)), load_default=list)
    description = ma.fields.String(load_default=None, validate=ma.validate.Length(max=500))


@bp.get(_COURSE)
@login_required
def webhooks_page(course_id: int) -> str:
    """The course's webhook endpoints and their latest deliveries."""
    page = webhooks.course_webhooks(db.session, current_instructor_id(), course_id)
    return render_template("dashboard/webhooks.html", page=page, event_types=EVENT_TYPES)


@bp.post(_COURSE)
@login_required
def add_webhook(course_id: int) -> BaseResponse:
    """Subscribe a URL; its secret is shown once, on the next page."""
    form = WebhookFormSchema().load({"url": request.form.get("url", ""),
                                     "events": request.form.getlist("events"),
                                     "description": request.form.get("description") or None})
    created = webhooks.create_webhook(db.session, current_instructor_id(), course_id, form["url"],
                                      form["events"], form["description"],
                                      allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE_TARGETS"])
    flash(f"Webhook added. Its signing secret, shown only now: {created.secret}")
    return redirect(url_for("dashboard.webhooks_page", course_id=course_id))


@bp.post(_ENDPOINT + "/<any(rotate, enable, delete):action>")
@login_required
def webhook_action(course_id: int, webhook_id: str, action: str) -> BaseResponse:
    """Rotate the secret, re-enable or delete an endpoint."""
    instructor = current_instructor_id()
    if action == "rotate":
        secret = webhooks.rotate_secret(db.session, instructor, webhook_id)
        flash(f"New signing secret, shown only now (the old one signs too for 24 hours): {secret}")
    elif action == "enable":
        webhooks.enable_webhook(db.session, instructor, webhook_id)
        flash("Webhook enabled again; its pending deliveries go out now.")
    else:
        webhooks.delete_webhook(db.session, instructor, webhook_id)
        flash("Webhook deleted.")
    return redirect(url_for("dashboard.webhooks_page", course_id=course_id))


@bp.post(_ENDPOINT + "/deliveries/<int(max=2147483647):delivery_id>/replay")
@login_required
def replay_delivery(course_id: int, webhook_id: str, delivery_id: int) -> BaseResponse:
    """Send one delivery's event again."""
    webhooks.replay_delivery(db.session, current_instructor_id(), webhook_id, delivery_id)
    flash(f"Delivery {delivery_id} queued to be sent again.")
    return redirect(url_for("dashboard.webhooks_page", course_id=course_id))


@bp.app_template_global()
def disabled_webhooks(course_id: int) -> list[webhooks.WebhookView]:
    """For every course page's notice: the course's endpoints that were disabled."""
    return webhooks.disabled_webhooks(db.session, current_instructor_id(), course_id)
