"""The pages learners see: the lesson beside the chat, worked solutions, the
embeddable chat and the widget script.

``/``
    the lesson (from ``content/``, maths as MathML) beside the chat widget;
    ``?expression=`` starts the chat on that problem.
``/solve?expr=...&variable=...``
    a worked solution: the chain drawn as SVG, each step as MathML; input
    the core cannot read is a 400 page with the parser's message.
``/embed``
    the chat alone as a whole page, for an ``<iframe>`` on any site.
``/widget.js``
    the ``<chain-tutor-chat>`` custom element.
``/favicon.ico``
    the site's icon (every page also links the SVG one).
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, render_template, request, send_from_directory

from service import calculus
from service.compute import is_heavy, run_budgeted, tasks
from service.api.solve.schemas import MAX_EXPRESSION_LENGTH, VARIABLE_PATTERN
from service.extensions import db
from service.web.lesson_html import first_lesson
from service.web.solution_view import SolutionView, solution_view

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/learn")

# The widget has no versioned URL (integrators paste one fixed address), so
# caches may keep it only briefly and must revalidate (ETag) after that.
WIDGET_MAX_AGE = 600
EXAMPLES = ("(2x+1)^3", "e^(-x^2)", "sin((3x)^2)", "sqrt(1-x^2)", "x·sin(x^2)")
_VARIABLE = re.compile(VARIABLE_PATTERN)


@bp.get("/")
def landing() -> str:
    """The lesson beside the chat, ready to learn."""
    return render_template("landing.html", lesson=first_lesson(db.session),
                           expression=_bounded(request.args.get("expression", "")))


@bp.get("/solve")
def solve() -> tuple[str, int]:
    """A worked solution of ``expr``; without one, the form and some examples."""
    expression = request.args.get("expr", "").strip()
    # ``var`` is what people guess for ``variable``; both mean the same.
    variable = (request.args.get("variable") or request.args.get("var") or "").strip() or None
    form = {"expr": expression, "variable": variable or "", "examples": EXAMPLES}
    if not expression:
        return render_template("solve.html", **form), 200
    try:
        solution = _solve(expression, variable)
    except calculus.ExpressionError as error:
        return render_template("solve.html", error=error.message, position=error.position, **form), 400
    return render_template("solve.html", solution=solution, **form), 200


@bp.get("/embed")
def embed() -> str:
    """The chat as a whole page for an ``<iframe>``; ``?expression=`` and ``?course=`` pass through.

    Any site may frame it (its policy: :data:`service.security.VIEW_POLICIES`).
    """
    return render_template("embed.html", expression=_bounded(request.args.get("expression", "")),
                           course=_bounded(request.args.get("course", ""), 32))


@bp.get("/widget.js")
def widget_js() -> Response:
    """The ``<chain-tutor-chat>`` custom element, for any site to load."""
    response = send_from_directory(bp.static_folder, "widget.js", max_age=WIDGET_MAX_AGE,
                                   mimetype="text/javascript")
    # Pages that isolate themselves (COEP) may still load it from our origin.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The icon browsers ask for by themselves; cached for a day."""
    return send_from_directory(bp.static_folder, "favicon.ico", max_age=86_400,
                               mimetype="image/vnd.microsoft.icon")


def _solve(expression: str, variable: str | None) -> SolutionView:
    """Check the query's bounds like the API does, then solve."""
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise calculus.ExpressionError(f"the expression is longer than {MAX_EXPRESSION_LENGTH} characters")
    if variable is not None and not _VARIABLE.match(variable):
        raise calculus.ExpressionError("the variable must be a name such as x, t or w")
    return solution_view(run_budgeted(tasks.solve, expression, variable, heavy=is_heavy(expression)))


def _bounded(text: str, limit: int = MAX_EXPRESSION_LENGTH) -> str:
    # An attribute value, escaped by the template; only its length needs a bound.
    return text.strip()[:limit]
