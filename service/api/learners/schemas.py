"""Schemas of the learners resource."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from service.usecases.progress import MASTERY_PRIOR

LEARNER_SOURCES = ("widget", "embed", "lesson", "api", "lti")
HOST_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::\d{1,5})?$"


class LearnerCreateSchema(ma.Schema):
    name = ma.fields.String(
        allow_none=True, validate=validate.Length(max=200),
        metadata={"description": "A display name; learners may stay anonymous"},
    )
    course_code = ma.fields.String(
        allow_none=True, validate=validate.Length(min=1, max=32),
        metadata={"description": "A course's join code, to enrol at once"},
    )
    source = ma.fields.String(
        allow_none=True, validate=validate.OneOf(LEARNER_SOURCES),
        metadata={"description": "How the learner started, for the teacher's dashboard: "
                                 + ", ".join(LEARNER_SOURCES)},
    )
    source_host = ma.fields.String(
        allow_none=True, validate=validate.Regexp(HOST_PATTERN),
        metadata={"description": "The host of the page the learner started on", "example": "example.org"},
    )


class LearnerUpdateSchema(ma.Schema):
    name = ma.fields.String(
        required=True, allow_none=True, validate=validate.Length(max=200),
        metadata={"description": "The learner's display name; empty or null clears it", "example": "Ada"},
    )


class NewLearnerSchema(ma.Schema):
    id = ma.fields.String(required=True)
    token = ma.fields.String(
        required=True,
        metadata={"description": "Bearer token for this learner; shown once, keep it"},
    )


class CourseRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)


class LearnerSchema(ma.Schema):
    id = ma.fields.String(required=True)
    name = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime(required=True)
    last_seen_at = ma.fields.AwareDateTime(allow_none=True)
    courses = ma.fields.List(
        ma.fields.Nested(CourseRefSchema),
        metadata={"description": "Courses the learner is in (an instructor sees only its own)"},
    )


class SkillProgressSchema(ma.Schema):
    skill = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    probability = ma.fields.Float(required=True, metadata={
        "description": "Probability the skill is known (BKT); only the prior while not assessed"})
    assessed = ma.fields.Boolean(required=True, metadata={
        "description": "False until some evidence bears on the skill: show 'not yet assessed'"})
    attempts = ma.fields.Integer(required=True, metadata={"description": "BKT observations of the skill"})


class RecentAttemptSchema(ma.Schema):
    conversation_id = ma.fields.String(required=True)
    step = ma.fields.String(required=True)
    answer = ma.fields.String(required=True)
    correct = ma.fields.Boolean(required=True)
    misconception = ma.fields.String(allow_none=True)
    skill = ma.fields.String(allow_none=True)
    hints_used = ma.fields.Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)


class ProgressQuerySchema(ma.Schema):
    course_id = ma.fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "Only the work filed under this course, and the course's copy of the learner "
                                 "model (an instructor: one of their courses)"},
    )


class ProgressSchema(ma.Schema):
    learner_id = ma.fields.String(required=True)
    model_course_id = ma.fields.Integer(
        allow_none=True, required=True,
        metadata={"description": "The course whose evidence `skills`, `mastery` and `misconceptions` weigh "
                                 "(null: the learner's whole work). An instructor reads one course's copy: "
                                 "`course_id`'s, else their course the learner last worked in"},
    )
    attempts = ma.fields.Integer(required=True, metadata={"description": "Answers given"})
    solved = ma.fields.Integer(required=True, metadata={
        "description": "Problems solved by the learner, with or without hints (a shown solution is not)"})
    problems = ma.fields.Integer(required=True, metadata={"description": "Problems set, any outcome"})
    outcomes = ma.fields.Method("_outcomes", metadata={
        "description": "Problems by outcome: in_progress, solved, solved_with_hints, gave_up, abandoned"})
    hints = ma.fields.Integer(required=True, metadata={"description": "Hints used, all conversations"})
    conversations = ma.fields.Integer(required=True)
    mastery = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Float(), required=True,
        metadata={"description": "Skill → probability the learner knows it (Bayesian "
                                 f"Knowledge Tracing); an unpractised skill is at the prior {MASTERY_PRIOR}"},
    )
    skills = ma.fields.List(ma.fields.Nested(SkillProgressSchema), required=True)
    misconceptions = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Float(), required=True,
        metadata={"description": "Misconception → probability the learner holds it"},
    )
    recent = ma.fields.List(
        ma.fields.Nested(RecentAttemptSchema), required=True,
        metadata={"description": "The latest answers, newest first"},
    )

    def _outcomes(self, progress) -> dict[str, int]:
        return progress.outcomes.as_dict()
