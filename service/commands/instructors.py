"""Accounts and credentials from the command line, for the operator.

``chain-tutor create-instructor``
    an instructor account and its API key;
``chain-tutor set-password --email E``
    a new password (asked for); every login token and dashboard session
    of the instructor issued before ends;
``chain-tutor rotate-api-key --email E``
    a new API key; the old one stops working at once;
``chain-tutor replace-learner-token LEARNER_ID``
    a new token for a learner; the old one answers 401.

Keys and tokens are printed once: only their hashes are stored.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

MIN_PASSWORD_LENGTH = 8


def _check_password(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if len(value) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"use at least {MIN_PASSWORD_LENGTH} characters")
    return value


@click.command("create-instructor")
@click.option("--email", required=True, help="The instructor's email, used to log in.")
@click.option("--name", required=True, help="The name learners and dashboards show.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              callback=_check_password,
              help="Asked for when not given (prefer the prompt: options land in shell history).")
@with_appcontext
def create_instructor_command(email: str, name: str, password: str) -> None:
    """Create an instructor account and print its API key once."""
    # Imported here so that registering the command does not load the web
    # stack for every ``chain-tutor`` call (``solve`` never needs it).
    from service.extensions import db
    from service.usecases import Conflict, create_instructor

    try:
        created = create_instructor(db.session, email=email, name=name, password=password)
    except Conflict as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created instructor {created.name} <{created.email}> (id {created.id}).")
    click.echo("API key (shown only now; send it as 'Authorization: Bearer <key>'):")
    click.echo(created.api_key)


def _password_option(help_text: str):  # type: ignore[no-untyped-def]
    return click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
                        callback=_check_password, help=help_text)


@click.command("set-password")
@click.option("--email", required=True, help="The instructor's email.")
@_password_option("Asked for when not given (prefer the prompt: options land in shell history).")
@with_appcontext
def set_password_command(email: str, password: str) -> None:
    """Set an instructor's password and end their sessions and login tokens."""
    from service.extensions import db
    from service.usecases import NotFound
    from service.usecases.instructors import change_password, instructor_id_by_email

    try:
        change_password(db.session, instructor_id_by_email(db.session, email), password)
    except NotFound as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Password changed for {email}; their earlier sessions and login tokens no longer work.")


@click.command("rotate-api-key")
@click.option("--email", required=True, help="The instructor's email.")
@with_appcontext
def rotate_api_key_command(email: str) -> None:
    """Give an instructor a new API key and revoke the old one."""
    from service.extensions import db
    from service.usecases import NotFound
    from service.usecases.instructors import instructor_id_by_email, rotate_api_key

    try:
        api_key = rotate_api_key(db.session, instructor_id_by_email(db.session, email))
    except NotFound as error:
        raise click.ClickException(error.message) from None
    click.echo("New API key (shown only now; the old one no longer works):")
    click.echo(api_key)


@click.command("replace-learner-token")
@click.argument("learner_id")
@with_appcontext
def replace_learner_token_command(learner_id: str) -> None:
    """Give a learner a new bearer token; the old one answers 401."""
    from service.extensions import db
    from service.usecases import NotFound
    from service.usecases.learners import replace_learner_token

    try:
        replaced = replace_learner_token(db.session, None, learner_id)
    except NotFound as error:
        raise click.ClickException(error.message) from None
    click.echo("New learner token (shown only now; the old one no longer works):")
    click.echo(replaced.token)
