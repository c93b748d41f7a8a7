"""Checking the content's maths: with the calculus core, and for rendering.

Structure is checked in ``catalog.py``; here every exercise and every worked
example goes through :func:`service.calculus.solve`, the derivative a worked
example states is compared with the core's (by
:func:`service.calculus.check_answer`, so any equivalent form passes), the
skills an exercise claims are compared with the shape the core finds, and
every ``$...$`` of every section must render as MathML.
"""

from __future__ import annotations

from typing import Any

from service import calculus
from service.content.catalog import Catalog, ExerciseEntry, SectionEntry
from service.content.problems import ContentProblem
from service.content.render import MathError, math_spans, render_math

LONG_CHAIN_LINKS = 3


def verify_catalog(catalog: Catalog) -> list[ContentProblem]:
    """Every problem the core and the maths renderer find in ``catalog``."""
    problems: list[ContentProblem] = []
    for exercise in catalog.exercises:
        problems += verify_exercise(exercise)
    for section in catalog.sections:
        problems += verify_section(section)
    return problems


def _solve(expression: str, variable: str,
           where: ContentProblem) -> dict[str, Any] | ContentProblem:
    """The core's solution as a dict, or a problem at ``where`` saying why not."""
    try:
        return calculus.solve(expression, variable=variable).to_dict()
    except calculus.ExpressionError as err:
        return ContentProblem(where.path, where.line, f"{where.message}: {err}")
    except Exception as err:  # a bug in the core must not hide the other problems
        return ContentProblem(where.path, where.line,
                              f"{where.message}: the calculus core failed on {expression!r} "
                              f"({type(err).__name__}: {err})")


def verify_exercise(exercise: ExerciseEntry) -> list[ContentProblem]:
    """Problems with one exercise: unsolvable, constant, or tagged with a
    skill its shape does not exercise."""
    where = ContentProblem(exercise.source_path, exercise.lines.get("expression"), "expression")
    solution = _solve(exercise.expression, exercise.variable, where)
    if isinstance(solution, ContentProblem):
        return [solution]
    problems = []
    if solution["derivative"] == "0":
        problems.append(ContentProblem(
            where.path, where.line,
            f"expression: {exercise.expression!r} does not depend on {exercise.variable}, "
            "so there is nothing to differentiate"))
    problems += _skill_problems(exercise, solution)
    return problems


def _skill_problems(exercise: ExerciseEntry, solution: dict[str, Any]) -> list[ContentProblem]:
    line = exercise.lines.get("slug")
    links = len(solution.get("links") or ())
    problems = []
    if "long_chains" in exercise.skills and solution["pure_chain"] and links < LONG_CHAIN_LINKS:
        problems.append(ContentProblem(
            exercise.source_path, line,
            f"skills: long_chains is for chains of {LONG_CHAIN_LINKS} or more links, but "
            f"{exercise.expression!r} has {links}"))
    if "mixed_rules" in exercise.skills and solution["pure_chain"]:
        problems.append(ContentProblem(
            exercise.source_path, line,
            f"skills: mixed_rules is for chains inside sums, products or quotients, but "
            f"{exercise.expression!r} is a single chain"))
    return problems


def verify_section(section: SectionEntry) -> list[ContentProblem]:
    """Problems with one section: its maths, and for a worked example, that
    the core solves it and agrees with the derivative it states."""
    problems = _math_problems(section)
    if section.kind == "example":
        problems += _worked_example_problems(section)
    return problems


def _math_problems(section: SectionEntry) -> list[ContentProblem]:
    problems = []
    for span in math_spans(section.body):
        try:
            render_math(span)
        except MathError as err:
            line = section.lines["body"] + section.body.count("\n", 0, span.offset)
            problems.append(ContentProblem(section.source_path, line, str(err)))
    return problems


def _worked_example_problems(section: SectionEntry) -> list[ContentProblem]:
    expression, variable = section.meta["expression"], section.meta["variable"]
    stated = section.meta["derivative"]
    where = ContentProblem(section.source_path, section.lines.get("expression"), "expression")
    solution = _solve(expression, variable, where)
    if isinstance(solution, ContentProblem):
        return [solution]
    line = section.lines.get("derivative")
    try:
        verdict = calculus.check_answer(problem=expression, answer=stated, variable=variable)
    except calculus.ExpressionError as err:
        return [ContentProblem(section.source_path, line, f"derivative: {err}")]
    if verdict.correct:
        return []
    return [ContentProblem(
        section.source_path, line,
        f"derivative: {stated!r} is not the derivative of {expression!r} by {variable}; "
        f"the calculus core finds {solution['derivative']}")]
