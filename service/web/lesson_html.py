"""The lesson as the landing page shows it: each section's Markdown as HTML with MathML.

Rendering the maths (LaTeX to MathML) costs a few milliseconds per section,
and a section's text only changes when content is reloaded, so each body's
HTML is kept, keyed by the text itself: a reloaded section is rendered anew.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from service.content.render import MathError, render_section_html
from service.usecases.content import LessonView, get_lesson, list_lessons

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SectionHtml:
    """One section of the lesson, ready for a template (``html`` is safe markup)."""

    slug: str
    title: str
    kind: str
    html: Markup


@dataclass(frozen=True)
class LessonHtml:
    """The lesson's title and summary, and its sections in order."""

    title: str
    summary: str
    sections: list[SectionHtml]


def first_lesson(session: Session) -> LessonHtml | None:
    """The first lesson of the course, rendered; None when no content is loaded."""
    lessons = list_lessons(session)
    if not lessons:
        return None
    return lesson_html(get_lesson(session, lessons[0].slug))


def lesson_html(lesson: LessonView) -> LessonHtml:
    """A lesson with every section rendered to HTML."""
    sections = [SectionHtml(slug=s.slug, title=s.title, kind=s.kind, html=section_html(s.body))
                for s in lesson.sections]
    return LessonHtml(title=lesson.title, summary=lesson.summary, sections=sections)


def _focusable_scrollers(html: str) -> str:
    """Code blocks and tables scroll sideways on a phone: keyboard users must reach them too (tabindex).

    >>> _focusable_scrollers("<pre><code>x</code></pre><table><tr></tr></table>")
    '<pre tabindex="0"><code>x</code></pre><table tabindex="0"><tr></tr></table>'
    """
    return html.replace("<pre>", '<pre tabindex="0">').replace("<table>", '<table tabindex="0">')


def section_html(body: str) -> Markup:
    """A section body as HTML; maths the converter cannot read shows as plain text.

    >>> str(section_html("Let $u = 2x$."))[:20]
    '<p>Let <math xmlns="'
    """
    try:
        return Markup(_focusable_scrollers(render_section_html(body)))
    except MathError as error:
        # Content is checked when it is loaded, so this is a bug in the content
        # or the converter: show the learner the words rather than a 500.
        log.warning("cannot render a lesson section: %s", error)
        return Markup("<p>") + escape(body) + Markup("</p>")
