"""Reading the authoring format: YAML files and Markdown with front matter.

Teachers edit these files by hand, so every value keeps the line it came
from: a problem found later (a wrong type, an expression the core cannot
read) can then point at ``exercises/trig.yaml:14`` rather than at a file.
PyYAML's node tree carries those marks; the data is constructed from the
same tree so the two always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import yaml

from service.content.problems import ContentInvalid, ContentProblem

FRONT_MATTER_FENCE = "---"

Key = str | int


@dataclass(frozen=True)
class YamlDocument:
    """Parsed YAML with the node tree that remembers where each value was.

    ``line_offset`` is the number of file lines before the YAML text (one
    for front matter, which follows a ``---`` line).
    """

    path: str
    data: Any
    root: yaml.Node | None
    line_offset: int = 0

    def line_of(self, keys: Sequence[Key]) -> int | None:
        """The 1-based file line of the value at ``keys``.

        For a mapping key the key's own line is given (where a teacher looks
        for ``difficulty:``); when the path stops existing part way (a
        missing field) the line of the deepest node that exists is given.

        >>> doc = read_yaml_text("a.yaml", "items:\\n  - name: x\\n    size: 3\\n")
        >>> doc.line_of(["items", 0, "size"]), doc.line_of(["items", 0, "colour"])
        (3, 2)
        """
        node = self.root
        if node is None:
            return None
        line = node.start_mark.line
        for key in keys:
            found = _child(node, key)
            if found is None:
                break
            key_node, node = found
            line = (key_node or node).start_mark.line
        return line + 1 + self.line_offset


@dataclass(frozen=True)
class MarkdownDocument:
    """A Markdown file split into its front matter and its body."""

    path: str
    front: YamlDocument
    body: str
    body_line: int  # the file line where the body starts, 1-based


def _child(node: yaml.Node, key: Key) -> tuple[yaml.Node | None, yaml.Node] | None:
    """The (key node, value node) under ``node`` for ``key``, if any."""
    if isinstance(node, yaml.MappingNode) and isinstance(key, str):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node, value_node
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return None, node.value[key]
    return None


def relative_path(path: Path, content_dir: Path) -> str:
    """``path`` relative to the content directory, with forward slashes.

    >>> relative_path(Path("/c/exercises/a.yaml"), Path("/c"))
    'exercises/a.yaml'
    """
    try:
        return path.relative_to(content_dir).as_posix()
    except ValueError:
        return path.as_posix()


def read_text(path: Path, content_dir: Path) -> str:
    """A content file's text, or :class:`ContentInvalid` naming the file."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        problem = ContentProblem(relative_path(path, content_dir), None,
                                 f"not UTF-8 text ({err.reason} at byte {err.start})")
        raise ContentInvalid([problem]) from err
    except OSError as err:
        problem = ContentProblem(relative_path(path, content_dir), None,
                                 f"cannot be read: {err.strerror}")
        raise ContentInvalid([problem]) from err


def read_yaml_text(path: str, text: str, line_offset: int = 0) -> YamlDocument:
    """Parse YAML ``text`` from the file ``path`` (relative, for messages).

    Raises :class:`ContentInvalid` with the line YAML reports, and for keys
    given twice in one mapping (PyYAML would silently keep the last one).

    >>> read_yaml_text("a.yaml", "slug: one\\nslug: two\\n")
    Traceback (most recent call last):
    ...
    service.content.problems.ContentInvalid: 1 problem in the content:
    a.yaml:2: duplicate key 'slug' (first given on line 1)
    """
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        duplicates = _duplicate_keys(path, root, line_offset)
        if duplicates:
            raise ContentInvalid(duplicates)
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as err:
        raise ContentInvalid([_yaml_problem(path, err, line_offset)]) from err
    except yaml.YAMLError as err:
        raise ContentInvalid([ContentProblem(path, None, f"invalid YAML: {err}")]) from err
    finally:
        loader.dispose()
    return YamlDocument(path=path, data=data, root=root, line_offset=line_offset)


def _yaml_problem(path: str, err: yaml.MarkedYAMLError, line_offset: int) -> ContentProblem:
    mark = err.problem_mark or err.context_mark
    line = None if mark is None else mark.line + 1 + line_offset
    what = " ".join(part for part in (err.context, err.problem) if part)
    return ContentProblem(path, line, f"invalid YAML: {what}")


def _duplicate_keys(path: str, root: yaml.Node | None, line_offset: int) -> list[ContentProblem]:
    problems: list[ContentProblem] = []
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1 + line_offset
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in seen:
                        problems.append(ContentProblem(
                            path, line, f"duplicate key {key_node.value!r} "
                            f"(first given on line {seen[key_node.value]})"))
                    seen.setdefault(key_node.value, line)
                stack.append(value_node)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(problems)


def read_yaml_file(path: Path, content_dir: Path) -> YamlDocument:
    """Read and parse one YAML content file."""
    return read_yaml_text(relative_path(path, content_dir), read_text(path, content_dir))


def read_markdown_file(path: Path, content_dir: Path) -> MarkdownDocument:
    """Read one Markdown file whose YAML front matter sits between ``---`` lines.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "s.md").write_text("---\\nslug: s\\n---\\nHello $x$\\n")
    >>> doc = read_markdown_file(folder / "s.md", folder)
    >>> doc.front.data, doc.body, doc.body_line
    ({'slug': 's'}, 'Hello $x$\\n', 4)
    """
    relative = relative_path(path, content_dir)
    lines = read_text(path, content_dir).splitlines(keepends=True)
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise ContentInvalid([ContentProblem(
            relative, 1, "missing front matter: the file must start with a line '---', "
            "then the section's fields, then another '---'")])
    closing = next((index for index, line in enumerate(lines[1:], start=1)
                    if line.strip() == FRONT_MATTER_FENCE), None)
    if closing is None:
        raise ContentInvalid([ContentProblem(
            relative, 1,
            "front matter is not closed: add a line '---' after the section's fields")])
    front = read_yaml_text(relative, "".join(lines[1:closing]), line_offset=1)
    return MarkdownDocument(path=relative, front=front, body="".join(lines[closing + 1:]),
                            body_line=closing + 2)
