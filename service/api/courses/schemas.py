"""Schemas of the courses resource."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate


class CourseCreateSchema(ma.Schema):
    title = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))


class CourseSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    code = ma.fields.String(required=True, metadata={"description": "Join code learners enrol with"})
    created_at = ma.fields.AwareDateTime(required=True)
    learners = ma.fields.Integer(required=True, metadata={"description": "Learners enrolled"})


class EnrolSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=validate.Length(min=1, max=32))


class EnrolmentSchema(ma.Schema):
    course_id = ma.fields.Integer(required=True)
    course_title = ma.fields.String(required=True)
    learner_id = ma.fields.String(required=True)
    enrolled_at = ma.fields.AwareDateTime(required=True)


class CourseLearnerSchema(ma.Schema):
    id = ma.fields.String(required=True)
    name = ma.fields.String(allow_none=True)
    enrolled_at = ma.fields.AwareDateTime(required=True)
    last_seen_at = ma.fields.AwareDateTime(allow_none=True)
