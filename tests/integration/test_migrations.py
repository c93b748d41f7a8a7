"""Migrations build the schema the models describe, on SQLite and PostgreSQL,
and take it away again.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.script import ScriptDirectory
from alembic.migration import MigrationContext
from flask import Flask

from service.cli import main
from service.extensions import MIGRATIONS_DIR, db
from service.models import Base

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]

MODEL_TABLES = set(Base.metadata.tables)


@pytest.fixture(params=BACKENDS)
def empty_app(request: pytest.FixtureRequest, app_factory: Callable[..., Flask],
              empty_database_factory: Callable[[str], str]) -> Flask:
    """An app on a database with no tables, on each backend."""
    return app_factory(empty_database_factory(request.param))


def table_names(app: Flask) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def schema_differences(app: Flask) -> list[object]:
    """What autogenerate would write to make the database match the models."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, Base.metadata))


def test_upgrade_to_head_then_downgrade_to_base(empty_app: Flask) -> None:
    assert table_names(empty_app) == set()
    with empty_app.app_context():
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
    assert table_names(empty_app) == MODEL_TABLES | {"alembic_version"}

    with empty_app.app_context():
        flask_migrate.downgrade(directory=str(MIGRATIONS_DIR), revision="base")
    # Alembic keeps its (now empty) version table; everything else is gone.
    assert table_names(empty_app) == {"alembic_version"}

    with empty_app.app_context():
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
    assert table_names(empty_app) == MODEL_TABLES | {"alembic_version"}


# Alembic cannot reflect an index on an expression, so it cannot compare this one
# (declared alike in the model and in migration 0010); it says so and moves on.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index "
                            "ix_conversation_stats_struggle")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index "
                            "'ix_conversation_stats_struggle'")
def test_models_match_the_migrations(empty_app: Flask) -> None:
    with empty_app.app_context():
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
    assert schema_differences(empty_app) == []


def test_migrations_have_one_head_and_clean_names() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        # Every revision says what it does: a docstring beyond the generated header.
        assert revision.doc and not revision.doc.lower().startswith("empty message")


def test_db_commands_upgrade_and_downgrade(empty_app: Flask) -> None:
    runner = empty_app.test_cli_runner()
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "alembic_version" in table_names(empty_app)
    assert MODEL_TABLES <= table_names(empty_app)

    result = runner.invoke(main, ["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    assert table_names(empty_app) == {"alembic_version"}


def test_chain_tutor_db_upgrade_works_from_any_directory(tmp_path: Path) -> None:
    """The installed command finds migrations/ wherever it is run from."""
    database = tmp_path / "cli.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "test",
           "CHAIN_TUTOR_INSTANCE": str(tmp_path / "instance")}
    command = [sys.executable, "-c", "from service.cli import main; main()", "db"]
    for action in ("upgrade", "current"):
        done = subprocess.run([*command, action], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    # Alembic prints to the real stdout, which only a subprocess can read.
    assert f"{ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()} (head)" in done.stdout
    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        assert MODEL_TABLES <= set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_0004_counts_the_messages_of_existing_conversations(
        backend: str, app_factory: Callable[..., Flask], empty_database_factory: Callable[[str], str]) -> None:
    """The backfill gives each conversation its next message position, and losing the
    column (downgrade) loses no message: on SQLite a table rebuild would cascade."""
    learners = sa.table("learners", sa.column("id"), sa.column("token_hash"))
    conversations = sa.table("conversations", sa.column("id"), sa.column("learner_id"),
                             sa.column("expression"), sa.column("state", sa.JSON), sa.column("status"))
    messages = sa.table("messages", sa.column("conversation_id"), sa.column("position"), sa.column("role"),
                        sa.column("kind"), sa.column("text"), sa.column("payload", sa.JSON))
    app = app_factory(empty_database_factory(backend))
    with app.app_context():
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR), revision="0003")
        with db.engine.begin() as connection:
            connection.execute(sa.insert(learners), [{"id": "l1", "token_hash": "h1"}])
            connection.execute(sa.insert(conversations), [
                {"id": name, "learner_id": "l1", "expression": "x^2", "state": {}, "status": "active"}
                for name in ("c1", "c2")])
            connection.execute(sa.insert(messages), [
                {"conversation_id": "c1", "position": position, "role": "tutor", "kind": "question",
                 "text": "?", "payload": {}} for position in range(5)])

        def counts() -> dict[str, int]:
            with db.engine.connect() as connection:
                return dict(connection.execute(sa.text("SELECT id, message_count FROM conversations")).all())

        def stored_messages() -> int:
            with db.engine.connect() as connection:
                return connection.scalar(sa.text("SELECT count(*) FROM messages"))

        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        assert counts() == {"c1": 5, "c2": 0}
        flask_migrate.downgrade(directory=str(MIGRATIONS_DIR), revision="0003")
        assert stored_messages() == 5
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        assert counts() == {"c1": 5, "c2": 0}


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_0005_files_existing_work_under_the_course_it_was_done_in(
        backend: str, app_factory: Callable[..., Flask], empty_database_factory: Callable[[str], str]) -> None:
    """A conversation goes to the course joined last before it started (none if none);
    its attempts and summary row follow it; a course already set stays."""
    app = app_factory(empty_database_factory(backend))
    with app.app_context():
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR), revision="0004")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO instructors (id, email, name, password_hash) VALUES (1, 'a@x.org', 'A', 'h')"))
            connection.execute(sa.text(
                "INSERT INTO courses (id, instructor_id, title, code) VALUES (1, 1, 'A', 'AAAA'), (2, 1, 'B', 'BBBB')"))
            connection.execute(sa.text("INSERT INTO learners (id, token_hash) VALUES ('l1', 'h1')"))
            connection.execute(sa.text(
                "INSERT INTO enrolments (learner_id, course_id, created_at) VALUES "
                "('l1', 1, '2020-01-01 00:00:00+00'), ('l1', 2, '2022-01-01 00:00:00+00')"))
            connection.execute(sa.text(
                "INSERT INTO conversations (id, learner_id, course_id, expression, state, status, created_at) "
                "VALUES ('before', 'l1', NULL, 'x', '{}', 'active', '2019-06-01 00:00:00+00'),"
                " ('in_a', 'l1', NULL, 'x', '{}', 'active', '2021-06-01 00:00:00+00'),"
                " ('in_b', 'l1', NULL, 'x', '{}', 'active', '2023-06-01 00:00:00+00'),"
                " ('kept', 'l1', 1, 'x', '{}', 'active', '2023-06-01 00:00:00+00')"))
            connection.execute(sa.text(
                "INSERT INTO attempts (learner_id, conversation_id, course_id, step, answer, correct) VALUES "
                "('l1', 'in_b', NULL, 's', 'a', false), ('l1', 'kept', 2, 's', 'a', true)"))
            connection.execute(sa.text(
                "INSERT INTO conversation_stats (conversation_id, learner_id, attempts) VALUES ('in_b', 'l1', 1)"))
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        with db.engine.connect() as connection:
            filed = dict(connection.execute(sa.text("SELECT id, course_id FROM conversations")).all())
            attempts = dict(connection.execute(sa.text("SELECT conversation_id, course_id FROM attempts")).all())
            stats = dict(connection.execute(sa.text("SELECT conversation_id, course_id FROM conversation_stats")).all())
        assert filed == {"before": None, "in_a": 1, "in_b": 2, "kept": 1}
        assert attempts == {"in_b": 2, "kept": 1}
        assert stats == {"in_b": 2}
        flask_migrate.downgrade(directory=str(MIGRATIONS_DIR), revision="0004")
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_0006_names_outcomes_truthfully_and_keeps_every_message(
        backend: str, app_factory: Callable[..., Flask], empty_database_factory: Callable[[str], str]) -> None:
    """Old statuses become outcomes (a shown solution is gave_up), each conversation gets its
    problem row, and the SQLite definition edit cascades to no message, both ways."""
    learners = sa.table("learners", sa.column("id"), sa.column("token_hash"))
    conversations = sa.table("conversations", sa.column("id"), sa.column("learner_id"),
                             sa.column("expression"), sa.column("state", sa.JSON), sa.column("status"))
    messages = sa.table("messages", sa.column("conversation_id"), sa.column("position"), sa.column("role"),
                        sa.column("kind"), sa.column("text"), sa.column("payload", sa.JSON))
    old = {"open": ("active", {}), "alone": ("solved", {"hints_used": 0}),
           "hinted": ("solved", {"hints_used": 2}), "shown": ("solved", {"gave_up": True, "hints_used": 1})}
    app = app_factory(empty_database_factory(backend))
    with app.app_context():
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR), revision="0004")
        with db.engine.begin() as connection:
            connection.execute(sa.insert(learners), [{"id": "l1", "token_hash": "h1"}])
            connection.execute(sa.insert(conversations), [
                {"id": name, "learner_id": "l1", "expression": "x^2", "state": state, "status": status}
                for name, (status, state) in old.items()])
            connection.execute(sa.insert(messages), [
                {"conversation_id": "open", "position": p, "role": "tutor", "kind": "question", "text": "?",
                 "payload": {}} for p in range(3)])

        def read(sql: str) -> dict:
            with db.engine.connect() as connection:
                return dict(connection.execute(sa.text(sql)).all())

        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR), revision="0006")
        expected = {"open": "in_progress", "alone": "solved", "hinted": "solved_with_hints", "shown": "gave_up"}
        assert read("SELECT id, status FROM conversations") == expected
        assert read("SELECT conversation_id, outcome FROM problems") == expected
        assert read("SELECT 'messages', count(*) FROM messages") == {"messages": 3}
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE conversations SET status = 'active'"))
        flask_migrate.downgrade(directory=str(MIGRATIONS_DIR), revision="0004")
        assert read("SELECT id, status FROM conversations") == {
            "open": "active", "alone": "solved", "hinted": "solved", "shown": "solved"}
        assert read("SELECT 'messages', count(*) FROM messages") == {"messages": 3}
