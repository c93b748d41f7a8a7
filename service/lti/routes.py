"""The LTI 1.3 endpoints: OIDC login initiation, the launch, and the tool's JWKS.

``pylti1p3`` does the protocol (state cookie, nonce, id_token signature
against the platform's JWKS, deployment and message checks); these views
give it our registrations (:mod:`.toolconf`) and shared cache
(:mod:`.cache`), then hand a validated launch to :func:`record_launch`.
On HTTPS the library sets its cookies ``Secure; SameSite=None;
Partitioned``, so they survive the LMS's iframe (behind a proxy the app
must see the request as HTTPS: ``ProxyFix``).
"""

from __future__ import annotations

import logging
from typing import Any

import marshmallow as ma
from flask import Blueprint, Flask, Response, current_app, jsonify, make_response, render_template, request, url_for
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem

from service.extensions import db
from service.lti.cache import DatabaseCache, LaunchStorage, RedisCache
from service.lti.keys import jwks
from service.lti.deep_links import chosen, deep_link_choices
from service.lti.launches import is_instructor, record_launch
from service.lti.notices import receive_notice
from service.lti.rosters import sync_roster
from service.lti.toolconf import DatabaseToolConf
from service.usecases.errors import UseCaseError

log = logging.getLogger(__name__)

bp = Blueprint("lti", __name__, template_folder="templates")

_CACHE_KEY = "chain_tutor_lti_cache"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


class DeepLinkFormSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    launch_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    choice = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


def init_app(app: Flask) -> None:
    """Register the LTI endpoints; the launch cache is Redis when ``REDIS_URL`` is set."""
    app.register_blueprint(bp)


def _cache() -> Any:
    """The app's launch cache, made on first use."""
    cache = current_app.extensions.get(_CACHE_KEY)
    if cache is None:
        url = current_app.config.get("REDIS_URL")
        cache = RedisCache(url) if url else DatabaseCache(lambda: db.session)
        current_app.extensions[_CACHE_KEY] = cache
    return cache


def _tool() -> tuple[DatabaseToolConf, LaunchStorage]:
    return DatabaseToolConf(lambda: db.session), LaunchStorage(_cache())


@bp.route("/lti/login", methods=["GET", "POST"])
def login() -> Response:
    """OIDC login initiation: the platform sends the browser here; we send it back with state and nonce."""
    tool_conf, storage = _tool()
    try:
        oidc = FlaskOIDCLogin(FlaskRequest(), tool_conf, launch_data_storage=storage)
        return oidc.redirect(url_for("lti.launch", _external=True))  # type: ignore[no-any-return]
    except (OIDCException, LtiException) as error:
        return _refused(error)


@bp.post("/lti/launch")
def launch() -> Response | str:
    """The launch: a validated id_token becomes a learner in a course, in the chat."""
    tool_conf, storage = _tool()
    try:
        message = FlaskMessageLaunch(FlaskRequest(), tool_conf, launch_data_storage=storage)
        claims = message.get_launch_data()
    except (OIDCException, LtiException) as error:
        return _refused(error)
    if message.is_deep_link_launch():
        return _deep_link_chooser(message.get_launch_id(), claims)
    launched = record_launch(db.session, claims)
    if launched.role == "instructor" and message.has_nrps():
        _sync_quietly(launched.course_id)
    response = make_response(render_template("lti/launch.html", launched=launched))
    response.headers["Cache-Control"] = "no-store"  # the page carries the learner's token
    return response


def _deep_link_chooser(launch_id: str, claims: dict[str, Any]) -> Response | str:
    """Deep Linking: an instructor placing the tool chooses a problem or a set (a family of the bank)."""
    if not is_instructor(claims):
        return _refused(LtiException("only an instructor may place Chain Tutor in a course"))
    return render_template("lti/deep_link.html", launch_id=launch_id, choices=deep_link_choices(db.session))


@bp.post("/lti/deep-link")
def deep_link() -> Response | str:
    """The instructor's choice, sent back to the platform as a signed LtiDeepLinkingResponse."""
    tool_conf, storage = _tool()
    try:
        form = DeepLinkFormSchema().load(request.form)
    except ma.ValidationError as error:
        return _refused(LtiException(f"the form is incomplete: {error.normalized_messages()}"))
    try:
        message = FlaskMessageLaunch.from_cache(form["launch_id"], FlaskRequest(), tool_conf,
                                                launch_data_storage=storage)
        if not is_instructor(message.get_launch_data()):
            raise LtiException("only an instructor may place Chain Tutor in a course")
        choice = chosen(db.session, form["choice"])
        resource = (DeepLinkResource().set_url(url_for("lti.launch", _external=True)).set_title(choice.title)
                    .set_custom_params(choice.custom)
                    .set_lineitem(LineItem().set_tag("chain-tutor").set_score_maximum(1).set_label(choice.title)))
        deep_link = message.get_deep_link()
        settings = message.get_launch_data()[DEEP_LINKING_SETTINGS]
        return render_template("lti/deep_link_return.html", action=settings["deep_link_return_url"],
                               jwt=deep_link.get_response_jwt([resource]), title=choice.title)
    except (OIDCException, LtiException) as error:
        return _refused(error)


@bp.post("/lti/notices/<int(max=2147483647):platform_id>")
def notices(platform_id: int) -> Response:
    """Webhooks in: a platform's notice, verified and stored once; processed by the delivery worker."""
    new = receive_notice(db.session, platform_id, request.get_data(), dict(request.headers))
    response = jsonify({"received": True, "duplicate": not new})
    response.status_code = 202 if new else 200
    return response


@bp.get("/.well-known/jwks.json")
def jwks_json() -> Response:
    """The tool's public keys, for platforms to verify what the tool signs."""
    return jsonify(jwks(db.session))


def _sync_quietly(course_id: int) -> None:
    """Sync the roster on an instructor's launch; a platform that will not answer must not stop the launch."""
    try:
        sync_roster(db.session, course_id)
    except UseCaseError as error:
        log.warning("roster sync of course %d on launch failed: %s", course_id, error)


def _refused(error: Exception) -> Response:
    response = jsonify({"error": {"message": f"The LTI launch was refused: {error}"}})
    response.status_code = 400
    return response
