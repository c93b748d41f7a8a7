"""Marshmallow schemas for the authoring format, with teacher-friendly errors.

A lesson is ``lessons/<slug>/lesson.yaml``; each of its sections is a
Markdown file beside it whose front matter :class:`SectionSchema` checks;
``exercises/*.yaml`` files hold :class:`ExerciseFileSchema`, whose items are
checked one by one with :class:`ExerciseSchema` after the file's defaults
(``family``, ``lesson``) are filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from service.tutor.skills import SKILL_NAMES

SECTION_KINDS: tuple[str, ...] = ("concept", "example", "summary")
DEFAULT_VARIABLE = "x"

SLUG = validate.Regexp(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    error="must be lower-case letters, digits and single hyphens, like 'chain-rule-2'",
)
VARIABLE = validate.Regexp(
    r"^[A-Za-z][A-Za-z0-9_]{0,15}$",
    error="must be a variable name such as x, w or t",
)
TITLE = validate.Length(min=1, max=200, error="must be between {min} and {max} characters long")
EXPRESSION = validate.Length(min=1, max=500,
                             error="must be between {min} and {max} characters long")

# marshmallow's built-in messages, reworded for someone editing a file by hand.
_MESSAGES: dict[str, str] = {
    "Missing data for required field.": "missing (this field is required)",
    "Field may not be null.": "must have a value",
    "Not a valid string.": "must be text",
    "Not a valid integer.": "must be a whole number",
    "Not a valid list.": "must be a list, e.g. [a, b]",
    "Not a valid mapping type.": "must be a mapping of fields (key: value lines)",
    "Invalid input type.": "must be a mapping of fields (key: value lines)",
}
_UNKNOWN = "Unknown field."


class WholeNumber(fields.Integer):
    """A strict integer that also refuses YAML's ``yes``/``no`` booleans."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class LessonSchema(Schema):
    """``lesson.yaml``: what a lesson is called and where it goes."""

    class Meta:
        unknown = RAISE

    slug = fields.String(required=True, validate=SLUG)
    title = fields.String(required=True, validate=TITLE)
    summary = fields.String(load_default="")
    position = WholeNumber(required=True)


class SectionSchema(Schema):
    """The front matter of one section's Markdown file.

    A worked example (``kind: example``) names the expression it works, the
    variable and the derivative it arrives at, so the loader can check the
    text against the core and the tutor can offer it as a problem.
    """

    class Meta:
        unknown = RAISE

    slug = fields.String(required=True, validate=SLUG)
    title = fields.String(required=True, validate=TITLE)
    kind = fields.String(required=True, validate=validate.OneOf(
        SECTION_KINDS, error="must be one of: {choices}"))
    position = WholeNumber(required=True)
    expression = fields.String(validate=EXPRESSION)
    variable = fields.String(validate=VARIABLE)
    derivative = fields.String(validate=EXPRESSION)

    @validates_schema
    def _examples_name_their_problem(self, data: dict[str, Any], **kwargs: Any) -> None:
        worked = ("expression", "variable", "derivative")
        if data.get("kind") == "example":
            missing = {name: ["missing: a worked example must say which expression it "
                              "works and the derivative it finds"]
                       for name in ("expression", "derivative") if name not in data}
            if missing:
                raise ValidationError(missing)
        else:
            extra = {name: ["only a worked example (kind: example) names an expression"]
                     for name in worked if name in data}
            if extra:
                raise ValidationError(extra)


class ExerciseSchema(Schema):
    """One exercise of the bank."""

    class Meta:
        unknown = RAISE

    slug = fields.String(required=True, validate=SLUG)
    expression = fields.String(required=True, validate=EXPRESSION)
    variable = fields.String(load_default=DEFAULT_VARIABLE, validate=VARIABLE)
    difficulty = WholeNumber(required=True, validate=validate.Range(
        min=1, max=5, error="must be between {min} and {max}"))
    skills = fields.List(
        fields.String(validate=validate.OneOf(
            SKILL_NAMES, error="unknown skill {input!r}; the skills are: {choices}")),
        required=True,
        validate=validate.Length(min=1, error="must name at least one skill"),
    )
    family = fields.String(required=True, validate=validate.Length(
        min=1, max=64, error="must be between {min} and {max} characters long"))
    prompt = fields.String(load_default=None)
    lesson = fields.String(load_default=None, validate=SLUG)


class ExerciseFileSchema(Schema):
    """An ``exercises/*.yaml`` file: defaults for its exercises, then the list."""

    class Meta:
        unknown = RAISE

    family = fields.String(validate=validate.Length(min=1, max=64))
    lesson = fields.String(validate=SLUG)
    exercises = fields.List(fields.Dict(), required=True, validate=validate.Length(
        min=1, error="must list at least one exercise"))


@dataclass(frozen=True)
class FieldError:
    """A schema error at a path of keys inside the validated data.

    >>> str(FieldError(("skills", 1), "unknown skill 'x'"))
    "skills[1]: unknown skill 'x'"
    """

    path: tuple[str | int, ...]
    message: str

    def __str__(self) -> str:
        label = ""
        for key in self.path:
            label += f"[{key}]" if isinstance(key, int) else (f".{key}" if label else key)
        return f"{label}: {self.message}" if label else self.message


def load(schema: Schema, data: Any) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """Validate ``data``; the loaded values, or ``None`` and every error.

    >>> values, errors = load(ExerciseSchema(), {"slug": "a", "expression": "x^2",
    ...     "difficulty": 9, "skills": ["outer_derivative"], "family": "power"})
    >>> values, [str(error) for error in errors]
    (None, ['difficulty: must be between 1 and 5'])
    """
    try:
        return schema.load(data), []
    except ValidationError as err:
        errors = _flatten(err.messages, ())
        return None, [_explain_unknown(schema, error) for error in errors]


def _flatten(messages: Any, prefix: tuple[str | int, ...]) -> list[FieldError]:
    if isinstance(messages, Mapping):
        found: list[FieldError] = []
        for key, value in messages.items():
            # "_schema" holds errors about the whole object, not a field of it.
            path = prefix if key == "_schema" else prefix + (key,)
            found += _flatten(value, path)
        return found
    if isinstance(messages, list):
        return [error for item in messages for error in _flatten(item, prefix)]
    return [FieldError(prefix, _MESSAGES.get(str(messages), str(messages)))]


def _explain_unknown(schema: Schema, error: FieldError) -> FieldError:
    if error.message != _UNKNOWN:
        return error
    allowed = ", ".join(schema.fields)
    return FieldError(error.path, f"unknown field; the fields are: {allowed}")
