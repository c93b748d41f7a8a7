"""Schemas of ``POST /api/v1/check``."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from service.api.solve.schemas import MAX_EXPRESSION_LENGTH, VARIABLE_PATTERN
from service.calculus import MISCONCEPTIONS


class CheckRequestSchema(ma.Schema):
    problem = ma.fields.String(
        required=True, validate=validate.Length(min=1, max=MAX_EXPRESSION_LENGTH),
        metadata={"description": "The expression to differentiate", "example": "(2x+1)^3"},
    )
    answer = ma.fields.String(
        required=True, validate=validate.Length(min=1, max=MAX_EXPRESSION_LENGTH),
        metadata={"description": "The learner's derivative", "example": "3(2x+1)^2"},
    )
    variable = ma.fields.String(load_default="x", validate=validate.Regexp(VARIABLE_PATTERN),
                                metadata={"example": "x"})


class VerdictSchema(ma.Schema):
    correct = ma.fields.Boolean(required=True)
    misconception = ma.fields.String(
        allow_none=True, validate=validate.OneOf(sorted(MISCONCEPTIONS)),
        metadata={"description": "The misconception the wrong answer shows, if one was recognised"},
    )
    feedback = ma.fields.String(required=True,
                                metadata={"description": "One or two sentences for the learner"})
