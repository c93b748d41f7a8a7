"""The ``chain-tutor`` command as a learner meets it in a terminal.

Run as a real process (the console script), on a fresh SQLite database in a
temporary instance folder: standard output holds the conversation only,
standard error stays empty (no migration INFO lines, no SECRET_KEY warning),
and ``--help`` lists our commands without Flask's generic options.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

COMMAND = shutil.which("chain-tutor") or str(Path(sys.executable).with_name("chain-tutor"))


def run(args: list[str], tmp_path: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("SECRET_KEY", "DATABASE_URL", "FLASK_APP")}
    env["CHAIN_TUTOR_INSTANCE"] = str(tmp_path / "instance")
    return subprocess.run([COMMAND, *args], input=stdin, capture_output=True, text=True, env=env,
                          timeout=120, check=False)


@pytest.mark.slow
def test_the_terminal_chat_prints_only_the_conversation(tmp_path: Path) -> None:
    done = run(["chat", "--expression", "(2x+1)^3"], tmp_path, stdin="u = 2x+1\nquit\n")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert lines[0].startswith("Welcome! Your learner token is ")
    assert "tutor: Right: u = 2x + 1" in done.stdout
    assert not any("INFO" in line or "alembic" in line or "SECRET_KEY" in line for line in lines)


def test_help_lists_only_our_commands(tmp_path: Path) -> None:
    done = run(["--help"], tmp_path)
    assert done.returncode == 0, done.stderr
    for ours in ("chat", "content", "create-instructor", "db", "run", "solve"):
        assert f"  {ours} " in done.stdout
    for flasks in ("--env-file", "--app", "--debug", "python-dotenv"):
        assert flasks not in done.stdout
