"""``/api/v1/conversations``: talk with the tutor; read a transcript.

Also ``GET /api/v1/learners/{id}/conversations``, a learner's list, which
belongs with the conversations rather than with the learners' own routes.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from service.api.conversations.schemas import (
    ChatMessageCreateSchema,
    ConversationCreateSchema,
    ConversationSchema,
    ConversationSummarySchema,
    NewConversationSchema,
    TurnSchema,
)
from service.api.errors import ErrorSchema
from service.api.openapi import ANY_AUTH, LEARNER_AUTH
from service.auth import require_learner, require_principal
from service.extensions import db
from service.usecases import conversations

blp = Blueprint("conversations", __name__, url_prefix="/api/v1",
                description="Conversations with the tutor")

CONVERSATION_ID = "<string(length=32):conversation_id>"


@blp.route("/conversations")
class Conversations(MethodView):
    @blp.doc(security=LEARNER_AUTH)
    @blp.arguments(ConversationCreateSchema)
    @blp.response(201, NewConversationSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="A course you are not enrolled in")
    @blp.alt_response(422, schema=ErrorSchema, description="The expression cannot be read")
    def post(self, body: dict) -> conversations.TurnView:
        """Start a conversation: the tutor greets you and asks the first question."""
        return conversations.start_conversation(db.session, require_learner(), body.get("expression"),
                                                body.get("variable"), body.get("course_id"))


@blp.route(f"/conversations/{CONVERSATION_ID}")
class ConversationById(MethodView):
    @blp.doc(security=ANY_AUTH)
    @blp.response(200, ConversationSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such conversation of yours")
    def get(self, conversation_id: str) -> conversations.ConversationView:
        """The whole transcript and state (its learner, or an instructor of that learner)."""
        return conversations.get_conversation(db.session, require_principal(), conversation_id)


@blp.route(f"/conversations/{CONVERSATION_ID}/messages")
class ConversationMessages(MethodView):
    @blp.doc(security=LEARNER_AUTH)
    @blp.arguments(ChatMessageCreateSchema)
    @blp.response(200, TurnSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such conversation of yours")
    @blp.alt_response(409, schema=ErrorSchema, description="Concurrent messages kept clashing; resend")
    @blp.alt_response(422, schema=ErrorSchema, description="Neither or both of text and action")
    def post(self, body: dict, conversation_id: str) -> conversations.TurnView:
        """Say something to the tutor; its replies, the new state and the verdict come back."""
        return conversations.post_message(db.session, require_learner(), conversation_id,
                                          body.get("text", ""), action=body.get("action"))


@blp.route("/learners/<string(length=32):learner_id>/conversations")
class LearnerConversations(MethodView):
    @blp.doc(security=ANY_AUTH)
    @blp.response(200, ConversationSummarySchema(many=True))
    def get(self, learner_id: str) -> list[conversations.ConversationSummary]:
        """A learner's conversations, most recently active first."""
        return conversations.list_conversations(db.session, require_principal(), learner_id)
