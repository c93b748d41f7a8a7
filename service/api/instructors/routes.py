"""``/api/v1/instructors``: logging in, and who am I.

Login answers a signed, expiring bearer token (``is_...``) rather than the
instructor's API key: the key is stored only as a hash and cannot be shown
again, and handing out a fresh one at each login would revoke the old one in
every script that uses it. API keys, login tokens and HTTP Basic all work
wherever an instructor is allowed.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service import usecases
from service.api.errors import ErrorSchema
from service.api.instructors.schemas import (
    ApiKeySchema,
    EmptyBodySchema,
    InstructorSchema,
    LoginSchema,
    LoginTokenSchema,
    PasswordChangeSchema,
)
from service.api.openapi import INSTRUCTOR_AUTH
from service.auth import LOGIN_TOKEN_MAX_AGE, check_password_login, issue_login_token, require_instructor
from service.extensions import db
from service.ratelimits import limiter, setting

blp = Blueprint("instructors", __name__, url_prefix="/api/v1/instructors",
                description="Instructor accounts")


@blp.route("/login")
class Login(MethodView):
    decorators = [limiter.limit(setting("RATE_LIMIT_LOGIN"), methods=["POST"])]

    @blp.arguments(LoginSchema)
    @blp.response(200, LoginTokenSchema)
    def post(self, body: dict) -> dict[str, Any]:
        """Log in with email and password; get a bearer token for 12 hours."""
        instructor = check_password_login(body["email"], body["password"])
        return {"token": issue_login_token(instructor), "token_type": "Bearer",
                "expires_in": LOGIN_TOKEN_MAX_AGE, "instructor": instructor}


@blp.route("/me")
class Me(MethodView):
    @blp.doc(security=INSTRUCTOR_AUTH)
    @blp.response(200, InstructorSchema)
    def get(self) -> usecases.instructors.InstructorView | None:
        """The calling instructor's account."""
        return usecases.get_instructor(db.session, require_instructor())


@blp.route("/me/password")
class Password(MethodView):
    decorators = [limiter.limit(setting("RATE_LIMIT_LOGIN"), methods=["POST"])]

    @blp.doc(security=INSTRUCTOR_AUTH)
    @blp.arguments(PasswordChangeSchema)
    @blp.response(200, InstructorSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="The current password is wrong")
    def post(self, body: dict) -> usecases.instructors.InstructorView:
        """Change your password; every login token and dashboard session issued before ends."""
        return usecases.instructors.change_password(db.session, require_instructor(), body["new_password"],
                                                    current_password=body["current_password"])


@blp.route("/me/api-key")
class ApiKey(MethodView):
    @blp.doc(security=INSTRUCTOR_AUTH)
    @blp.arguments(EmptyBodySchema)
    @blp.response(200, ApiKeySchema)
    def post(self, _: dict) -> dict[str, str]:
        """Get a new API key, shown once; the old one stops working at once."""
        return {"api_key": usecases.instructors.rotate_api_key(db.session, require_instructor())}
