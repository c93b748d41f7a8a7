"""Security headers and deployment behind TLS: flask-talisman and werkzeug's ProxyFix.

Why flask-talisman: it sets the Content-Security-Policy, X-Frame-Options,
HSTS, Referrer-Policy and nosniff headers on every response from one
policy, lets one view carry its own (``/embed`` must be framable by any
site, the API docs page needs Swagger UI's inline start-up script), and
redirects to HTTPS when asked. It is maintained (wntrblm/flask-talisman)
and works with Flask 3.

Settings (all off by default, for ``chain-tutor run`` on a laptop):

``PROXY_FIX_HOPS``
    how many proxies sit in front of the service: with 1 (one nginx) the
    client address, scheme and host come from that proxy's
    ``X-Forwarded-*`` headers, so rate limits count clients, not the proxy;
``FORCE_HTTPS``
    redirect plain-HTTP requests to HTTPS;
``HSTS_SECONDS``
    send ``Strict-Transport-Security`` with this max-age on HTTPS requests;
``SESSION_COOKIE_SECURE``
    Flask's own: the dashboard cookie only travels over HTTPS.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_talisman import SAMEORIGIN, Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

# Every page: our own scripts only; inline styles allowed (the chat widget
# styles its shadow DOM with a <style> element); framed only by ourselves.
PAGE_POLICY: dict[str, str | list[str]] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
}
# /embed exists to be framed by any site (an LMS, a course page).
EMBED_POLICY = {**PAGE_POLICY, "frame-ancestors": "*"}
# flask-smorest's Swagger UI page starts with an inline script it writes itself.
DOCS_POLICY = {**PAGE_POLICY, "script-src": ["'self'", "'unsafe-inline'"]}
# The views with a policy of their own, by endpoint, and what differs.
VIEW_POLICIES: dict[str, dict[str, Any]] = {
    "pages.embed": {"frame_options": None, "content_security_policy": EMBED_POLICY},
    "api-docs.openapi_swagger_ui": {"content_security_policy": DOCS_POLICY},
}


def init_app(app: Flask) -> None:
    """Put the security headers on every response; trust the proxies configured."""
    hops = int(app.config.get("PROXY_FIX_HOPS", 0))
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,  # type: ignore[method-assign]
                                x_port=hops, x_prefix=hops)
    hsts_seconds = int(app.config.get("HSTS_SECONDS", 0))
    app.extensions["chain_tutor.talisman"] = Talisman(
        app,
        force_https=bool(app.config.get("FORCE_HTTPS", False)),
        strict_transport_security=hsts_seconds > 0,
        strict_transport_security_max_age=hsts_seconds,
        strict_transport_security_include_subdomains=False,
        content_security_policy=PAGE_POLICY,
        frame_options=SAMEORIGIN,
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=bool(app.config.get("SESSION_COOKIE_SECURE", False)),
    )
    for endpoint, options in VIEW_POLICIES.items():
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = _with_options(app.view_functions[endpoint], options)


def _with_options(view: Callable[..., Any], options: dict[str, Any]) -> Callable[..., Any]:
    """``view`` wrapped, for this app only, to carry its own Talisman options.

    Talisman's per-view decorator marks the view function itself and fills
    the mark with the first app's settings; a wrapper per app keeps each
    app's (and works on bound methods, which take no attributes).
    """

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return view(*args, **kwargs)

    wrapped.talisman_view_options = dict(options)  # type: ignore[attr-defined]
    return wrapped
