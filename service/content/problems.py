"""What is wrong with the content files, said so a teacher can fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class ContentProblem:
    """One problem in one content file.

    ``path`` is relative to the content directory, ``line`` is 1-based and
    ``None`` when no line can be blamed (a missing file, a duplicate found
    across files).

    >>> str(ContentProblem("exercises/basics.yaml", 12, "difficulty: must be between 1 and 5"))
    'exercises/basics.yaml:12: difficulty: must be between 1 and 5'
    >>> str(ContentProblem("lessons", None, "no lesson found"))
    'lessons: no lesson found'
    """

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class ContentInvalid(Exception):
    """The content has problems, so nothing was loaded.

    >>> err = ContentInvalid([ContentProblem("a.yaml", 1, "bad")])
    >>> str(err)
    '1 problem in the content:\\na.yaml:1: bad'
    """

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        lines = [f"{len(problems)} {noun} in the content:"]
        lines += [str(problem) for problem in problems]
        super().__init__("\n".join(lines))
