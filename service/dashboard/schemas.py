"""What the dashboard's pages and forms accept, as marshmallow schemas.

Query strings come from links a person may have edited by hand, so every
value is checked here and a bad one is a 400 page naming the field, never
a 500 from the database.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from service.tutor.skills import SKILL_NAMES
from service.usecases.dashboard import DashboardFilter, PageRequest
from service.usecases.dashboard.filters import MAX_PER_PAGE


class FilterArgsSchema(ma.Schema):
    """The filters and paging every dashboard list takes from its query string."""

    # Unknown arguments (a tracking parameter, a stale bookmark) are ignored, not errors.
    class Meta:
        unknown = ma.EXCLUDE

    since = ma.fields.Date(load_default=None)
    until = ma.fields.Date(load_default=None)
    skill = ma.fields.String(load_default=None, validate=ma.validate.OneOf(SKILL_NAMES))
    q = ma.fields.String(load_default=None, validate=ma.validate.Length(max=100))
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))
    per_page = ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE))

    @ma.pre_load
    def drop_empty(self, data: Any, **kwargs: Any) -> dict[str, Any]:
        """An empty form field means "no filter", not an invalid value."""
        items = data.items() if isinstance(data, MultiDict) else dict(data).items()
        return {key: value for key, value in items if value not in ("", None)}

    @ma.validates_schema
    def dates_in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ma.ValidationError("The first day comes after the last day.", "until")


class LoginSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    email = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=254))
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1024))
    next = ma.fields.String(load_default=None)


class CourseFormSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))

    @ma.pre_load
    def strip_title(self, data: Any, **kwargs: Any) -> dict[str, Any]:
        return {"title": str(data.get("title", "")).strip()}


def read_filters(args: MultiDict[str, str], course_id: int,
                 default_per_page: int | None = None) -> tuple[DashboardFilter, PageRequest]:
    """The filter and page a query string asks for; raises ``ValidationError``.

    >>> flt, page = read_filters(MultiDict({"q": "ada", "page": "2"}), 7)
    >>> flt.course_id, flt.search, page.page
    (7, 'ada', 2)
    """
    data = FilterArgsSchema().load(args)
    flt = DashboardFilter(course_id=course_id, since=data["since"], until=data["until"],
                          skill=data["skill"], search=(data["q"] or "").strip() or None)
    per_page = data["per_page"] or default_per_page or PageRequest().per_page
    return flt, PageRequest(page=data["page"], per_page=per_page)


def filter_query(flt: DashboardFilter) -> dict[str, str]:
    """The query-string form of a filter, for links that keep it (paging, exports).

    >>> filter_query(DashboardFilter(course_id=1, skill="long_chains"))
    {'skill': 'long_chains'}
    """
    values = {"since": flt.since, "until": flt.until, "skill": flt.skill, "q": flt.search}
    return {key: str(value) for key, value in values.items() if value}
