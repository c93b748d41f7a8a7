"""``chain-tutor solve``: a worked solution in the terminal.

Works on the calculus core alone: no Flask application is built, no database
is opened. The maths is printed by the core's own printers (the Solution's
text and LaTeX fields); this module only lays those out.
"""

from __future__ import annotations

import json
import re
from typing import Any

import click

# A step that states a local derivative: "dy/du = 3u² = 3(2x + 1)² (power rule)."
_LEIBNIZ_STEP = re.compile(r"^(?P<name>d\S+/d\S+) = (?P<rest>.*)$")
# How much of a long expression to echo around an error, so that a megabyte of
# pasted text does not flood the terminal.
_ERROR_WINDOW = 60
# Maths wider than this does not set the column where the rules start.
_RULE_COLUMN_LIMIT = 40


@click.command("solve")
@click.argument("expression")
@click.option("--variable", "-v", default="x", show_default=True,
              help="The variable to differentiate by; other symbols are held constant.")
@click.option("--format", "output_format", type=click.Choice(["text", "latex", "json"]),
              default="text", show_default=True, help="How to print the solution.")
@click.pass_context
def solve_command(ctx: click.Context, expression: str, variable: str, output_format: str) -> None:
    """Print the worked chain-rule solution of EXPRESSION.

    \b
    Examples:
      chain-tutor solve "sin((3x)^2)"
      chain-tutor solve "(σ(wx) − y)^2" --variable w
      chain-tutor solve "(2x+1)^3" --format latex
    """
    # Imported here so that ``chain-tutor --help`` stays quick: sympy is slow to import.
    from service.calculus import ExpressionError, solve

    try:
        solution = solve(expression, variable=variable).to_dict()
    except ExpressionError as error:
        click.echo(format_error(expression, error.message, error.position), err=True)
        ctx.exit(2)
    if output_format == "json":
        click.echo(json.dumps(solution, indent=2, ensure_ascii=False))
    elif output_format == "latex":
        click.echo(format_latex(solution))
    else:
        click.echo(format_text(solution))


def format_error(expression: str, message: str, position: int | None) -> str:
    """The error as a learner reads it: the message, then the text with a caret.

    >>> print(format_error("sin(x", "unbalanced parenthesis after 'sin('", 3))
    error: unbalanced parenthesis after 'sin('
      sin(x
         ^
    """
    lines = [f"error: {message}"]
    # A position beyond the text belongs to something else (the variable, say).
    if position is not None and 0 <= position <= len(expression):
        start = max(0, position - _ERROR_WINDOW // 2)
        shown = expression[start:start + _ERROR_WINDOW]
        lines += [f"  {shown}", "  " + " " * (position - start) + "^"]
    return "\n".join(lines)


def format_text(solution: dict[str, Any]) -> str:
    """The solution laid out for a terminal: header, chain, aligned steps, result, gears."""
    variable = solution["variable"]
    sections = [f"d/d{variable} {solution['expression_text']}"]
    if solution.get("pure_chain") and solution.get("links"):
        sections.append("Chain:  " + chain_line(solution["links"], variable))
    # The gear view gets its own section below rather than a line among the steps.
    texts = [step["text"] for step in solution["steps"] if step.get("kind") != "gears"]
    sections.append("Steps:\n" + "\n".join(f"  {line}" for line in align_steps(texts)))
    sections.append(f"Result:  {_result_name(solution)} = {solution['derivative_text']}")
    gears = solution.get("gears")
    if gears and gears.get("text"):
        sections.append(f"Gears:  {gears['text']}")
    return "\n\n".join(sections)


def _result_name(solution: dict[str, Any]) -> str:
    # The core names the result in Leibniz style (dy/dx, dL/dw); fall back to d/dx of it.
    return str(solution.get("leibniz") or f"d/d{solution['variable']} {solution['expression_text']}")


def chain_line(links: list[dict[str, Any]], variable: str) -> str:
    """The chain innermost first, as the lesson draws it.

    >>> chain_line([{"name": "u", "text": "2x + 1"}, {"name": "y", "text": "u³"}], "x")
    'x → u = 2x + 1 → y = u³'
    """
    return " → ".join([variable] + [f"{link['name']} = {_link_text(link)}" for link in links])


def _link_text(link: dict[str, Any]) -> str:
    # The core prints each link in Unicode under "text"; the sympy string is the fallback.
    return str(link.get("text") or link.get("expression_text") or link["expression"])


def align_steps(texts: list[str]) -> list[str]:
    """Put the Leibniz names of derivative steps in one column, the rules in another.

    >>> for line in align_steps(["dy/du = 3u² (power rule).", "du/dx = 2 (linear function)."]):
    ...     print(line)
    dy/du = 3u²   (power rule)
    du/dx = 2     (linear function)
    """
    rows = [_split_step(text) for text in texts]
    names = [name for name, _, _ in rows if name is not None]
    # A very long body (the final product) would push the rule column off the
    # screen for every row; such rows keep their rule just after the maths.
    bodies = [body for name, body, rule in rows
              if name is not None and rule and len(body) <= _RULE_COLUMN_LIMIT]
    name_width = max(map(len, names), default=0)
    body_width = max(map(len, bodies), default=0)
    lines = []
    for name, body, rule in rows:
        if name is None:
            lines.append(body)
            continue
        line = f"{name.ljust(name_width)} = {body}"
        if rule:
            line = f"{name.ljust(name_width)} = {body.ljust(body_width)}   ({rule})"
        lines.append(line)
    return lines


def _split_step(text: str) -> tuple[str | None, str, str | None]:
    """``(leibniz name, the rest, the rule)``; the name is None for prose steps."""
    match = _LEIBNIZ_STEP.match(text.strip())
    if match is None:
        return None, text, None
    body, rule = _trailing_parenthesis(match["rest"].rstrip().removesuffix("."))
    return match["name"], body, rule


def _trailing_parenthesis(text: str) -> tuple[str, str | None]:
    """Split ``"3u² (power rule (a root is a power))"`` into the maths and the rule.

    Only a parenthesis that follows a space and holds letters counts as a rule,
    so that ``3(2x + 1)`` keeps its own brackets.
    """
    if not text.endswith(")"):
        return text, None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[index], 0)
        if depth == 0:
            inside = text[index + 1:-1]
            is_rule = index > 0 and text[index - 1] == " " and re.search(r"[a-z]{3}", inside)
            return (text[:index].rstrip(), inside) if is_rule else (text, None)
    return text, None


def format_latex(solution: dict[str, Any]) -> str:
    r"""The steps as one LaTeX ``align*`` environment, aligned at the first ``=``.

    >>> print(format_latex({"steps": [{"latex": r"\frac{dy}{du} = 3 u^{2}"}]}))
    \begin{align*}
    \frac{dy}{du} &= 3 u^{2}
    \end{align*}
    """
    rows = [_align_at_equals(step["latex"]) for step in solution["steps"]]
    return "\n".join([r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"])


def _align_at_equals(latex: str) -> str:
    # Only an "=" outside braces aligns: "\text{Let } u = ..." aligns at u's "=",
    # not at one inside a \text{...} group.
    depth = 0
    for index, char in enumerate(latex):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "=" and depth == 0:
            return f"{latex[:index].rstrip()} &= {latex[index + 1:].lstrip()}"
    return f"&{latex}"
