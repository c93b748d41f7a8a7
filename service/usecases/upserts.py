"""Insert a row or, when its key is taken, add to the row that is there: one statement.

Both databases spell it ``INSERT ... ON CONFLICT (key) DO UPDATE``, but
SQLAlchemy builds it from each dialect's own ``insert``. The statements are
built once per dialect and table (building one costs as much as running
it, on every tutor turn) and only ever executed with parameters.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@functools.cache
def upsert(dialect: str, table: sa.Table, keys: tuple[str, ...], add: tuple[str, ...] = (),
           replace: tuple[str, ...] = ()) -> sa.Executable:
    """Insert into ``table``; on a taken ``keys``, add the ``add`` columns and overwrite ``replace``.

    The sums happen in the database, with no read first, so two writers
    adding to one row cannot lose either addition.
    """
    if dialect not in _INSERTS:
        raise NotImplementedError(f"no upsert for the {dialect} database")
    insert = _INSERTS[dialect](table)
    changes = {name: table.c[name] + insert.excluded[name] for name in add}
    changes.update({name: insert.excluded[name] for name in replace})
    return insert.on_conflict_do_update(index_elements=[table.c[key] for key in keys], set_=changes)
