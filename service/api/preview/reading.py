"""What the chat input is read as, before it is sent: the live preview.

The widget shows "I read this as …" while the learner types. The text goes
through the same reading the tutor uses (:func:`service.tutor.reading.read`),
so the preview never promises a reading the tutor would not make. Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from service import calculus
from service.calculus.printing import to_text
from service.calculus.typeset import typed_latex
from service.content.render import MathError, MathSpan, render_math
from service.tutor.answers import FINAL_TAG, answer_of
from service.tutor.intents import Intent
from service.tutor.reading import read

# kind of a preview: maths (with an optional tag), a request the tutor
# understands ("hint"), or a sentence that has no maths to show.
EXPRESSION, REQUEST, SENTENCE = "expression", "request", "sentence"

_LEIBNIZ_TAG = re.compile(r"^d(?P<top>\w)/d(?P<bottom>\w)$")
_MATH_OPEN = re.compile(r"^<math\b[^>]*>")


@dataclass(frozen=True)
class Preview:
    """How one piece of chat input reads.

    ``text``, ``latex`` and ``mathml`` are None for a sentence; for a request
    ``text`` names it (and, for "differentiate …", the maths is the problem).
    """

    kind: str
    text: str | None = None
    latex: str | None = None
    mathml: str | None = None
    tag: str | None = None
    intent: str | None = None


def preview_input(text: str, variable: str | None = None) -> Preview:
    """Read chat input the way the tutor will.

    Raises :class:`~service.calculus.ExpressionError` for maths that cannot
    be read, with the parser's message.

    >>> preview_input("du/dx = 2").text
    'du/dx = 2'
    >>> preview_input("can I have a hint?").intent
    'hint'
    >>> preview_input("what is this").kind
    'sentence'
    """
    match = read(text)
    if match.intent is Intent.DIFFERENTIATE and match.expression is not None:
        wanted = match.variable or variable
        expression = calculus.parse_expression(match.expression, variable=wanted)
        latex = typed_latex(match.expression, wanted)
        return Preview(kind=REQUEST, intent=match.intent.value, text=f"differentiate {to_text(expression)}",
                       latex=latex, mathml=latex_to_mathml(latex))
    if match.intent is Intent.NONE:
        return Preview(kind=SENTENCE)
    if match.intent is not Intent.ANSWER:
        return Preview(kind=REQUEST, intent=match.intent.value, text=match.intent.value.replace("_", " "))
    answer = answer_of(match)
    expression = calculus.parse_expression(answer.body, variable=variable)
    # The echo keeps the learner's own order (typed_latex), not sympy's.
    body_text, body_latex = to_text(expression), typed_latex(answer.body, variable)
    if answer.tag is None:
        return Preview(kind=EXPRESSION, text=body_text, latex=body_latex, mathml=latex_to_mathml(body_latex))
    return Preview(
        kind=EXPRESSION, tag=answer.tag,
        text=f"{tag_text(answer.tag)} = {body_text}",
        latex=f"{tag_latex(answer.tag)} = {body_latex}",
        mathml=prefix_mathml(latex_to_mathml(body_latex), tag_mathml(answer.tag)),
    )


def latex_to_mathml(latex: str) -> str:
    """Inline MathML of LaTeX the core wrote; a bad conversion is a server bug, said plainly."""
    try:
        return render_math(MathSpan(latex, display=False, offset=0))
    except MathError as error:  # pragma: no cover - typed_latex writes only what converts
        raise ValueError(f"cannot typeset {latex!r}") from error


def tag_text(tag: str) -> str:
    """A tag as the learner reads it: ``"final"`` is dy/dx written y′.

    >>> tag_text("du/dx"), tag_text("final"), tag_text("inner")
    ('du/dx', "y'", 'inner function')
    """
    if tag == FINAL_TAG:
        return "y'"
    if tag in ("inner", "outer"):
        return f"{tag} function"
    return tag


def tag_latex(tag: str) -> str:
    r"""A tag in LaTeX.

    >>> tag_latex("du/dx")
    '\\frac{du}{dx}'
    """
    leibniz = _LEIBNIZ_TAG.match(tag)
    if leibniz is not None:
        return rf"\frac{{d{leibniz['top']}}}{{d{leibniz['bottom']}}}"
    if tag == FINAL_TAG:
        return "y'"
    return rf"\text{{{tag_text(tag)}}}" if tag in ("inner", "outer") else tag


def tag_mathml(tag: str) -> str:
    """A tag as MathML content (no ``<math>`` wrapper), escaped.

    >>> tag_mathml("u")
    '<mi>u</mi>'
    """
    leibniz = _LEIBNIZ_TAG.match(tag)
    if leibniz is not None:
        top, bottom = escape(leibniz["top"]), escape(leibniz["bottom"])
        return f"<mfrac><mrow><mi>d</mi><mi>{top}</mi></mrow><mrow><mi>d</mi><mi>{bottom}</mi></mrow></mfrac>"
    if tag == FINAL_TAG:
        return "<msup><mi>y</mi><mo>′</mo></msup>"
    if tag in ("inner", "outer"):
        return f"<mtext>{escape(tag_text(tag))}</mtext>"
    return f"<mi>{escape(tag)}</mi>"


def prefix_mathml(mathml: str, prefix: str) -> str:
    """Put ``prefix =`` in front of the maths inside a ``<math>`` element.

    >>> prefix_mathml('<math xmlns="m"><mn>2</mn></math>', "<mi>u</mi>")
    '<math xmlns="m"><mrow><mi>u</mi><mo>=</mo><mn>2</mn></mrow></math>'
    """
    opening = _MATH_OPEN.match(mathml)
    if opening is None or not mathml.endswith("</math>"):
        raise ValueError("not a <math> element")
    inner = mathml[opening.end():-len("</math>")]
    return f"{opening.group(0)}<mrow>{prefix}<mo>=</mo>{inner}</mrow></math>"
