"""PostgreSQL: a turn's writes in one statement, its reads in another.

On PostgreSQL every statement is a round trip to the server: the turn's
eight statements cost more in network waits, parsing and protocol work (on
both sides) than in writing rows. So on PostgreSQL a turn reads its
conversation and the learner's mastery in one ``SELECT`` and writes all its
rows in one statement of data-modifying CTEs::

    WITH conversation_written AS (UPDATE conversations ... RETURNING id),
         messages_written AS (INSERT INTO messages ... SELECT ... FROM jsonb_to_recordset(:messages)),
         ... attempts, outbox, the dashboards' sums, mastery (upserts) ...
    SELECT count(*) FROM conversation_written

Each table's rows travel as one JSON array parameter, unpacked by
``jsonb_to_recordset`` with the table's own column types, so the statement's
text is the same for any number of rows and is built (and its plan
prepared by psycopg) once. An empty array writes nothing. The statement
still runs in the turn's transaction, after the ``FOR UPDATE`` read, and
the caller commits; ``count(*)`` is the conversation's rowcount for the
version check, and the other rows are written only when it is 1.

SQLite runs in the process (a statement costs microseconds and has no
data-modifying CTEs), so it keeps one plain statement per table
(:mod:`service.usecases.turn_records`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from service.models import CourseMastery, CourseMisconceptionBelief, Mastery, MisconceptionBelief
from service.usecases.upserts import RowTable


def write_turn(connection: sa.Connection, conversation: sa.Executable, conversation_values: Mapping[str, Any],
               tables: Mapping[str, RowTable], rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> int:
    """Run ``conversation`` (a prebuilt INSERT or UPDATE with ``RETURNING``) and write ``rows``.

    ``rows`` maps each name of ``tables`` to that table's rows as dicts of
    column values (every row of a table with the same columns). Returns how
    many conversation rows were written: 0 when its version check failed.
    """
    shapes = tuple(sorted((name, _columns(table_rows), tables[name]) for name, table_rows in rows.items()))
    statement = _statement(conversation, shapes)
    params = dict(conversation_values)
    params.update({f"{name}_rows": [_jsonable(row) for row in table_rows] for name, table_rows in rows.items()})
    return connection.execute(statement, params).scalar_one()


def _columns(rows: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(rows[0]) if rows else ()


@functools.lru_cache(maxsize=64)
def _statement(conversation: sa.Executable,
               shapes: tuple[tuple[str, tuple[str, ...], RowTable], ...]) -> sa.Select:
    """The turn's statement for the tables that have rows, by their columns (a handful of shapes)."""
    written = conversation.cte("conversation_written")  # type: ignore[attr-defined]
    ctes = [_insert_rows(name, columns, table, written).cte(f"{name}_written")
            for name, columns, table in shapes if columns]
    return sa.select(sa.func.count()).select_from(written).add_cte(*ctes)


def _insert_rows(name: str, columns: tuple[str, ...], row_table: RowTable, written: sa.CTE) -> sa.Insert:
    """INSERT (or upsert) into ``name``'s table the rows of the JSON parameter ``{name}_rows``.

    Only if the conversation's row was ``written``: a turn computed on a
    stale read writes nothing at all.
    """
    table = row_table.table
    rows = (
        sa.func.jsonb_to_recordset(sa.bindparam(f"{name}_rows", type_=postgresql.JSONB))
        .table_valued(*(sa.column(column, table.c[column].type) for column in columns))
        .render_derived(with_types=True)
    )
    insert = row_table.statement("postgresql")
    # Columns a turn leaves out take their server defaults (no Python-side ones in a CTE).
    # SELECT * (the record's columns are declared in the insert's order): a
    # shorter text for psycopg to convert and send each turn (it caches that
    # work only for statements under 4,096 characters, and a turn's is longer).
    everything = sa.select(sa.literal_column("*")).select_from(rows).where(sa.exists(written.select()))
    return insert.from_select(list(columns), everything, include_defaults=False)  # type: ignore[union-attr]


def _jsonable(row: Mapping[str, Any]) -> dict[str, Any]:
    # Timestamps and days travel as ISO 8601 text; jsonb_to_recordset reads them back as timestamptz or date.
    return {key: value.isoformat() if isinstance(value, datetime | date) else value for key, value in row.items()}


def mastery_column(learner_id: sa.ColumnElement[Any]) -> sa.ScalarSelect[Any]:
    """The learner's mastery as one JSON object ``{skill: probability}`` (NULL for none yet).

    Added to the conversation's ``SELECT ... FOR UPDATE`` so that a turn
    reads both in one round trip.
    """
    mastery: sa.Table = Mastery.__table__  # type: ignore[assignment]
    return _json_map(mastery.c.skill, mastery.c.probability, mastery.c.learner_id == learner_id)


def beliefs_column(learner_id: sa.ColumnElement[Any]) -> sa.ScalarSelect[Any]:
    """The learner's misconception beliefs as ``{misconception: probability}`` (NULL for none yet)."""
    beliefs: sa.Table = MisconceptionBelief.__table__  # type: ignore[assignment]
    return _json_map(beliefs.c.misconception, beliefs.c.probability, beliefs.c.learner_id == learner_id)


def course_mastery_column(course_id: sa.ColumnElement[Any], learner_id: sa.ColumnElement[Any]) -> sa.ScalarSelect[Any]:
    """The course's copy of the learner's mastery, as :func:`mastery_column` (NULL outside a course)."""
    table: sa.Table = CourseMastery.__table__  # type: ignore[assignment]
    return _json_map(table.c.skill, table.c.probability,
                     table.c.course_id == course_id, table.c.learner_id == learner_id)


def course_beliefs_column(course_id: sa.ColumnElement[Any], learner_id: sa.ColumnElement[Any]) -> sa.ScalarSelect[Any]:
    """The course's copy of the learner's beliefs, as :func:`beliefs_column`."""
    table: sa.Table = CourseMisconceptionBelief.__table__  # type: ignore[assignment]
    return _json_map(table.c.misconception, table.c.probability,
                     table.c.course_id == course_id, table.c.learner_id == learner_id)


def _json_map(key: sa.Column[Any], value: sa.Column[Any], *where: sa.ColumnElement[bool]) -> sa.ScalarSelect[Any]:
    return sa.select(sa.func.jsonb_object_agg(key, value, type_=postgresql.JSONB)).where(*where).scalar_subquery()
