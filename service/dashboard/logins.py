"""Who is logged in to the dashboard: the instructor kept in the Flask session.

The session (a signed cookie, HttpOnly, SameSite=Lax) holds the
instructor's id, a fingerprint of their password hash and the
instructor's session generation when it was opened. A password change
ends every session opened before it, as it does for API login tokens
(:func:`service.auth.issue_login_token`), and so does a logout, on the
server: it moves the generation on (:func:`service.usecases.instructors.end_sessions`),
so a copy of the cookie saved before the logout opens nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, redirect, request, session, url_for

from service.dashboard.csrf import rotate_csrf_token
from service.extensions import db
from service.usecases import get_instructor
from service.usecases.instructors import InstructorView, end_sessions

F = TypeVar("F", bound=Callable[..., Any])

_ID = "instructor_id"
_FINGERPRINT = "instructor_pw"
_GENERATION = "instructor_gen"


def log_in(instructor: InstructorView) -> None:
    """Start a dashboard session for ``instructor``.

    The old session is cleared first, so nothing from before the login
    (a CSRF token an attacker planted, say) carries over.
    """
    session.clear()
    session[_ID] = instructor.id
    session[_FINGERPRINT] = instructor.password_fingerprint
    session[_GENERATION] = instructor.session_generation
    rotate_csrf_token()


def log_out() -> None:
    """End the dashboard session, server-side: every cookie of this instructor stops working."""
    if g.get("instructor") is not None:
        end_sessions(db.session, g.instructor.id)
    session.clear()


def load_instructor() -> None:
    """Put the logged-in instructor (or ``None``) in ``g.instructor``; run before each view."""
    g.instructor = None
    instructor_id = session.get(_ID)
    if not isinstance(instructor_id, int):
        return
    instructor = get_instructor(db.session, instructor_id)
    if (instructor is None or instructor.password_fingerprint != session.get(_FINGERPRINT)
            or instructor.session_generation != session.get(_GENERATION)):
        session.clear()  # deleted, the password changed, or logged out since this login
        return
    g.instructor = instructor


def current_instructor_id() -> int:
    """The logged-in instructor's id (views behind :func:`login_required` only)."""
    return cast(InstructorView, g.instructor).id


def login_required(view: F) -> F:
    """Send anonymous visitors to the login page, coming back here afterwards."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("instructor") is None:
            return redirect(url_for("dashboard.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return cast(F, wrapped)


def safe_next(target: str | None) -> str:
    """Where to go after login: a dashboard path only, never another site.

    >>> safe_next("/dashboard/courses/3/"), safe_next("//evil.example/x"), safe_next(None)
    ('/dashboard/courses/3/', '/dashboard/', '/dashboard/')
    """
    if target and target.startswith("/dashboard") and not target.startswith("//") and "\\" not in target:
        return target
    return "/dashboard/"
