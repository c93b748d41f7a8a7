"""Section Markdown to HTML, with the maths as presentation MathML.

Maths is written in LaTeX between ``$...$`` (inline) and ``$$...$$``
(display). Markdown would mangle it (``_`` and ``*`` mean emphasis), so the
maths spans are cut out first, replaced by opaque placeholders, the rest is
converted by Python-Markdown, and the MathML is put back in. ``\\$`` is a
literal dollar; dollars inside code spans and fenced code are left alone.

Raw HTML in the Markdown is escaped, not passed through, and links or
images may only point to http(s), mailto or relative addresses: the text is
written by teachers, but the page is read by every learner.
"""

from __future__ import annotations

import re
import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import markdown
from latex2mathml.converter import convert as latex_to_mathml
from markdown.treeprocessors import Treeprocessor

_SPANS = re.compile(
    r"(?P<code>```.*?```|`[^`\n]*`)"      # code: leave as typed
    r"|(?P<dollar>\\\$)"                  # an escaped, literal dollar
    r"|\$\$(?P<display>.+?)\$\$"          # display maths
    r"|\$(?P<inline>[^$\n]+?)\$",         # inline maths, on one line
    re.DOTALL,
)
_SAFE_SCHEMES = frozenset({"", "http", "https", "mailto"})
_MARKDOWN_EXTENSIONS = ("tables", "sane_lists", "fenced_code")


class MathError(ValueError):
    """A maths span could not be turned into MathML.

    ``offset`` is the index of the span's opening ``$`` in the Markdown.
    """

    def __init__(self, latex: str, offset: int, reason: str) -> None:
        self.latex = latex
        self.offset = offset
        super().__init__(f"cannot render the maths ${latex}$: {reason}")


@dataclass(frozen=True)
class MathSpan:
    """One piece of maths in the Markdown text."""

    latex: str
    display: bool
    offset: int


def math_spans(markdown_text: str) -> list[MathSpan]:
    """The maths spans of ``markdown_text``, in order.

    >>> [(s.latex, s.display) for s in math_spans("Let $u = 2x$, then $$y = u^2$$ `$x$`")]
    [('u = 2x', False), ('y = u^2', True)]
    """
    spans = []
    for match in _SPANS.finditer(markdown_text):
        if match["display"] is not None:
            spans.append(MathSpan(match["display"].strip(), True, match.start()))
        elif match["inline"] is not None:
            spans.append(MathSpan(match["inline"].strip(), False, match.start()))
    return spans


def render_math(span: MathSpan) -> str:
    """One maths span as a ``<math>`` element.

    >>> render_math(MathSpan("x^2", False, 0)).startswith('<math xmlns=')
    True
    """
    try:
        mathml = latex_to_mathml(span.latex, display="block" if span.display else "inline")
    except Exception as err:  # latex2mathml raises many unrelated types for bad LaTeX
        raise MathError(span.latex, span.offset, _reason(err)) from err
    _check_well_formed(mathml, span)
    return mathml


def _reason(err: Exception) -> str:
    """latex2mathml's exception, in words: ``MissingSuperScriptOrSubscriptError``
    becomes ``missing super script or subscript``."""
    name = re.sub(r"(Error|Exception)$", "", type(err).__name__)
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
    detail = str(err).strip()
    return f"{words} ({detail})" if detail else words


def _check_well_formed(mathml: str, span: MathSpan) -> None:
    # The MathML goes into the page unescaped, so it must be one XML element.
    try:
        tree = ET.fromstring(mathml)
    except ET.ParseError as err:
        raise MathError(span.latex, span.offset, f"the MathML is not well formed ({err})") from err
    # latex2mathml prints a command it does not know as text ("\\foo").
    for element in tree.iter():
        if element.text and element.text.startswith("\\"):
            raise MathError(span.latex, span.offset, f"unknown LaTeX command {element.text}")


# Sections change only when content is loaded, and the lesson page and the
# lessons API render the same few bodies on every request: render each once.
@lru_cache(maxsize=256)
def render_section_html(markdown_text: str) -> str:
    """A section's Markdown as HTML, its maths as MathML.

    Raises :class:`MathError` for maths that LaTeX-to-MathML cannot read.

    >>> html = render_section_html("The *outer* function is $f(u) = u^2$.")
    >>> html.startswith("<p>The <em>outer</em> function is <math")
    True
    >>> render_section_html("<script>alert(1)</script>")
    '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'
    """
    nonce = secrets.token_hex(8)
    pieces: list[str] = []

    def hold(match: re.Match[str]) -> str:
        if match["code"] is not None:
            return match["code"]
        if match["dollar"] is not None:
            pieces.append("$")
        else:
            display = match["display"] is not None
            latex = (match["display"] if display else match["inline"]).strip()
            pieces.append(render_math(MathSpan(latex, display, match.start())))
        return f"ctmath{nonce}n{len(pieces) - 1}z"

    held = _SPANS.sub(hold, markdown_text)
    html = _markdown().convert(held)
    return re.sub(f"ctmath{nonce}n(\\d+)z", lambda m: pieces[int(m.group(1))], html)


def _markdown() -> markdown.Markdown:
    # A fresh converter per call: Markdown objects keep state between calls
    # and are not safe to share between threads.
    converter = markdown.Markdown(extensions=list(_MARKDOWN_EXTENSIONS), output_format="html")
    # Raw HTML blocks and inline tags become escaped text instead of markup.
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    converter.treeprocessors.register(_SafeLinks(converter), "safe_links", 0)
    return converter


class _SafeLinks(Treeprocessor):
    """Drops link and image addresses that could run script (``javascript:``)."""

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                address = element.get(attribute)
                if address is not None and not _is_safe_address(address):
                    element.set(attribute, "#")


def _is_safe_address(address: str) -> bool:
    """Whether a link may point at ``address``.

    >>> _is_safe_address("https://example.org"), _is_safe_address("JavaScript:alert(1)")
    (True, False)
    """
    # Browsers ignore control characters and spaces inside a scheme ("java\\tscript:").
    cleaned = "".join(ch for ch in address if ch.isprintable() and not ch.isspace())
    try:
        return urlsplit(cleaned).scheme.lower() in _SAFE_SCHEMES
    except ValueError:
        return False
