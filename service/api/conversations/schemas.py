"""Schemas of the conversations resource: requests, turns, transcripts.

The tutor's state is stored whole, but only its public part goes out: the
plan inside it holds every step's answer, which a learner must not be able
to read off the wire.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from service.tutor.outcomes import OUTCOMES
from marshmallow import validate

from service.api.conversations.typesetting import segments
from service.api.solve.schemas import VARIABLE_PATTERN
from service.calculus.parsing import MAX_LENGTH as MAX_EXPRESSION_LENGTH
from service.tutor.engine import ACTIONS, MAX_MESSAGE_LENGTH
from service.tutor.messages import MESSAGE_KINDS


class CompactSchema(ma.Schema):
    """Leaves out the optional keys whose value is None, rather than sending nulls."""

    OPTIONAL: tuple[str, ...] = ()

    @ma.post_dump
    def drop_absent(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {key: value for key, value in data.items() if value is not None or key not in self.OPTIONAL}


class ConversationCreateSchema(ma.Schema):
    expression = ma.fields.String(
        validate=validate.Length(min=1, max=MAX_EXPRESSION_LENGTH),
        metadata={"description": "The problem, as a learner types it; leave out to let the tutor choose",
                  "example": "(2x+1)^3"},
    )
    variable = ma.fields.String(
        validate=validate.Regexp(VARIABLE_PATTERN),
        metadata={"description": "The variable to differentiate by (default: the expression's own)",
                  "example": "x"},
    )
    course_id = ma.fields.Integer(
        strict=True, validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "File the attempts under this course of yours "
                                 "(default: the course joined last)"},
    )
    course_code = ma.fields.String(
        validate=validate.Length(min=1, max=32),
        metadata={"description": "The same by the course's join code (what a widget's `course` carries)"},
    )


# The tutor itself answers a message over MAX_MESSAGE_LENGTH in the chat ("that is
# too long for me"); only a body far beyond any typed message is refused here.
MAX_REQUEST_TEXT = 10 * MAX_MESSAGE_LENGTH


class ChatMessageCreateSchema(ma.Schema):
    text = ma.fields.String(
        validate=validate.Length(min=1, max=MAX_REQUEST_TEXT),
        metadata={"description": "An answer (\"du/dx = 2\", \"6(2x+1)^2\") or a request "
                                 "(\"hint\", \"next factor\", \"show the solution\"); "
                                 f"over {MAX_MESSAGE_LENGTH} characters the tutor asks for less",
                  "example": "u = 2x + 1"},
    )
    action = ma.fields.String(
        validate=validate.OneOf(ACTIONS),
        metadata={"description": "A widget button instead of text: handled as asking for it in words",
                  "example": "hint"},
    )

    @ma.validates_schema
    def exactly_one(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("text" in data) == ("action" in data):
            raise ma.ValidationError("Send exactly one of text and action.")


class IdempotencyHeadersSchema(ma.Schema):
    """The optional ``Idempotency-Key`` header of a start or a message (other headers are ignored)."""

    class Meta:
        unknown = ma.EXCLUDE

    idempotency_key = ma.fields.String(
        data_key="Idempotency-Key",
        validate=[validate.Length(min=1, max=255), validate.Regexp(r"^[\x21-\x7e]+$")],
        metadata={"description": "A fresh random key per request (a UUID). Sent again with the same "
                                 "request (after a timeout), it returns the first reply instead of "
                                 "taking a second turn; with another request it is a 422. Kept a day."},
    )


class AnswerVerdictSchema(ma.Schema):
    correct = ma.fields.Boolean(required=True)
    misconception = ma.fields.String(allow_none=True, required=True)
    step = ma.fields.String(required=True, metadata={"description": "The step answered, e.g. du/dx"})
    feedback = ma.fields.String()


class SegmentSchema(ma.Schema):
    text = ma.fields.String(required=True, metadata={
        "description": "Words, or the maths as plain text (its alternative for screen readers)"})
    math = ma.fields.String(metadata={"description": "The maths as presentation MathML (made by the "
                                                     "server's printers from parsed maths)"})


class ChatMessageSchema(CompactSchema):
    OPTIONAL = ("latex", "mathml", "derivative", "verdict", "created_at", "segments")

    position = ma.fields.Integer(required=True, metadata={"description": "0-based place in the transcript"})
    role = ma.fields.String(required=True, validate=validate.OneOf(("learner", "tutor")))
    kind = ma.fields.String(required=True, metadata={
        "description": f"Tutor: one of {', '.join(MESSAGE_KINDS)}; learner: answer or text"})
    text = ma.fields.String(required=True, metadata={"description": "Plain text; never HTML"})
    latex = ma.fields.String()
    mathml = ma.fields.String()
    derivative = ma.fields.String(metadata={"description": "On a solution: the result, a sympy string"})
    verdict = ma.fields.Nested(AnswerVerdictSchema, metadata={"description": "On a learner's checked answer"})
    created_at = ma.fields.AwareDateTime()
    segments = ma.fields.Method("typeset", dump_only=True, metadata={
        "description": "A tutor message as words and maths, in order, for typesetting: each "
                       "{\"text\"} or {\"math\": MathML, \"text\": the same maths as text}",
        "type": "array", "items": {"type": "object"}})

    def typeset(self, message: Any) -> list[dict[str, Any]] | None:
        """The tutor's text cut into words and maths; None for a learner's message."""
        role = message.get("role") if isinstance(message, dict) else getattr(message, "role", None)
        text = message.get("text") if isinstance(message, dict) else getattr(message, "text", None)
        return segments(text) if role == "tutor" and text else None


class ConversationStateSchema(ma.Schema):
    expression = ma.fields.String(allow_none=True, required=True)
    variable = ma.fields.String(required=True)
    step = ma.fields.String(allow_none=True, required=True,
                            metadata={"description": "The open step (u, dy/du, du/dx, dy/dx, ...)"})
    solved = ma.fields.Boolean(required=True, metadata={
        "description": "The learner reached the answer (never after a shown solution)"})
    hints_used = ma.fields.Integer(required=True, metadata={"description": "On the current problem"})
    gave_up = ma.fields.Boolean(metadata={"description": "The worked solution was shown"})
    finished = ma.fields.Boolean(metadata={"description": "The problem is over, solved or given up"})
    outcome = ma.fields.String(validate=ma.validate.OneOf(OUTCOMES), metadata={
        "description": "The current problem's outcome: in_progress, solved, solved_with_hints, gave_up"})
    attempts = ma.fields.Integer(metadata={"description": "Answers on the current problem"})
    done = ma.fields.List(ma.fields.String(), metadata={"description": "Steps answered so far"})
    awaiting_next = ma.fields.Boolean(metadata={"description": "The tutor offered a next problem"})
    exercise_slug = ma.fields.String(allow_none=True)


class TurnSchema(CompactSchema):
    OPTIONAL = ("verdict",)

    messages = ma.fields.List(ma.fields.Nested(ChatMessageSchema), required=True,
                              metadata={"description": "The tutor's replies, in order"})
    state = ma.fields.Nested(ConversationStateSchema, required=True)
    verdict = ma.fields.Nested(AnswerVerdictSchema, metadata={
        "description": "Present when the message was read as an answer"})


class NewConversationSchema(TurnSchema):
    id = ma.fields.String(required=True)


class ConversationSummarySchema(ma.Schema):
    id = ma.fields.String(required=True)
    expression = ma.fields.String(required=True)
    variable = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    step = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)


class ConversationSchema(ConversationSummarySchema):
    learner_id = ma.fields.String(required=True)
    course_id = ma.fields.Integer(allow_none=True)
    state = ma.fields.Nested(ConversationStateSchema, required=True)
    messages = ma.fields.List(ma.fields.Nested(ChatMessageSchema), required=True,
                              metadata={"description": "The learner's and the tutor's messages, in order"})
