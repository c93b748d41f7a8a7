"""Schemas of ``POST /api/v1/solve``: the request, and ``Solution.to_dict()``.

The response schema documents every key the contract fixes and lets any
further key of ``Solution.to_dict()`` through unchanged, so the API answers
exactly what the core gives (the contract's words) while the OpenAPI
document still describes its shape.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

# Longer than any expression a learner types; the core bounds its own work too.
MAX_EXPRESSION_LENGTH = 1000
VARIABLE_PATTERN = r"^[A-Za-z]\w{0,15}$"


class PassThroughSchema(ma.Schema):
    """On dump, keeps the keys of a mapping that the schema does not declare."""

    class Meta:
        # Documents ``additionalProperties: true``: the core may add keys.
        unknown = ma.INCLUDE

    @ma.post_dump(pass_original=True)
    def keep_undeclared(self, data: dict[str, Any], original: Any, **kwargs: Any) -> dict[str, Any]:
        if not isinstance(original, dict):
            return data
        return {**original, **data}


class SolveRequestSchema(ma.Schema):
    expression = ma.fields.String(
        required=True, validate=validate.Length(min=1, max=MAX_EXPRESSION_LENGTH),
        metadata={"description": "As a learner types it: (2x+1)^3, sin((3x)^2), σ(wx)",
                  "example": "sin((3x)^2)"},
    )
    variable = ma.fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(VARIABLE_PATTERN),
        metadata={"description": "The variable to differentiate by; by default the "
                                 "expression's only symbol, else x", "example": "x"},
    )


class LinkSchema(PassThroughSchema):
    name = ma.fields.String(required=True, metadata={"example": "u"})
    input = ma.fields.String(required=True, metadata={"example": "v"})
    expression = ma.fields.String(required=True, metadata={"description": "The link in its input",
                                                           "example": "v**2"})
    derivative = ma.fields.String(required=True, metadata={"description": "Its local derivative",
                                                           "example": "2*v"})
    rule = ma.fields.String(metadata={"description": "The rule giving the local derivative"})
    leibniz = ma.fields.String(metadata={"example": "du/dv"})


class StepSchema(PassThroughSchema):
    text = ma.fields.String(required=True)
    latex = ma.fields.String(required=True)
    kind = ma.fields.String(metadata={"description": "decompose, derivative, multiply, ..."})


class GearFactorSchema(ma.Schema):
    leibniz = ma.fields.String(required=True, metadata={"example": "du/dx"})
    value = ma.fields.String(required=True, metadata={"example": "2"})


class GearsSchema(PassThroughSchema):
    point = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(),
                           metadata={"description": "Where the local derivatives are evaluated"})
    factors = ma.fields.List(ma.fields.Nested(GearFactorSchema))
    product = ma.fields.String()
    text = ma.fields.String()


class SolutionSchema(PassThroughSchema):
    variable = ma.fields.String(required=True)
    expression = ma.fields.String(required=True, metadata={"description": "As parsed (sympy)"})
    derivative = ma.fields.String(
        required=True,
        metadata={"description": "Simplified; sympy's parse_expr reads it back (sigmoid allowed)"},
    )
    latex = ma.fields.String(required=True, metadata={"description": "The derivative as LaTeX"})
    mathml = ma.fields.String(required=True,
                              metadata={"description": "The derivative as presentation MathML"})
    pure_chain = ma.fields.Boolean(required=True, metadata={"description": "One chain of compositions"})
    links = ma.fields.List(
        ma.fields.Nested(LinkSchema), required=True,
        metadata={"description": "For a pure chain: its functions, innermost first"},
    )
    steps = ma.fields.List(ma.fields.Nested(StepSchema), required=True,
                           metadata={"description": "The worked solution, in order"})
    expression_text = ma.fields.String(metadata={"description": "The expression in Unicode maths"})
    derivative_text = ma.fields.String(metadata={"description": "The derivative in Unicode maths",
                                                 "example": "6(2x + 1)²"})
    gears = ma.fields.Nested(
        GearsSchema, allow_none=True,
        metadata={"description": "The gear view: each local derivative at a point, multiplied"},
    )
    parts = ma.fields.Dict(
        allow_none=True,
        metadata={"description": "For a mixed expression: the sum, product or quotient rule "
                                 "and the chains inside it, as a tree"},
    )
