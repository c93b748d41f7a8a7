"""``chain-tutor chat``: the tutoring conversation in a terminal.

The same engine, through the same use cases, on the same database as the
web service: a conversation started here shows on the dashboards and can be
resumed over HTTP, and the other way round. The first run creates a learner
and prints its token; ``--learner-token`` resumes that learner's latest
conversation.

Standard output carries the conversation and nothing else: the migrations'
INFO lines are silenced (warnings and errors still go to standard error),
and a missing ``SECRET_KEY`` is no news here, as the terminal has no logins.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
from collections.abc import Iterable

import click
from flask import current_app
from flask.cli import ScriptInfo

from service.calculus import ExpressionError, parse_expression
from service.commands.server import prepare_database
from service.extensions import db
from service.usecases import Principal, create_learner, learner_for_token
from service.usecases.conversations import (
    MessageView,
    get_conversation,
    list_conversations,
    post_message,
    start_conversation,
)

QUIT_WORDS = frozenset({"quit", "exit", "bye", ":q"})
PROMPT = "you> "


@click.command("chat")
@click.option("--learner-token", metavar="TOKEN", envvar="CHAIN_TUTOR_TOKEN",
              help="Continue as this learner (printed on the first run); or $CHAIN_TUTOR_TOKEN.")
@click.option("--name", help="Your name, when starting as a new learner.")
@click.option("--expression", help="Start a new conversation on this expression, e.g. \"(2x+1)^3\".")
def chat_command(learner_token: str | None, name: str | None, expression: str | None) -> None:
    """Learn the chain rule from the tutor, in this terminal. Type "quit" to leave."""
    if learner_token and name:
        raise click.UsageError("Give either --learner-token or --name, not both.")
    if expression is not None:
        _check_expression(expression)  # before a learner is created for nothing
    # No logins in a terminal: a per-process key is all the chat needs, said to nobody.
    borrowed_key = "SECRET_KEY" not in os.environ
    if borrowed_key:
        os.environ["SECRET_KEY"] = secrets.token_hex(32)
    logging.disable(logging.INFO)  # the migrations' progress lines are not the learner's business
    try:
        app = click.get_current_context().ensure_object(ScriptInfo).load_app()
        if borrowed_key:
            del os.environ["SECRET_KEY"]  # the app has it; nothing else in this process should
            borrowed_key = False
        with app.app_context():
            _chat(learner_token, name, expression)
    finally:
        logging.disable(logging.NOTSET)
        if borrowed_key:
            os.environ.pop("SECRET_KEY", None)


def _chat(learner_token: str | None, name: str | None, expression: str | None) -> None:
    prepare_database(current_app._get_current_object())  # type: ignore[attr-defined]
    learner_id = _learner(learner_token, name)
    conversation_id = None if expression else _latest_conversation(learner_id)
    if conversation_id is None:
        turn = start_conversation(db.session, learner_id, expression)
        conversation_id = turn.id
        show(turn.messages)
    else:
        click.echo("(Picking up where we left off.)")
        show(_since_last_learner_message(learner_id, conversation_id))
    converse(learner_id, conversation_id)


def converse(learner_id: str, conversation_id: str) -> None:
    """Read the learner's lines and print the tutor's replies until "quit" or end of input."""
    # sys.stdin, not click.get_text_stream (deprecated in click 8.5); CliRunner swaps it too.
    stdin = sys.stdin
    while True:
        click.echo(PROMPT, nl=False)
        line = stdin.readline()
        if not line:  # end of input (Ctrl-D, or a piped script ran out)
            click.echo()
            break
        text = line.strip()
        if text.lower() in QUIT_WORDS:
            break
        if not text:
            continue
        show(post_message(db.session, learner_id, conversation_id, text).messages)
    click.echo("Bye! Your conversation is saved.")


def show(messages: Iterable[MessageView]) -> None:
    """Print the tutor's messages, hints and solutions marked as such."""
    for message in messages:
        if message.role != "tutor":
            continue
        label = {"hint": "tutor (hint)", "solution": "tutor (solution)"}.get(message.kind, "tutor")
        click.echo(f"{label}: {message.text}")


def _check_expression(expression: str) -> None:
    try:
        parse_expression(expression)
    except ExpressionError as error:
        raise click.BadParameter(str(error), param_hint="--expression") from None


def _learner(token: str | None, name: str | None) -> str:
    """The learner holding ``token``, or a new one whose token is printed once."""
    if token:
        learner_id = learner_for_token(db.session, token)
        if learner_id is None:
            raise click.BadParameter("no learner has this token", param_hint="--learner-token")
        return learner_id
    created = create_learner(db.session, name)
    click.echo(f"Welcome! Your learner token is {created.token}")
    click.echo("Keep it: `chain-tutor chat --learner-token <token>` continues where you stop.\n")
    return created.id


def _latest_conversation(learner_id: str) -> str | None:
    listed = list_conversations(db.session, Principal("learner", learner_id), learner_id)
    return listed[0].id if listed else None


def _since_last_learner_message(learner_id: str, conversation_id: str) -> list[MessageView]:
    """The tutor's last words in a conversation: what it said after the learner last spoke."""
    messages = get_conversation(db.session, Principal("learner", learner_id), conversation_id).messages
    last = max((m.position for m in messages if m.role == "learner"), default=-1)
    return [m for m in messages if m.position > last]
