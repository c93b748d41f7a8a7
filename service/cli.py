"""The ``chain-tutor`` command.

Commands that need the web application (``run``, ``db``, ``content``, ...)
get it from the factory through Flask's CLI machinery; ``solve`` works on
the calculus core alone and never builds an app. Each command's module is
imported only when that command runs, so ``chain-tutor solve`` does not pay
for gunicorn, SQLAlchemy or the API.
"""

from __future__ import annotations

from importlib import import_module

import click
from flask.cli import FlaskGroup

# name -> "module:attribute" of the click command; imported on first use.
COMMANDS: dict[str, str] = {
    "solve": "service.commands.solve:solve_command",
    "run": "service.commands.server:run_command",
    "db": "flask_migrate.cli:db",
    "create-instructor": "service.commands.instructors:create_instructor_command",
    "set-password": "service.commands.instructors:set_password_command",
    "rotate-api-key": "service.commands.instructors:rotate_api_key_command",
    "replace-learner-token": "service.commands.instructors:replace_learner_token_command",
    "content": "service.commands.content:content_group",
    "chat": "service.commands.chat:chat_command",
    "mastery": "service.commands.mastery:mastery_group",
    "dashboards": "service.commands.dashboards:dashboards_group",
    "topology": "service.commands.topology:topology_command",
    "worker": "service.commands.worker:worker_command",
    "lti": "service.commands.lti:lti_group",
}


def _create_app():
    from service.app import create_app

    return create_app()


# Flask's generic options (--env-file, --app, --debug) mean nothing here: the
# app is ours, configured by the environment; ``--help`` lists only our own.
_FLASK_OPTIONS = frozenset({"env_file", "app", "debug"})


class LazyFlaskGroup(FlaskGroup):
    """A FlaskGroup whose own commands are imported only when used, without Flask's generic options."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.params = [param for param in self.params if param.name not in _FLASK_OPTIONS]

    def list_commands(self, ctx: click.Context) -> list[str]:
        # Only our own commands: listing the app's would build it for --help.
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = target.split(":")
        return getattr(import_module(module_name), attribute)


@click.group(cls=LazyFlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
def main() -> None:
    """Chain Tutor: learn the chain rule by conversation."""
