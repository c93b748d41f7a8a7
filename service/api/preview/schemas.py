"""Schemas of ``POST /api/v1/preview``."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from service.api.conversations.schemas import CompactSchema
from service.api.preview.reading import EXPRESSION, REQUEST, SENTENCE
from service.api.solve.schemas import VARIABLE_PATTERN
from service.tutor.engine import MAX_MESSAGE_LENGTH


class PreviewRequestSchema(ma.Schema):
    expression = ma.fields.String(
        required=True, validate=validate.Length(min=1, max=MAX_MESSAGE_LENGTH),
        metadata={"description": "The chat input as typed so far: maths, a tagged answer "
                                 "(du/dx = 2) or a request (hint)",
                  "example": "3(2x+1)^2 * 2"},
    )
    variable = ma.fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(VARIABLE_PATTERN),
        metadata={"description": "The problem's variable (default: x)", "example": "x"},
    )


class PreviewSchema(CompactSchema):
    OPTIONAL = ("text", "latex", "mathml", "tag", "intent")

    kind = ma.fields.String(
        required=True, validate=validate.OneOf((EXPRESSION, REQUEST, SENTENCE)),
        metadata={"description": "expression: maths (tagged or not); request: something the tutor "
                                 "understands (hint, next factor, ...); sentence: no maths to show"},
    )
    text = ma.fields.String(metadata={"description": "The reading in Unicode maths",
                                      "example": "6(2x + 1)²"})
    latex = ma.fields.String()
    mathml = ma.fields.String(metadata={"description": "The reading as presentation MathML"})
    tag = ma.fields.String(metadata={"description": "The Leibniz tag of an answer (du/dx, u, final)"})
    intent = ma.fields.String(metadata={"description": "For a request: hint, solution, next_factor, ..."})
