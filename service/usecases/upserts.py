"""Insert a row or, when its key is taken, add to the row that is there: one statement.

Both databases spell it ``INSERT ... ON CONFLICT (key) DO UPDATE``, but
SQLAlchemy builds it from each dialect's own ``insert``. The statements are
built once per dialect and table (building one costs as much as running
it, on every tutor turn) and only ever executed with parameters.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


# The smaller and the larger of two values: LEAST/GREATEST on PostgreSQL, two-argument min/max on SQLite.
_EXTREMES = {"postgresql": (sa.func.least, sa.func.greatest), "sqlite": (sa.func.min, sa.func.max)}


@functools.cache
def upsert(dialect: str, table: sa.Table, keys: tuple[str, ...], add: tuple[str, ...] = (),
           replace: tuple[str, ...] = (), earliest: tuple[str, ...] = (),
           latest: tuple[str, ...] = ()) -> sa.Executable:
    """Insert into ``table``; on a taken ``keys``, add the ``add`` columns, overwrite ``replace``,
    keep the smaller of the two ``earliest`` values and the larger of the ``latest`` ones.

    The sums happen in the database, with no read first, so two writers
    adding to one row cannot lose either addition (nor move a first or last
    day the wrong way, whatever order they commit in).
    """
    if dialect not in _INSERTS:
        raise NotImplementedError(f"no upsert for the {dialect} database")
    insert = _INSERTS[dialect](table)
    least, greatest = _EXTREMES[dialect]
    changes = {name: table.c[name] + insert.excluded[name] for name in add}
    changes.update({name: insert.excluded[name] for name in replace})
    # A row from before the column existed holds NULL: the new value stands alone then.
    changes.update({name: least(sa.func.coalesce(table.c[name], insert.excluded[name]), insert.excluded[name])
                    for name in earliest})
    changes.update({name: greatest(sa.func.coalesce(table.c[name], insert.excluded[name]), insert.excluded[name])
                    for name in latest})
    return insert.on_conflict_do_update(index_elements=[table.c[key] for key in keys], set_=changes)


class RowTable(NamedTuple):
    """How a table takes a turn's rows: its key columns for an upsert (None: a plain insert),
    and what an upsert does with the row already there (see :func:`~service.usecases.upserts.upsert`)."""

    table: sa.Table
    keys: tuple[str, ...] | None
    add: tuple[str, ...] = ()
    replace: tuple[str, ...] = ()
    earliest: tuple[str, ...] = ()
    latest: tuple[str, ...] = ()

    def statement(self, dialect: str) -> sa.Executable:
        """The INSERT, or the upsert, of this table's rows on ``dialect``."""
        if self.keys is None:
            return sa.insert(self.table)
        return upsert(dialect, self.table, self.keys, self.add, self.replace, self.earliest, self.latest)
