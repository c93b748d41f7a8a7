"""Broken content files get an error naming the file, the line and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.content.loader import check_content
from service.content.render import render_section_html

LESSON = """\
slug: chain-rule
title: The chain rule
summary: Functions inside functions.
position: 1
"""

CONCEPT = """\
---
slug: composition
title: Composition
kind: concept
position: 1
---
The outer function $f$ acts on the inner function $g(x)$.
"""

EXAMPLE = """\
---
slug: example-power
title: A power
kind: example
position: 2
expression: (2x+1)^3
derivative: 6(2x+1)^2
---
Let $u = 2x + 1$.
"""

BANK = """\
family: power
exercises:
  - slug: first
    expression: (3x - 2)^4
    difficulty: 1
    skills: [outer_derivative]
  - slug: second
    expression: sin(x^2)
    difficulty: 2
    skills: [inner_derivative, multiply_factors]
    family: trig
"""


def write_content(root: Path, files: dict[str, str | None] | None = None) -> Path:
    """A small valid content tree under ``root``; ``files`` replaces (or, with
    ``None``, leaves out) files by their path relative to the tree."""
    tree: dict[str, str | None] = {
        "lessons/chain-rule/lesson.yaml": LESSON,
        "lessons/chain-rule/01-composition.md": CONCEPT,
        "lessons/chain-rule/02-example.md": EXAMPLE,
        "exercises/basics.yaml": BANK,
    }
    tree.update(files or {})
    for relative, text in tree.items():
        if text is not None:
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return root


def problems_of(root: Path, files: dict[str, str | None]) -> list[str]:
    return [str(problem) for problem in check_content(write_content(root, files))]


def test_the_small_tree_is_valid(tmp_path: Path) -> None:
    assert check_content(write_content(tmp_path)) == []


def test_difficulty_out_of_range_names_file_line_and_field(tmp_path: Path) -> None:
    bank = BANK.replace("difficulty: 2", "difficulty: 7")
    assert problems_of(tmp_path, {"exercises/basics.yaml": bank}) == [
        "exercises/basics.yaml:9: difficulty: must be between 1 and 5"]


def test_unknown_field_lists_the_known_ones(tmp_path: Path) -> None:
    bank = BANK.replace("    family: trig\n", "    family: trig\n    colour: red\n")
    [problem] = problems_of(tmp_path, {"exercises/basics.yaml": bank})
    assert problem.startswith("exercises/basics.yaml:12: colour: unknown field;")
    assert "difficulty" in problem and "skills" in problem


def test_missing_field_points_at_the_exercise(tmp_path: Path) -> None:
    bank = BANK.replace("    difficulty: 1\n", "")
    assert problems_of(tmp_path, {"exercises/basics.yaml": bank}) == [
        "exercises/basics.yaml:3: difficulty: missing (this field is required)"]


def test_wrong_types(tmp_path: Path) -> None:
    bank = BANK.replace("difficulty: 1", "difficulty: easy").replace(
        "skills: [outer_derivative]", "skills: outer_derivative")
    assert problems_of(tmp_path, {"exercises/basics.yaml": bank}) == [
        "exercises/basics.yaml:5: difficulty: must be a whole number",
        "exercises/basics.yaml:6: skills: must be a list, e.g. [a, b]",
    ]


def test_unknown_skill_names_the_skills(tmp_path: Path) -> None:
    bank = BANK.replace("[inner_derivative, multiply_factors]", "[inner_derivative, guessing]")
    [problem] = problems_of(tmp_path, {"exercises/basics.yaml": bank})
    assert problem.startswith("exercises/basics.yaml:10: skills[1]: unknown skill 'guessing'")
    assert "long_chains" in problem


def test_duplicate_slug_across_files(tmp_path: Path) -> None:
    other = "family: exp\nexercises:\n  - slug: first\n    expression: e^(2x)\n" \
            "    difficulty: 1\n    skills: [outer_derivative]\n"
    assert problems_of(tmp_path, {"exercises/more.yaml": other}) == [
        "exercises/more.yaml:3: duplicate exercise 'first' (already used in exercises/basics.yaml)"]


def test_unparsable_expression_reports_the_parser_message(tmp_path: Path) -> None:
    bank = BANK.replace("sin(x^2)", "sin((x^2)")
    [problem] = problems_of(tmp_path, {"exercises/basics.yaml": bank})
    assert problem.startswith("exercises/basics.yaml:8: expression: ")
    assert "parenthes" in problem


def test_unknown_function_in_expression(tmp_path: Path) -> None:
    bank = BANK.replace("sin(x^2)", "foo(x^2)")
    [problem] = problems_of(tmp_path, {"exercises/basics.yaml": bank})
    assert problem.startswith("exercises/basics.yaml:8: expression: ")
    assert "foo" in problem


def test_expression_without_the_variable(tmp_path: Path) -> None:
    bank = BANK.replace("(3x - 2)^4", "(3t - 2)^4")
    [problem] = problems_of(tmp_path, {"exercises/basics.yaml": bank})
    assert problem.startswith(
        "exercises/basics.yaml:4: expression: '(3t - 2)^4' does not depend on x")


def test_bad_yaml_reports_yamls_line(tmp_path: Path) -> None:
    bank = BANK.replace("    difficulty: 2\n", "    difficulty: 2\n   skills: [oops\n")
    [problem] = problems_of(tmp_path, {"exercises/basics.yaml": bank})
    assert problem.startswith("exercises/basics.yaml:10: invalid YAML:")


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    bank = BANK.replace("    difficulty: 1\n", "    difficulty: 1\n    difficulty: 2\n")
    assert problems_of(tmp_path, {"exercises/basics.yaml": bank}) == [
        "exercises/basics.yaml:6: duplicate key 'difficulty' (first given on line 5)"]


def test_missing_front_matter(tmp_path: Path) -> None:
    body = CONCEPT.split("---\n", 2)[2]
    assert problems_of(tmp_path, {"lessons/chain-rule/01-composition.md": body}) == [
        "lessons/chain-rule/01-composition.md:1: missing front matter: the file must start "
        "with a line '---', then the section's fields, then another '---'"]


def test_unclosed_front_matter(tmp_path: Path) -> None:
    text = CONCEPT.replace("position: 1\n---\n", "position: 1\n")
    [problem] = problems_of(tmp_path, {"lessons/chain-rule/01-composition.md": text})
    assert problem.startswith("lessons/chain-rule/01-composition.md:1: front matter is not closed")


def test_front_matter_field_lines_count_the_fence(tmp_path: Path) -> None:
    text = CONCEPT.replace("kind: concept", "kind: lecture")
    assert problems_of(tmp_path, {"lessons/chain-rule/01-composition.md": text}) == [
        "lessons/chain-rule/01-composition.md:4: kind: must be one of: concept, example, summary"]


def test_bad_yaml_in_front_matter(tmp_path: Path) -> None:
    text = CONCEPT.replace("title: Composition", "title: Composition: a start")
    [problem] = problems_of(tmp_path, {"lessons/chain-rule/01-composition.md": text})
    assert problem.startswith("lessons/chain-rule/01-composition.md:3: invalid YAML:")


def test_worked_example_needs_its_expression(tmp_path: Path) -> None:
    text = EXAMPLE.replace("expression: (2x+1)^3\n", "")
    [problem] = problems_of(tmp_path, {"lessons/chain-rule/02-example.md": text})
    assert problem.startswith("lessons/chain-rule/02-example.md:2: expression: missing")


def test_concept_may_not_name_an_expression(tmp_path: Path) -> None:
    text = CONCEPT.replace("position: 1\n", "position: 1\nexpression: x^2\n")
    assert problems_of(tmp_path, {"lessons/chain-rule/01-composition.md": text}) == [
        "lessons/chain-rule/01-composition.md:6: expression: only a worked example "
        "(kind: example) names an expression"]


def test_wrong_stated_derivative_is_caught_by_the_core(tmp_path: Path) -> None:
    text = EXAMPLE.replace("derivative: 6(2x+1)^2", "derivative: 3(2x+1)^2")
    [problem] = problems_of(tmp_path, {"lessons/chain-rule/02-example.md": text})
    assert problem.startswith("lessons/chain-rule/02-example.md:7: derivative: '3(2x+1)^2' "
                              "is not the derivative of '(2x+1)^3' by x")


def test_equivalent_stated_derivative_is_accepted(tmp_path: Path) -> None:
    text = EXAMPLE.replace("derivative: 6(2x+1)^2", "derivative: 24x^2 + 24x + 6")
    assert problems_of(tmp_path, {"lessons/chain-rule/02-example.md": text}) == []


def test_bad_latex_in_a_section_body_names_its_line(tmp_path: Path) -> None:
    text = CONCEPT + "\nThen $x^$ goes wrong.\n"
    [problem] = problems_of(tmp_path, {"lessons/chain-rule/01-composition.md": text})
    assert problem.startswith(
        "lessons/chain-rule/01-composition.md:9: cannot render the maths $x^$")


def test_exercise_naming_an_unknown_lesson(tmp_path: Path) -> None:
    bank = BANK.replace("family: power\n", "family: power\nlesson: integrals\n")
    problems = problems_of(tmp_path, {"exercises/basics.yaml": bank})
    assert problems == [
        "exercises/basics.yaml:4: lesson: no lesson 'integrals' (lessons are: chain-rule)",
        "exercises/basics.yaml:8: lesson: no lesson 'integrals' (lessons are: chain-rule)",
    ]


def test_skills_must_match_the_shape_of_the_expression(tmp_path: Path) -> None:
    bank = BANK.replace("[inner_derivative, multiply_factors]", "[long_chains, mixed_rules]")
    assert problems_of(tmp_path, {"exercises/basics.yaml": bank}) == [
        "exercises/basics.yaml:7: skills: long_chains is for chains of 3 or more links, "
        "but 'sin(x^2)' has 2",
        "exercises/basics.yaml:7: skills: mixed_rules is for chains inside sums, products or "
        "quotients, but 'sin(x^2)' is a single chain",
    ]


def test_missing_lesson_and_missing_directory(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, {"lessons/chain-rule/lesson.yaml": None})
    assert problems == ["lessons: no lesson found (expected lessons/<slug>/lesson.yaml)"]
    [missing] = check_content(tmp_path / "nowhere")
    assert missing.message == "content directory not found"


def test_lesson_without_sections(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, {"lessons/chain-rule/01-composition.md": None,
                                      "lessons/chain-rule/02-example.md": None})
    assert problems == ["lessons/chain-rule: the lesson has no sections (*.md files)"]


def test_duplicate_section_slug(tmp_path: Path) -> None:
    text = EXAMPLE.replace("slug: example-power", "slug: composition")
    assert problems_of(tmp_path, {"lessons/chain-rule/02-example.md": text}) == [
        "lessons/chain-rule/02-example.md:2: duplicate section 'composition' "
        "(already used in lessons/chain-rule/01-composition.md)"]


def test_not_utf8(tmp_path: Path) -> None:
    root = write_content(tmp_path)
    (root / "exercises/basics.yaml").write_bytes(b"family: caf\xe9\n")
    [problem] = check_content(root)
    assert (problem.path, problem.line) == ("exercises/basics.yaml", None)
    assert problem.message.startswith("not UTF-8 text")


@pytest.mark.parametrize("markdown_text, expected", [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ("[click](javascript:alert(1))", '<a href="#">click</a>'),
    ("[ok](https://example.org/a)", '<a href="https://example.org/a">ok</a>'),
])
def test_render_escapes_html_and_unsafe_links(markdown_text: str, expected: str) -> None:
    html = render_section_html(markdown_text)
    assert expected in html
    assert "<script" not in html and "<img src=x" not in html


def test_render_turns_maths_into_mathml() -> None:
    html = render_section_html("Inline $u^2$, and display:\n\n$$\\frac{dy}{dx} = 6$$\n")
    assert html.count("<math ") == 2
    assert 'display="inline"' in html and 'display="block"' in html
    assert "<msup><mi>u</mi><mn>2</mn></msup>" in html
    assert "<mfrac>" in html and "$" not in html


def test_render_keeps_markdown_out_of_the_maths() -> None:
    # Markdown would read the underscores as emphasis if the maths were not held apart.
    html = render_section_html("$a_1 + b_1$ and *text*")
    assert "<em>text</em>" in html
    assert "<msub><mi>a</mi><mn>1</mn></msub>" in html and "<em>1" not in html


def test_render_leaves_code_and_escaped_dollars_alone() -> None:
    html = render_section_html("Costs \\$5; code `$x$` stays.")
    assert "Costs $5;" in html and "<code>$x$</code>" in html and "<math" not in html
