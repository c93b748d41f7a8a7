"""Every import the project makes is declared in ``pyproject.toml``.

A fresh machine installs only what ``pyproject.toml`` declares, so an import
that works here only because some other package dragged its distribution in
(or because the machine had it already) breaks the README's commands there.
The rules, per tree:

- ``service/`` and ``migrations/``: a module-level import resolves to the
  standard library, the project, or a runtime dependency. An import inside a
  function (an optional feature such as ``chain-tutor mastery fit``) may also
  come from an optional extra other than ``test`` and ``bench``.
- ``tests/``: runtime dependencies and the ``test`` extra.
- ``bench/``: runtime dependencies and the ``test`` and ``bench`` extras.

Imports guarded by ``except ImportError`` count like any other: the code
still needs the distribution declared for the feature to work anywhere.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = {"service", "tests", "bench", "migrations"}


@dataclass(frozen=True)
class ImportSite:
    """One ``import x`` or ``from x import y`` in a file."""

    path: Path
    line: int
    module: str          # the top-level name: "flask" for "from flask.cli import ..."
    module_level: bool   # False when inside a function or class body

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: import {self.module}"


def canonical(name: str) -> str:
    """A distribution name as PEP 503 compares them.

    >>> canonical("Flask_SQLAlchemy")
    'flask-sqlalchemy'
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    """The distribution a requirement string names.

    >>> requirement_name("psycopg[binary]>=3.1 ; python_version < '4'")
    'psycopg'
    """
    return canonical(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement).group(1))


@cache
def declared() -> dict[str, frozenset[str]]:
    """The runtime dependencies (key ``""``) and each extra's, by canonical name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = {"": frozenset(requirement_name(r) for r in project["dependencies"])}
    for extra, requirements in project.get("optional-dependencies", {}).items():
        groups[extra] = frozenset(requirement_name(r) for r in requirements)
    return groups


def allowed_for(tree: str, module_level: bool) -> frozenset[str]:
    groups = declared()
    if tree in ("service", "migrations"):
        if module_level:
            return groups[""]
        optional = (names for extra, names in groups.items() if extra not in ("", "test", "bench"))
        return groups[""].union(*optional)
    if tree == "tests":
        return groups[""] | groups["test"]
    return groups[""] | groups["test"] | groups.get("bench", frozenset())


def import_sites(path: Path) -> Iterator[ImportSite]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    nested: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            nested.update(id(child) for child in ast.walk(node) if child is not node)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            yield ImportSite(path, node.lineno, name.split(".")[0], id(node) not in nested)


def local_modules(tree: str) -> set[str]:
    """Modules a script in ``tree`` imports from beside itself (bench/ scripts do)."""
    folder = ROOT / tree
    return {p.stem for p in folder.glob("*.py")} | {p.name for p in folder.iterdir() if p.is_dir()}


@cache
def installed_modules() -> dict[str, list[str]]:
    """Top-level module -> the installed distributions providing it (slow: read once)."""
    return importlib.metadata.packages_distributions()


def distributions_of(module: str) -> set[str]:
    """The installed distributions that provide a top-level module, by canonical name.

    A module that is not installed here (an optional extra the test run did not
    install) is taken to come from the distribution of the same name.
    """
    providers = installed_modules().get(module)
    return {canonical(p) for p in providers} if providers else {canonical(module)}


def undeclared_imports(tree: str) -> list[str]:
    problems = []
    locals_ = local_modules(tree)
    for path in sorted((ROOT / tree).rglob("*.py")):
        for site in import_sites(path):
            if (site.module in sys.stdlib_module_names or site.module in PROJECT_PACKAGES
                    or site.module in locals_ or site.module == "__future__"):
                continue
            providers = distributions_of(site.module)
            if not providers & allowed_for(tree, site.module_level):
                problems.append(f"{site} (from {', '.join(sorted(providers))}) is not declared for {tree}/")
    return problems


@pytest.mark.parametrize("tree", ["service", "migrations", "tests", "bench"])
def test_every_import_is_declared(tree: str) -> None:
    assert undeclared_imports(tree) == []


def test_the_lock_pins_every_declared_distribution() -> None:
    """requirements/constraints.txt, the lock CI installs with, covers every declared name."""
    lock = (ROOT / "requirements" / "constraints.txt").read_text(encoding="utf-8")
    pinned = {canonical(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", lock, re.M)}
    groups = declared()
    wanted = groups[""] | groups["test"] | groups.get("bench", frozenset())
    assert sorted(wanted - pinned) == [], "run requirements/refresh to update the lock"


def test_a_missing_declaration_is_found(tmp_path: Path) -> None:
    """The check itself: a module-level import of a test-only package in service/ fails."""
    source = tmp_path / "module.py"
    source.write_text("import pytest\n\ndef later():\n    import hypothesis\n", encoding="utf-8")
    sites = list(import_sites(source))
    assert [(s.module, s.module_level) for s in sites] == [("pytest", True), ("hypothesis", False)]
    assert "pytest" not in allowed_for("service", module_level=True)
    assert "pytest" in allowed_for("tests", module_level=True)
