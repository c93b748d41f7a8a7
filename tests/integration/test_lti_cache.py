"""The LTI launch cache every worker shares: values expire, nonces are taken once.
The database cache always; the Redis one when ``REDIS_URL`` is set."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from service.extensions import db
from service.lti.cache import DatabaseCache, RedisCache


@pytest.fixture(params=["database", "redis"])
def cache(request: pytest.FixtureRequest, app: Flask) -> Iterator[object]:
    if request.param == "redis":
        url = os.environ.get("REDIS_URL")
        if not url:
            pytest.skip("REDIS_URL is not set")
        yield RedisCache(url, prefix=f"test-{secrets.token_hex(4)}:")
        return
    with app.app_context():
        engine = db.engine
    with sa.orm.Session(engine) as session:
        yield DatabaseCache(lambda: session)


def test_values_round_trip_and_expire(cache) -> None:
    cache.set("state-1", {"launch": [1, 2]}, 60)
    assert cache.get("state-1") == {"launch": [1, 2]}
    cache.set("state-1", "replaced", 60)
    assert cache.get("state-1") == "replaced"
    cache.set("gone", True, -1 if isinstance(cache, DatabaseCache) else 1)
    if isinstance(cache, RedisCache):
        import time
        time.sleep(1.1)
    assert cache.get("gone") is None and cache.get("never-set") is None


def test_a_nonce_is_taken_once(cache) -> None:
    cache.set("lti1p3-nonce-abc", True, 60)
    assert cache.take("lti1p3-nonce-abc") is True
    assert cache.take("lti1p3-nonce-abc") is False
