"""The chain of a solution drawn as SVG: x → v → u → y, like the lesson's gears.

Each variable is a gear (a circle with a toothed rim); each arrow between two
gears carries that link's local derivative, its "gear ratio", above it and
the link itself below it. Drawn on the server from ``Solution.to_dict()``'s
``links``, so the page needs no script to show it.

Two layouts: ``across`` (left to right, for wide screens) and ``down`` (top
to bottom, labels beside each arrow, for phones). The page carries both and
its stylesheet shows one by the width of the screen, so the text keeps its
size instead of the whole picture shrinking to fit a phone.

Every piece of text is XML-escaped: the link texts come from sympy's
printers, but the variable's name came from a query string.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

GEAR_RADIUS = 26
# Roughly the width of one character of the 15px labels, to space the gears
# so that the longest label of an arrow fits between them.
CHAR_WIDTH = 9.0
MIN_GAP = 120
MARGIN = 12
HEIGHT = 150
MID_Y = 75
# The "down" layout: gears in a column, each arrow's labels to its right.
DOWN_STEP = 118
DOWN_LABEL_X = 2 * GEAR_RADIUS + MARGIN + 14
ACROSS, DOWN = "across", "down"


@dataclass(frozen=True)
class Arrow:
    """One link of the chain as drawn: ``source → target``, with its two labels."""

    source: str
    target: str
    ratio: str  # "dv/dx = 3"
    link: str  # "v = 3x"


def arrows_of(links: Sequence[Mapping[str, Any]], variable: str) -> list[Arrow]:
    """The arrows of a chain, innermost first, from ``Solution.to_dict()["links"]``.

    >>> [a.ratio for a in arrows_of([{"name": "u", "input": "x", "expression": "2*x + 1",
    ...     "derivative": "2"}, {"name": "y", "input": "u", "expression": "u**3",
    ...     "derivative": "3*u**2", "derivative_text": "3u²"}], "x")]
    ['du/dx = 2', 'dy/du = 3u²']
    """
    arrows = []
    for link in links:
        name, source = str(link["name"]), str(link.get("input") or variable)
        leibniz = link.get("leibniz") or f"d{name}/d{source}"
        derivative = link.get("derivative_text") or link["derivative"]
        expression = link.get("expression_text") or link["expression"]
        arrows.append(Arrow(source=source, target=name, ratio=f"{leibniz} = {derivative}",
                            link=f"{name} = {expression}"))
    return arrows


def chain_svg(links: Sequence[Mapping[str, Any]], variable: str, ident: str = "chain",
              layout: str = ACROSS) -> str:
    """The chain as one ``<svg>`` element (markup), or ``""`` when there are no links.

    ``ident`` prefixes the element ids inside, so that one page can hold several chains;
    ``layout`` is :data:`ACROSS` (left to right) or :data:`DOWN` (top to bottom).

    >>> svg = chain_svg([{"name": "y", "input": "x", "expression": "sin(x)",
    ...                   "derivative": "cos(x)"}], "x")
    >>> svg.count('class="arrow"'), "dy/dx = cos(x)" in svg
    (1, True)
    """
    arrows = arrows_of(links, variable)
    if not arrows:
        return ""
    if layout == DOWN:
        return _chain_down(arrows, ident)
    gap = max(MIN_GAP, CHAR_WIDTH * max(max(len(a.ratio), len(a.link)) for a in arrows) + 16)
    step = gap + 2 * GEAR_RADIUS
    centres = [MARGIN + GEAR_RADIUS + i * step for i in range(len(arrows) + 1)]
    width = round(centres[-1] + GEAR_RADIUS + MARGIN)
    names = [arrows[0].source] + [a.target for a in arrows]
    parts = _opening(arrows, ident, ACROSS, width, HEIGHT)
    parts += [_gear(x, MID_Y, name) for x, name in zip(centres, names)]
    parts += [_arrow(arrow, start, end, ident) for arrow, start, end in zip(arrows, centres, centres[1:])]
    parts.append("</svg>")
    return "".join(parts)


def _chain_down(arrows: list[Arrow], ident: str) -> str:
    """The chain top to bottom: innermost variable at the top, each arrow's labels beside it."""
    names = [arrows[0].source] + [a.target for a in arrows]
    x = MARGIN + GEAR_RADIUS
    centres = [MARGIN + GEAR_RADIUS + i * DOWN_STEP for i in range(len(names))]
    longest = max(max(len(a.ratio), len(a.link)) for a in arrows)
    width = round(DOWN_LABEL_X + CHAR_WIDTH * longest + MARGIN)
    height = round(centres[-1] + GEAR_RADIUS + MARGIN)
    parts = _opening(arrows, ident, DOWN, width, height)
    parts += [_gear(x, y, name) for y, name in zip(centres, names)]
    for arrow, start, end in zip(arrows, centres, centres[1:]):
        top, bottom = start + GEAR_RADIUS + 6, end - GEAR_RADIUS - 6
        middle = (top + bottom) / 2
        parts.append(
            f'<g class="link" data-ratio={quoteattr(arrow.ratio)}>'
            f'<path class="arrow" d="M{x:.1f} {top:.1f}V{bottom:.1f}" stroke="currentColor" '
            f'stroke-width="2" marker-end="url(#{ident}-head)"/>'
            f'<text x="{DOWN_LABEL_X}" y="{middle - 6:.1f}" class="ratio">{escape(arrow.ratio)}</text>'
            f'<text x="{DOWN_LABEL_X}" y="{middle + 16:.1f}" class="link-text">{escape(arrow.link)}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _opening(arrows: list[Arrow], ident: str, layout: str, width: int, height: int) -> list[str]:
    """The ``<svg>`` start tag, its title and description, and the arrow head."""
    names = [arrows[0].source] + [a.target for a in arrows]
    description = "; ".join(f"{a.source} to {a.target}: {a.ratio}, where {a.link}" for a in arrows)
    return [
        (f'<svg class="chain chain-{layout}" xmlns="http://www.w3.org/2000/svg" '
         f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
         f'aria-labelledby="{ident}-title {ident}-desc">'),
        f'<title id="{ident}-title">The chain {escape(" → ".join(names))}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        _arrow_head(ident),
    ]


def _arrow_head(ident: str) -> str:
    return (
        f'<defs><marker id="{ident}-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="currentColor"/>'
        "</marker></defs>"
    )


def _gear(x: float, y: float, name: str) -> str:
    # The dashed thick rim reads as teeth: the lesson's gears, without a gear library.
    return (
        f'<g class="gear" data-name={quoteattr(name)}>'
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{GEAR_RADIUS}" class="rim" fill="none" '
        f'stroke="currentColor" stroke-width="7" stroke-dasharray="6 5"/>'
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{GEAR_RADIUS - 5}" class="hub" fill="#fff"/>'
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" dominant-baseline="central" '
        f'class="gear-name">{escape(name)}</text></g>'
    )


def _arrow(arrow: Arrow, start: float, end: float, ident: str) -> str:
    left, right = start + GEAR_RADIUS + 6, end - GEAR_RADIUS - 6
    middle = (left + right) / 2
    return (
        f'<g class="link" data-ratio={quoteattr(arrow.ratio)}>'
        f'<path class="arrow" d="M{left:.1f} {MID_Y}H{right:.1f}" stroke="currentColor" '
        f'stroke-width="2" marker-end="url(#{ident}-head)"/>'
        f'<text x="{middle:.1f}" y="{MID_Y - 14}" text-anchor="middle" class="ratio">{escape(arrow.ratio)}</text>'
        f'<text x="{middle:.1f}" y="{MID_Y + 24}" text-anchor="middle" class="link-text">{escape(arrow.link)}</text>'
        "</g>"
    )
