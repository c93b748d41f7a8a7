"""Migration 0011 gives each course its copy of the learner model, true to the work done there."""

from __future__ import annotations

from collections.abc import Callable

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask

from service.extensions import MIGRATIONS_DIR, db
from service.tutor.beliefs import DEFAULT_BELIEFS
from service.tutor.mastery import update

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def revision_before(revision: str) -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return str(ScriptDirectory.from_config(config).get_revision(revision).down_revision)


@pytest.mark.parametrize("backend", BACKENDS)
def test_single_course_learners_are_copied_and_the_others_replayed_per_course(
        backend: str, app_factory: Callable[..., Flask], empty_database_factory: Callable[[str], str]) -> None:
    app = app_factory(empty_database_factory(backend))
    before = revision_before("0011")
    with app.app_context():
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR), revision=before)
        with db.engine.begin() as connection:
            run = lambda sql: connection.execute(sa.text(sql))  # noqa: E731
            run("INSERT INTO instructors (id, email, name, password_hash) VALUES (1, 'a@x.org', 'A', 'h')")
            run("INSERT INTO courses (id, instructor_id, title, code) VALUES (1, 1, 'A', 'AAAA'), (2, 1, 'B', 'BBBB')")
            run("INSERT INTO learners (id, token_hash) VALUES ('one', 'h1'), ('both', 'h2'), ('none', 'h3')")
            run("INSERT INTO conversations (id, learner_id, course_id, expression, state, status) VALUES "
                "('c1', 'one', 1, 'x', '{}', 'solved'), ('c2', 'both', 1, 'x', '{}', 'solved'),"
                " ('c3', 'both', 2, 'x', '{}', 'in_progress'), ('c4', 'none', NULL, 'x', '{}', 'solved')")
            # 'one' worked in course 1 only: its model is course 1's.
            run("INSERT INTO mastery (learner_id, skill, probability, attempts) VALUES "
                "('one', 'outer_derivative', 0.77, 3), ('both', 'outer_derivative', 0.9, 5),"
                " ('none', 'outer_derivative', 0.5, 1)")
            run("INSERT INTO misconception_beliefs (learner_id, misconception, probability) VALUES "
                "('one', 'sign_error', 0.4), ('both', 'sign_error', 0.3)")
            # 'both': a right first try in course 1; a missing inner derivative in course 2.
            run("INSERT INTO attempts (learner_id, conversation_id, course_id, step, answer, correct, hints_used,"
                " skill, misconception, created_at) VALUES "
                "('both', 'c2', 1, 'dy/du', '3u^2', true, 0, 'outer_derivative', NULL, '2026-01-01 00:00:00+00'),"
                "('both', 'c2', 1, 'dy/du', '3u^2', true, 0, 'outer_derivative', NULL, '2026-01-01 00:01:00+00'),"
                "('both', 'c3', 2, 'dy/dx', 'cos(5x)', false, 0, 'multiply_factors', 'missing_inner_derivative',"
                " '2026-01-02 00:00:00+00')")
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))

        def rows(sql: str) -> set[tuple]:
            with db.engine.connect() as connection:
                return {tuple(row) for row in connection.execute(sa.text(sql))}

        mastery = {(c, l, k): (float(p), n) for c, l, k, p, n in rows(
            "SELECT course_id, learner_id, skill, probability, attempts FROM course_mastery")}
        assert mastery[1, "one", "outer_derivative"] == (pytest.approx(0.77), 3)
        assert {key[1] for key in mastery} == {"one", "both"}  # no course, no copy
        both_in_1 = {key: value for key, value in mastery.items() if key[:2] == (1, "both")}
        # The second try at the same step is no observation: one right answer from the prior.
        assert both_in_1 == {(1, "both", "outer_derivative"): (pytest.approx(update(0.2, True)), 1)}
        both_in_2 = {key[2] for key in mastery if key[:2] == (2, "both")}
        assert both_in_2 and "outer_derivative" not in both_in_2  # only what B's wrong answer showed
        beliefs = {(c, l, m): float(p) for c, l, m, p in rows(
            "SELECT course_id, learner_id, misconception, probability FROM course_misconception_beliefs")}
        assert beliefs[1, "one", "sign_error"] == pytest.approx(0.4)
        assert beliefs[2, "both", "missing_inner_derivative"] > DEFAULT_BELIEFS.prior
        assert not any(key[:2] == (1, "both") for key in beliefs)  # course 1 showed no misconception

        flask_migrate.downgrade(directory=str(MIGRATIONS_DIR), revision=before)
        assert "course_mastery" not in sa.inspect(db.engine).get_table_names()
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
