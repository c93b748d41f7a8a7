"""CI runs exactly the README's test command, so the README cannot drift from CI.

``.ci/run`` makes a fresh virtual environment and runs the command it names
``README_TEST_COMMAND``; the README must show that same line, word for word.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CI_SCRIPT = ROOT / ".ci" / "run"


def readme_test_command() -> str:
    match = re.search(r'^README_TEST_COMMAND="(.+)"$', CI_SCRIPT.read_text(encoding="utf-8"), re.M)
    assert match, ".ci/run must define README_TEST_COMMAND"
    return match.group(1)


def readme_code_lines() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```(?:sh|bash|console)?\n(.*?)^```", readme, re.M | re.S)
    return [line.strip() for block in blocks for line in block.splitlines()]


def test_the_readme_shows_the_command_ci_runs() -> None:
    assert readme_test_command() in readme_code_lines()


def test_the_command_uses_the_committed_lock() -> None:
    command = readme_test_command()
    assert "-c requirements/constraints.txt" in command
    assert (ROOT / "requirements" / "constraints.txt").is_file()


def test_ci_builds_a_venv_without_the_machines_packages() -> None:
    script = CI_SCRIPT.read_text(encoding="utf-8")
    assert "-m venv" in script and "--system-site-packages" not in script
    assert "CHAIN_TUTOR_REQUIRE_BROWSER=1" in script


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_ci_script_is_valid_bash() -> None:
    result = subprocess.run(["bash", "-n", str(CI_SCRIPT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
