"""Rate limits (Flask-Limiter): per client address and per credential, and login backoff.

Why Flask-Limiter: it is the maintained limiter for Flask, keeps its counts
in memory or in Redis through the ``limits`` package, answers 429 with
``Retry-After``, and falls back to memory when Redis is down. Counts live
in memory by default (one process); with ``REDIS_URL`` set they live in
Redis, so every worker and replica shares them, and if Redis stops
answering the service keeps serving on per-process counts
(``in_memory_fallback_enabled``) rather than failing requests.

Every limit is a setting (a ``limits`` string such as ``"10/minute;100/hour"``):

``RATE_LIMIT_LOGIN``
    login attempts (dashboard form and API) per client address;
``RATE_LIMIT_LOGIN_FAILURES``
    failed logins per *account* (any route, HTTP Basic included): past it,
    that account's logins answer 429 until the window ends, even with the
    right password, so guessing one account's password is slow whatever
    addresses the guesses come from;
``RATE_LIMIT_PASSWORD_FAILURES``
    failed password checks per client address (HTTP Basic included), checked
    *before* any password is hashed, so Basic auth is no lever on the CPU;
``RATE_LIMIT_LEARNERS``
    learners created per client address;
``RATE_LIMIT_COMPUTE`` and ``RATE_LIMIT_COMPUTE_PER_CREDENTIAL``
    solve, check and preview, per address and per credential;
``RATE_LIMIT_TURNS`` and ``RATE_LIMIT_TURNS_PER_CREDENTIAL``
    starting a conversation and chat turns, per address and per learner token.

The per-address limits are generous (a classroom shares one address behind
its NAT); the per-credential ones bound one client.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import TooManyRequests

from service.usecases.instructors import normalise_email

DEFAULT_LIMITS: dict[str, str] = {
    "RATE_LIMIT_LOGIN": "30/minute",
    "RATE_LIMIT_LOGIN_FAILURES": "5/15 minutes",
    "RATE_LIMIT_PASSWORD_FAILURES": "20/minute;100/hour",
    "RATE_LIMIT_LEARNERS": "60/minute;1000/hour",
    "RATE_LIMIT_COMPUTE": "300/minute",
    "RATE_LIMIT_COMPUTE_PER_CREDENTIAL": "60/minute",
    "RATE_LIMIT_TURNS": "1200/minute",
    "RATE_LIMIT_TURNS_PER_CREDENTIAL": "60/minute",
}

limiter = Limiter(
    get_remote_address,
    headers_enabled=True,  # Retry-After (and X-RateLimit-*) on every limited answer
    in_memory_fallback_enabled=True,  # Redis down: count in this process, keep serving
    swallow_errors=True,  # a storage error never fails the request it was counting
    key_prefix="chain-tutor",
    strategy="moving-window",
)


def init_app(app: Flask) -> None:
    """Start rate limiting ``app`` (unless ``RATELIMIT_ENABLED`` is false)."""
    for name, value in DEFAULT_LIMITS.items():
        app.config.setdefault(name, value)
    limiter.init_app(app)


def setting(name: str) -> Callable[[], str]:
    """A limit read from the app's configuration when a request is checked."""
    return lambda: str(current_app.config[name])


def credential_key() -> str:
    """The caller's credential, hashed (the header itself must not sit in the counts' keys)."""
    header = request.headers.get("Authorization", "")
    return "credential:" + hashlib.sha256(header.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _anonymous() -> bool:
    return not request.headers.get("Authorization")


def per_address_and_credential(address: str, credential: str) -> list[Callable[[Any], Any]]:
    """Decorators limiting the POSTs of a view per client address and per credential (when one is sent).

    The limits are shared by every view decorated with the same settings
    (solve, check and preview draw on one budget; starting a conversation
    and its turns on another).
    """
    return [
        limiter.shared_limit(setting(address), scope=address, methods=["POST"]),
        limiter.shared_limit(setting(credential), scope=credential, key_func=credential_key,
                             exempt_when=_anonymous, methods=["POST"]),
    ]


# -- login backoff ---------------------------------------------------------------------

def refuse_while_locked(email: str) -> None:
    """429 when the account, or this address, failed too many logins lately.

    Called before the password is hashed: a locked account costs nothing
    to refuse, and the right password is refused too while the lock lasts.
    """
    for items, key in _failure_counters(email):
        for item in items:
            if not limiter.limiter.test(item, *key):
                reset = limiter.limiter.get_window_stats(item, *key).reset_time
                raise TooManyRequests(
                    "Too many failed logins; wait before trying again.",
                    retry_after=max(1, int(reset - time.time()) + 1))


def note_failed_login(email: str) -> None:
    """Count a failed login against the account and the client address."""
    for items, key in _failure_counters(email):
        for item in items:
            limiter.limiter.hit(item, *key)


def _failure_counters(email: str) -> list[tuple[list[RateLimitItem], tuple[str, ...]]]:
    if not limiter.enabled or not current_app.config.get("RATELIMIT_ENABLED", True):
        return []
    account = hashlib.sha256(normalise_email(email).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return [
        (parse_many(current_app.config["RATE_LIMIT_LOGIN_FAILURES"]),
         ("chain-tutor", "login-failures", "account", account)),
        (parse_many(current_app.config["RATE_LIMIT_PASSWORD_FAILURES"]),
         ("chain-tutor", "login-failures", "address", get_remote_address() or "")),
    ]

