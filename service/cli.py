"""The ``chain-tutor`` command.

Commands that need the web application (``run``, ``db``, ``content``, ...)
get it from the factory through Flask's CLI machinery; ``solve`` works on
the calculus core alone and never builds an app.
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup


def _create_app():
    # Imported here so that ``chain-tutor solve`` never pays for the web stack.
    from service.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
def main() -> None:
    """Chain Tutor: learn the chain rule by conversation."""


def _register() -> None:
    from service.commands.solve import solve_command

    main.add_command(solve_command)

    from flask_migrate.cli import db as db_group

    from service.commands.server import run_command

    main.add_command(run_command)
    main.add_command(db_group, "db")

    from service.commands.instructors import create_instructor_command

    main.add_command(create_instructor_command)

    from service.commands.content import content_group

    main.add_command(content_group)


_register()
