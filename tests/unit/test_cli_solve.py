"""``chain-tutor solve`` through click's test runner."""

from __future__ import annotations

import json
import pytest
from click.testing import CliRunner, Result
from flask import Flask

from service.calculus import solve
from service.cli import main
from service.commands.solve import align_steps, format_error, format_latex


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["solve", *args])


def test_text_shows_the_lesson_three_link_example() -> None:
    result = run("sin((3x)^2)")

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("d/dx sin((3x)²)")
    assert "x → v = 3x → u = v² → y = sin" in out
    assert "dy/dx = 18x·cos(9x²)" in out
    # One line per local derivative, the Leibniz names in a column, the rule at the end.
    lines = {line.strip().split(" ")[0]: line for line in out.splitlines() if " = " in line}
    for name in ("dv/dx", "du/dv", "dy/du"):
        assert name in lines, out
    columns = {lines[name].index(" = ") for name in ("dv/dx", "du/dv", "dy/du")}
    assert len(columns) == 1, "the '=' signs of the derivative steps line up"
    assert "(power rule)" in lines["du/dv"]
    assert "Gears" in out


def test_text_uses_the_solutions_own_unicode_fields() -> None:
    solution = solve("(2x+1)^3").to_dict()
    out = run("(2x+1)^3").stdout

    assert solution["derivative_text"] in out
    assert "x → u = 2x + 1 → y = u³" in out
    assert "6(2x + 1)²" in out


def test_variable_option_differentiates_by_that_symbol() -> None:
    result = run("(σ(w·x) − y)^2", "--variable", "w")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("d/dw ")
    assert "dL/dw = " in result.stdout
    assert "w → z = " in result.stdout


def test_no_chain_still_solved() -> None:
    result = run("x^5")

    assert result.exit_code == 0, result.output
    assert "Chain:" not in result.stdout
    assert "5x⁴" in result.stdout


def test_json_is_the_solution_dict() -> None:
    result = run("e^(-x^2)", "--format", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == solve("e^(-x^2)").to_dict()
    # Unicode maths stays readable in the JSON rather than \u escapes.
    assert "\\u" not in result.stdout


def test_latex_is_one_align_environment_with_a_row_per_step() -> None:
    result = run("(2x+1)^3", "--format", "latex")
    steps = solve("(2x+1)^3").to_dict()["steps"]

    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0] == r"\begin{align*}" and lines[-1] == r"\end{align*}"
    rows = lines[1:-1]
    assert len(rows) == len(steps)
    assert all(row.endswith(r" \\") for row in rows[:-1])
    assert all(row.count("&") == 1 for row in rows)


@pytest.mark.parametrize(("expression", "fragment", "caret_column"), [
    ("foo(x)", "unknown function 'foo'", 0),
    ("sin(x", "parenthesis", None),
    ("2x + $", "'$'", 5),
])
def test_bad_input_prints_message_and_caret_and_exits_2(
        expression: str, fragment: str, caret_column: int | None) -> None:
    result = run(expression)

    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ") and fragment in lines[0]
    if caret_column is not None:
        assert lines[1] == f"  {expression}"
        assert lines[2] == "  " + " " * caret_column + "^"


def test_bad_variable_exits_2() -> None:
    result = run("x^2", "--variable", "2+")

    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")


def test_unknown_format_is_a_usage_error() -> None:
    result = run("x^2", "--format", "pdf")

    assert result.exit_code == 2
    assert "pdf" in result.stderr


def test_a_megabyte_of_text_is_refused_without_echoing_it() -> None:
    result = run("x+" * 500_000 + "x")

    assert result.exit_code == 2
    assert len(result.stderr) < 500


def test_solve_does_not_build_the_web_app(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[Flask] = []
    original_init = Flask.__init__

    def spy(self: Flask, *args: object, **kwargs: object) -> None:
        built.append(self)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(Flask, "__init__", spy)
    result = run("x^2")

    assert result.exit_code == 0, result.output
    assert built == []


def test_format_error_echoes_only_a_window_around_the_position() -> None:
    text = "x" * 1000 + "$" + "x" * 1000
    message, shown, caret = format_error(text, "unexpected character '$'", 1000).splitlines()

    assert message == "error: unexpected character '$'"
    assert len(shown) < 100
    assert shown[caret.index("^")] == "$"


def test_align_steps_leaves_prose_and_maths_brackets_alone() -> None:
    lines = align_steps([
        "Let u = 2x + 1 (inner) and y = u³ (outer).",
        "dy/du = 3u² = 3(2x + 1)² (power rule).",
        "du/dx = 2 (linear function).",
        "dy/dx = dy/du · du/dx = 6(2x + 1)²",
    ])

    assert lines[0] == "Let u = 2x + 1 (inner) and y = u³ (outer)."
    assert lines[1] == "dy/du = 3u² = 3(2x + 1)²   (power rule)"
    assert lines[2].startswith("du/dx = 2 ") and lines[2].endswith("   (linear function)")
    assert lines[1].index("(power") == lines[2].index("(linear"), "the rules line up"
    assert lines[3] == "dy/dx = dy/du · du/dx = 6(2x + 1)²"


def test_format_latex_aligns_outside_braces() -> None:
    latex = format_latex({"steps": [{"latex": r"\text{Let {a = b} } u = 2x"}, {"latex": "x"}]})

    assert r"\text{Let {a = b} } u &= 2x \\" in latex
    assert "\n&x\n" in latex
