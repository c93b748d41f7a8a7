"""How the dashboards write names, outcomes and CSV cells."""

from __future__ import annotations

import pytest

from service.calculus.misconceptions import MISCONCEPTIONS
from service.dashboard.formatting import count, misconception_label
from service.usecases.dashboard.export import csv_cell, runs_as_formula
from service.usecases.dashboard.labels import learner_label


def test_every_misconception_has_a_human_name() -> None:
    for name in MISCONCEPTIONS:
        label = misconception_label(name)
        assert "_" not in label and label[0].isupper(), name
    assert misconception_label(None).startswith("Other")


def test_an_unnamed_learner_is_told_apart_by_id_and_origin() -> None:
    assert learner_label(None, "7a1b2c3d4e", "widget", "example.org") == "Learner 7a1b2c, via widget on example.org"
    assert learner_label("Ada", "7a1b2c3d4e", "widget", "example.org") == "Ada"


@pytest.mark.parametrize("cell", ["-2x", "-6(2x+1)^2", "+3u²", "-sin(x)·2x", "−2x", "-2x(x+1)", "6(2x+1)^2"])
def test_maths_answers_are_left_as_typed(cell: str) -> None:
    assert not runs_as_formula(cell) and csv_cell(cell) == cell


@pytest.mark.parametrize("cell", ["=1+1", "@SUM(A1)", "\t=1", "+HYPERLINK(\"http://x\")", "-cmd|' /C calc'!A0",
                                  "-WEBSERVICE(1)"])
def test_what_a_spreadsheet_would_run_is_guarded(cell: str) -> None:
    assert runs_as_formula(cell) and csv_cell(cell) == "'" + cell


def test_numbers_read_as_people_write_them() -> None:
    assert [csv_cell(v) for v in (0.5999999999999999, 0.25, 1.0, 0.0)] == ["0.6", "0.25", "1", "0"]
    assert [count(1, "hint"), count(2, "hint")] == ["1 hint", "2 hints"]
