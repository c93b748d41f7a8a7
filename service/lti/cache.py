"""Where ``pylti1p3`` keeps OIDC state, nonces and launch data between requests.

The login and the launch may reach different server processes, so the
cache is shared: the database by default (a table of keys with an expiry),
Redis when ``REDIS_URL`` is set. Both offer the ``get``/``set`` that
``pylti1p3``'s ``CacheDataStorage`` calls.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from pylti1p3.contrib.flask import FlaskCacheDataStorage
from sqlalchemy.orm import Session

from service.models import LtiCacheEntry, utcnow
from service.usecases.upserts import upsert

DEFAULT_TIMEOUT = 7200  # seconds; pylti1p3 passes its own for each value
_cache: sa.Table = LtiCacheEntry.__table__  # type: ignore[assignment]


class DatabaseCache:
    """The cache as rows of ``lti_cache``; expired rows read as absent and are swept on write."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session = session_factory

    def get(self, key: str) -> Any:
        row = self._session().execute(
            sa.select(_cache.c.value).where(_cache.c.key == key, _cache.c.expires_at > utcnow())).first()
        return None if row is None else row.value.get("v")

    def set(self, key: str, value: Any, exp: int | None = None) -> None:
        session = self._session()
        now = utcnow()
        connection = session.connection()
        statement = upsert(connection.dialect.name, _cache, ("key",), (), ("value", "expires_at"))
        connection.execute(statement, [{"key": key, "value": {"v": value},
                                        "expires_at": now + timedelta(seconds=exp or DEFAULT_TIMEOUT)}])
        connection.execute(sa.delete(_cache).where(_cache.c.expires_at < now))
        session.commit()


    def take(self, key: str) -> bool:
        """Remove the key; whether it was there unexpired (one use only, even between workers)."""
        session = self._session()
        taken = session.execute(sa.delete(_cache).where(_cache.c.key == key, _cache.c.expires_at > utcnow())
                                .returning(_cache.c.key)).first()
        session.commit()
        return taken is not None


class RedisCache:
    """The cache in Redis (``REDIS_URL``), values as JSON with Redis's own expiry."""

    def __init__(self, url: str, prefix: str = "chain-tutor:lti:") -> None:
        import redis  # only deployments that set REDIS_URL need it

        self._redis = redis.Redis.from_url(url)
        self._prefix = prefix

    def get(self, key: str) -> Any:
        raw = self._redis.get(self._prefix + key)
        return None if raw is None else json.loads(raw)

    def set(self, key: str, value: Any, exp: int | None = None) -> None:
        self._redis.set(self._prefix + key, json.dumps(value), ex=exp or DEFAULT_TIMEOUT)

    def take(self, key: str) -> bool:
        return self._redis.getdel(self._prefix + key) is not None


class LaunchStorage(FlaskCacheDataStorage):  # type: ignore[misc]
    """``pylti1p3``'s cache storage with single-use nonces.

    The library only checks that a launch's nonce was issued; an id_token
    replayed (within its lifetime) would pass again. Here checking a nonce
    also removes it, atomically, so a second launch with it is refused.
    """

    def check_value(self, key: str) -> bool:
        prepared = self._prepare_key(key)
        if "nonce-" in prepared:
            return bool(self._get_cache().take(prepared))
        return bool(super().check_value(key))
