"""The dashboard's LMS page: registered platforms (and a form to register
one), the URLs to give an LMS, the instructor's LMS courses with a roster
sync, and the log of scores sent to gradebooks.
"""

from __future__ import annotations

import marshmallow as ma
from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from service.dashboard.logins import current_instructor_id, login_required
from service.dashboard.routes import bp
from service.extensions import db
from service.lti.platforms import lti_overview, register_platform
from service.lti.rosters import sync_roster


class PlatformFormSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    issuer = ma.fields.URL(required=True, validate=ma.validate.Length(max=500))
    client_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=255))
    deployment_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=255))
    auth_login_url = ma.fields.URL(required=True, validate=ma.validate.Length(max=2000))
    auth_token_url = ma.fields.URL(required=True, validate=ma.validate.Length(max=2000))
    key_set_url = ma.fields.URL(required=True, validate=ma.validate.Length(max=2000))


@bp.get("/lti")
@login_required
def lti_page() -> str:
    """Platforms, the tool's URLs, the instructor's LMS courses and the scores sent."""
    return render_template("dashboard/lti.html", overview=lti_overview(db.session, current_instructor_id()))


@bp.post("/lti/platforms")
@login_required
def lti_register() -> BaseResponse:
    """Register a platform (or add a deployment to one)."""
    form = PlatformFormSchema().load(request.form)
    platform = register_platform(db.session, **form)
    flash(f"Platform {platform.name} registered (deployments: {', '.join(platform.deployment_ids)}).")
    return redirect(url_for("dashboard.lti_page"))


@bp.post("/lti/courses/<int(max=2147483647):course_id>/sync-roster")
@login_required
def lti_sync_roster(course_id: int) -> BaseResponse:
    """Fetch the course's roster from its LMS now."""
    synced = sync_roster(db.session, course_id, current_instructor_id())
    flash(f"Roster synced: {synced.learners} learners in the LMS, {synced.enrolled} newly enrolled, "
          f"{synced.removed} removed.")
    return redirect(url_for("dashboard.lti_page"))
