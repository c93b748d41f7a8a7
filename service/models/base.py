"""The declarative base every model shares, and the timestamp columns.

The metadata carries a naming convention so that constraint and index
names are the same on SQLite and PostgreSQL; without it PostgreSQL invents
names that SQLite never had, and migrations that drop a constraint by name
would work on one database only.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.orm import registry as make_registry

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# JSON everywhere, stored as JSONB on PostgreSQL: plain ``json`` there has no
# equality operator, so DISTINCT, GROUP BY and default comparisons fail on it.
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def utcnow() -> datetime:
    """The current time as an aware UTC datetime.

    >>> utcnow().tzinfo is timezone.utc
    True
    """
    return datetime.now(timezone.utc)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp that always comes back as an aware UTC datetime.

    PostgreSQL's ``timestamptz`` returns aware values but SQLite stores
    text without a zone and returns naive ones; code comparing the two
    would raise. Values are stored in UTC and read back tagged as UTC on
    every database.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return as_utc(value)


def as_utc(value: datetime | None) -> datetime | None:
    """``value`` as an aware UTC datetime; a naive one is taken to be UTC already.

    >>> as_utc(datetime(2024, 1, 2, 3, 4)).isoformat()
    '2024-01-02T03:04:00+00:00'
    """
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """The declarative base: shared metadata and type map for all models."""

    # One registry carrying both, because Flask-SQLAlchemy subclasses this
    # base and SQLAlchemy refuses a per-class type map beside a registry.
    registry = make_registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            datetime: UTCDateTime(),
            dict[str, Any]: JSON_TYPE,
            list[str]: JSON_TYPE,
        },
    )


class CreatedAtMixin:
    """A ``created_at`` column filled by the application and the database."""

    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=sa.func.current_timestamp(), sort_order=900
    )


class TimestampsMixin(CreatedAtMixin):
    """``created_at`` and an ``updated_at`` that moves on every ORM update."""

    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=sa.func.current_timestamp(), sort_order=901
    )
