"""Schemas of the exercises resource."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from service.tutor.skills import SKILL_NAMES

MAX_PER_PAGE = 100


class ExerciseQuerySchema(ma.Schema):
    skill = ma.fields.String(validate=validate.OneOf(SKILL_NAMES),
                             metadata={"description": "Only exercises tagged with this skill"})
    difficulty = ma.fields.Integer(validate=validate.Range(min=1, max=5))
    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class ExerciseSchema(ma.Schema):
    slug = ma.fields.String(required=True)
    expression = ma.fields.String(required=True, metadata={"description": "As a learner would type it"})
    variable = ma.fields.String(required=True)
    difficulty = ma.fields.Integer(required=True, metadata={"description": "1 (easy) to 5"})
    skills = ma.fields.List(ma.fields.String(), required=True)
    family = ma.fields.String(allow_none=True)
    prompt = ma.fields.String(allow_none=True)
    lesson = ma.fields.String(allow_none=True, metadata={"description": "Slug of the lesson it belongs to"})


class ExercisePageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ExerciseSchema), required=True)
    total = ma.fields.Integer(required=True, metadata={"description": "Exercises matching the filters"})
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
