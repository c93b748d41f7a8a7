"""Schemas of the lessons resource.

A section's Markdown is rendered to HTML (maths as MathML) here, at the
edge, so the stored content stays the teacher's text.
"""

from __future__ import annotations

import marshmallow as ma

from service.content.render import render_section_html
from service.usecases.content import SectionView


class LessonSummarySchema(ma.Schema):
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    position = ma.fields.Integer(required=True)


class SectionSchema(ma.Schema):
    slug = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "concept, example, summary, ..."})
    position = ma.fields.Integer(required=True)
    markdown = ma.fields.String(attribute="body", required=True,
                                metadata={"description": "The section as authored, with $…$ maths"})
    html = ma.fields.Method("render_html", required=True,
                            metadata={"description": "The section as HTML, maths as MathML"})
    meta = ma.fields.Dict(
        required=True,
        metadata={"description": "For a worked example: its expression, variable and derivative"},
    )

    def render_html(self, section: SectionView) -> str:
        return render_section_html(section.body)


class LessonSchema(LessonSummarySchema):
    sections = ma.fields.List(ma.fields.Nested(SectionSchema), required=True)
