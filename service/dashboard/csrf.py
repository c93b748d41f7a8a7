"""CSRF protection for the dashboard's forms: a per-session token.

Every POST form carries the session's token in a hidden ``csrf_token``
field; a POST without the matching token is refused with 400 before its
view runs. The SameSite=Lax session cookie already keeps most cross-site
POSTs from carrying the login; the token covers the rest (older browsers,
and a login form posted from another site).
"""

from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session

SESSION_KEY = "csrf_token"
FIELD = "csrf_token"
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def csrf_token() -> str:
    """The session's CSRF token, made on first use (for templates)."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def rotate_csrf_token() -> None:
    """Forget the token, so a fresh one is made (after login and logout)."""
    session.pop(SESSION_KEY, None)


def protect() -> None:
    """Refuse (400) an unsafe request whose form token is missing or wrong."""
    if request.method not in _UNSAFE_METHODS:
        return
    expected = session.get(SESSION_KEY)
    given = request.form.get(FIELD, "")
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), given.encode()):
        abort(400, description="The form has expired or did not come from this site; reload the page and try again.")
