"""``chain-tutor content check|load``: validate and load ``content/``.

``check`` lists every problem as ``FILE:LINE: MESSAGE`` and exits 1 if there
is any; ``load`` validates the same way, then upserts everything in one
transaction and prints what it created, updated, left alone and removed.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from service.content.problems import ContentProblem

_CONTENT_DIR_OPTION = click.option(
    "--content-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="The content folder (default: the CONTENT_DIR setting, the repository's content/).")


@click.group("content")
def content_group() -> None:
    """Check and load the lesson and the exercise bank from content/."""


def _content_dir(option: Path | None) -> Path:
    return option if option is not None else Path(current_app.config["CONTENT_DIR"])


def _report_problems(problems: list[ContentProblem], outcome: str) -> None:
    for problem in problems:
        click.echo(str(problem))
    noun = "problem" if len(problems) == 1 else "problems"
    click.echo(f"{len(problems)} {noun}: {outcome}", err=True)


@content_group.command("check")
@_CONTENT_DIR_OPTION
@with_appcontext
def check_command(content_dir: Path | None) -> None:
    """Validate every content file; print each problem as FILE:LINE: MESSAGE."""
    # Imported here so that ``chain-tutor --help`` does not pay for sympy.
    from service.content.loader import validate_content

    catalog, problems = validate_content(_content_dir(content_dir))
    if problems:
        _report_problems(problems, "fix them and run the check again")
        raise SystemExit(1)
    click.echo(f"{catalog.summary()}{_tutor_summary(_content_dir(content_dir))}: all valid")


def _tutor_summary(directory: Path) -> str:
    """", 715 phrasings, 29 questions" when the folder has the tutor's phrasebook."""
    if not (directory / "tutor").is_dir():
        return ""
    from service.tutor.reading.phrasebook import read_phrasebook

    book, _ = read_phrasebook(directory)
    return f", {len(book.phrasings)} tutor phrasings, {len(book.questions)} questions"


@content_group.command("load")
@_CONTENT_DIR_OPTION
@with_appcontext
def load_command(content_dir: Path | None) -> None:
    """Validate, then create or update lessons, sections and exercises by slug."""
    from service.content.loader import load_content
    from service.content.problems import ContentInvalid
    from service.extensions import db

    try:
        report = load_content(db.session, _content_dir(content_dir))
    except ContentInvalid as err:
        _report_problems(err.problems, "nothing was loaded")
        raise SystemExit(1) from err
    click.echo(str(report))
