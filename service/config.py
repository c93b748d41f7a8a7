"""Configuration: safe defaults, then the environment, then the caller's dict.

Only :func:`build_config` reads the environment, and only when the factory
calls it; nothing here runs at import time.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT_DIR = REPO_ROOT / "content"
DATABASE_FILENAME = "chain_tutor.sqlite3"
MAX_CONTENT_LENGTH = 64 * 1024
SWAGGER_UI_ASSETS_URL = "/api/v1/docs/assets/"

# Settings the environment may give as whole numbers.
INTEGER_SETTINGS: tuple[str, ...] = (
    "MAX_CONTENT_LENGTH", "DATABASE_STATEMENT_TIMEOUT_MS", "DATABASE_LOCK_TIMEOUT_MS", "SQLITE_BUSY_TIMEOUT_MS",
    "PROXY_FIX_HOPS", "HSTS_SECONDS",
)
# Settings the environment may give as yes/no.
BOOLEAN_SETTINGS: tuple[str, ...] = ("AUTO_MIGRATE", "RATELIMIT_ENABLED", "FORCE_HTTPS", "SESSION_COOKIE_SECURE")

# Rate limits the environment may set, as ``limits`` strings ("10/minute;100/hour").
LIMIT_SETTINGS: tuple[str, ...] = (
    "RATE_LIMIT_LOGIN", "RATE_LIMIT_LOGIN_FAILURES", "RATE_LIMIT_PASSWORD_FAILURES", "RATE_LIMIT_LEARNERS",
    "RATE_LIMIT_COMPUTE", "RATE_LIMIT_COMPUTE_PER_CREDENTIAL", "RATE_LIMIT_TURNS",
    "RATE_LIMIT_TURNS_PER_CREDENTIAL",
)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def default_settings(instance_path: str) -> dict[str, Any]:
    """The settings used when neither the environment nor the caller says otherwise.

    >>> default_settings("/srv/ct")["DATABASE_URL"]
    'sqlite:////srv/ct/chain_tutor.sqlite3'
    """
    return {
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / DATABASE_FILENAME}",
        "MAX_CONTENT_LENGTH": MAX_CONTENT_LENGTH,
        "CONTENT_DIR": str(DEFAULT_CONTENT_DIR),
        # Read only by `chain-tutor run`: migrate (and load content) before serving.
        "AUTO_MIGRATE": True,
        # Read only by `chain-tutor run`: its log lines as JSON objects or as text.
        "LOG_FORMAT": "json",
        # When set, GET /metrics asks for `Authorization: Bearer <METRICS_TOKEN>`.
        "METRICS_TOKEN": None,
        # How long a stored reply answers a repeated Idempotency-Key (seconds).
        "IDEMPOTENCY_KEY_TTL": 24 * 3600,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Bounds on every PostgreSQL statement and lock wait, and SQLite's wait
        # for its write lock (service.database): a request never waits longer.
        # Rate limits (service.ratelimits): counts in this process unless
        # REDIS_URL names a Redis that every worker and replica shares.
        "RATELIMIT_STORAGE_URI": "memory://",
        # Behind TLS and proxies (service.security): all off on a laptop.
        "PROXY_FIX_HOPS": 0,
        "FORCE_HTTPS": False,
        "HSTS_SECONDS": 0,
        "SESSION_COOKIE_SECURE": False,
        "DATABASE_STATEMENT_TIMEOUT_MS": 4000,
        "DATABASE_LOCK_TIMEOUT_MS": 2000,
        "SQLITE_BUSY_TIMEOUT_MS": 4000,
        "JSON_SORT_KEYS": False,
        # flask-smorest: the OpenAPI document and its docs pages.
        "API_TITLE": "Chain Tutor",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        # The docs page (/api/v1/docs) is Swagger UI whose files the app
        # serves itself (service.api.openapi), not a CDN, so it works offline.
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": SWAGGER_UI_ASSETS_URL,
        # Webhooks out (service.webhooks): refuse private targets unless allowed.
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": False,
        # Analytics export (service.webhooks.xapi): each delivered event also carries
        # its xAPI statement; activity ids and non-LMS learners' accounts live under
        # XAPI_BASE_URL, the service's public address.
        "XAPI_ENABLED": False,
        "XAPI_BASE_URL": "http://localhost:5000",
    }


def settings_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings the environment gives, under their config names.

    >>> settings_from_env({"DATABASE_URL": "postgres://db/ct", "AUTO_MIGRATE": "yes"})
    {'DATABASE_URL': 'postgresql+psycopg://db/ct', 'AUTO_MIGRATE': True}
    """
    settings: dict[str, Any] = {}
    if environ.get("DATABASE_URL"):
        settings["DATABASE_URL"] = normalise_database_url(environ["DATABASE_URL"])
    if environ.get("SECRET_KEY"):
        settings["SECRET_KEY"] = environ["SECRET_KEY"]
    if environ.get("REDIS_URL"):
        settings["REDIS_URL"] = environ["REDIS_URL"]  # the LTI launch cache (else the database)
        settings["RATELIMIT_STORAGE_URI"] = environ["REDIS_URL"]  # rate-limit counts shared by workers
    for name in LIMIT_SETTINGS:
        if environ.get(name):
            settings[name] = environ[name]
    if environ.get("CONTENT_DIR"):
        settings["CONTENT_DIR"] = environ["CONTENT_DIR"]
    for name in INTEGER_SETTINGS:
        if environ.get(name):
            settings[name] = int(environ[name])
    for name in BOOLEAN_SETTINGS:
        if name in environ:
            settings[name] = parse_bool(environ[name], name)
    for name in ("LOG_FORMAT", "METRICS_TOKEN"):
        if environ.get(name):
            settings[name] = environ[name]
    if environ.get("IDEMPOTENCY_KEY_TTL"):
        settings["IDEMPOTENCY_KEY_TTL"] = int(environ["IDEMPOTENCY_KEY_TTL"])
    if "WEBHOOK_ALLOW_PRIVATE_TARGETS" in environ:
        settings["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = parse_bool(
            environ["WEBHOOK_ALLOW_PRIVATE_TARGETS"], "WEBHOOK_ALLOW_PRIVATE_TARGETS")
    if "XAPI_ENABLED" in environ:
        settings["XAPI_ENABLED"] = parse_bool(environ["XAPI_ENABLED"], "XAPI_ENABLED")
    if environ.get("XAPI_BASE_URL"):
        settings["XAPI_BASE_URL"] = environ["XAPI_BASE_URL"]
    for name in ("DELIVERY_LEASE_SECONDS", "DELIVERY_POLL_SECONDS", "WEBHOOK_TIMEOUT"):
        if environ.get(name):
            settings[name] = float(environ[name])
    # The compute budget (service.compute): COMPUTE_SECONDS=3, COMPUTE_PROCESSES=2, ...
    for name, read in _COMPUTE_SETTINGS.items():
        if environ.get(name):
            settings[name] = read(environ[name])
    return settings


def normalise_database_url(url: str) -> str:
    """Point bare PostgreSQL URLs at psycopg 3, the driver that is installed.

    SQLAlchemy reads ``postgresql://`` as psycopg2, and hosting platforms
    still hand out ``postgres://``.

    >>> normalise_database_url("postgresql://u@h/db")
    'postgresql+psycopg://u@h/db'
    >>> normalise_database_url("sqlite:///x.db")
    'sqlite:///x.db'
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def parse_bool(value: str, name: str) -> bool:
    """Read a yes/no environment value; anything else is a configuration error.

    >>> parse_bool("On", "X")
    True
    """
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def finish_config(config: dict[str, Any]) -> None:
    """Derive the settings that follow from others, in place.

    ``SQLALCHEMY_DATABASE_URI`` follows ``DATABASE_URL`` unless given
    itself; a missing ``SECRET_KEY`` becomes a random one for this process.
    """
    config["DATABASE_URL"] = normalise_database_url(config["DATABASE_URL"])
    config.setdefault("SQLALCHEMY_DATABASE_URI", config["DATABASE_URL"])
    if not config.get("SECRET_KEY"):
        # Never a key in the repository: without one, sessions last as long as this process.
        log.warning("SECRET_KEY is not set; using a random key, so logins end when the process does")
        config["SECRET_KEY"] = secrets.token_hex(32)


# How each compute setting (service.compute) is read from the environment.
_COMPUTE_SETTINGS: dict[str, Callable[[str], Any]] = {
    "COMPUTE_POOL": lambda value: parse_bool(value, "COMPUTE_POOL"),
    "COMPUTE_SECONDS": float, "COMPUTE_MEMORY_MB": int, "COMPUTE_PROCESSES": int,
    "COMPUTE_HEAVY_PROCESSES": int, "COMPUTE_HEAVY_NICE": int, "COMPUTE_HEAVY_WAIT": float,
}
