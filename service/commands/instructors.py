"""``chain-tutor create-instructor``: an instructor account and its API key.

The API key is printed once: only its hash is stored, so it cannot be shown
again (create a new account or rotate the key to get another).
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
