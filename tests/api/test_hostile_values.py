"""No 500 from bad input, anywhere: hostile values in every parameter of every route.

Hypothesis picks a route and a place, and puts one hostile value there:
JSON nested 1,000 deep, a 5,000-digit integer, a lone surrogate, NUL,
control characters, an overlong string, non-finite numbers. The places
are every property of every API body and every path and query parameter
(all read from the service's own OpenAPI document), the dashboard's forms
and query strings, and the ``Authorization`` header (Basic with NUL or
invalid UTF-8, odd Bearer tokens). Only 2xx, 3xx and 4xx answers are
accepted; the app runs with TESTING on, so an unhandled exception fails
the test with its traceback.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import Cast
from tests.factories import DEFAULT_PASSWORD

DEEP = "[" * 1000 + "]" * 1000
# Raw JSON text of each hostile value (surrogates as \u escapes, which is how JSON carries them).
HOSTILE_JSON: list[str] = [
    DEEP,
    '{"a":' * 600 + "1" + "}" * 600,
    "9" * 5000,
    "-" + "9" * 5000,
    "1e99999",
    "NaN",
    "Infinity",
    json.dumps("\ud800"),
    json.dumps("x\udfffy"),
    json.dumps("a\x00b"),
    json.dumps("\x01\x02\x1b[31m\x7f\u200b\ufeff"),
    json.dumps("x" * 60_000),
    json.dumps("(" * 5000),
    "[]",
    "{}",
    "null",
    "true",
    "-0",
]
# The same ideas as URL text (path segments, query strings, form fields): %-escaped bytes.
HOSTILE_TEXT: list[str] = [
    "%00", "a%00b", "%ED%A0%80", "%FF%FE", "%C0%80", "%01%1B%7F", "x" * 5000, "9" * 5000,
    "-" + "9" * 5000, "%E2%80%8B", "..%2F..%2Fetc", "%25", "NaN", "1e99999", "[" * 1000,
]
BASIC_CREDENTIALS: list[bytes] = [
    b"a\x00b@example.org:pw", b"teacher@example.org:\x00", b"\xed\xa0\x80:\xed\xa0\x80", b"\xff\xfe:x",
    b"no-colon-at-all", b":", b"x" * 5000 + b":y", b"teacher@example.org:" + b"p" * 5000,
]
BEARER_TOKENS: list[str] = ["lt_", "ik_" + "x" * 5000, "is_.", "is_" + "A" * 5000, "lt_\x7f", "\t", "%00"]

DASHBOARD_QUERY = ("since", "until", "skill", "q", "page", "per_page")
DASHBOARD_PAGES = ("/", "mastery", "misconceptions", "exercises", "export/attempts.csv", "export/mastery.csv")


def api_operations(client: FlaskClient) -> list[dict[str, Any]]:
    """Every operation of the OpenAPI document: method, path, parameters, body properties."""
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            parameters = operation.get("parameters", []) + item.get("parameters", [])
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            properties = []
            if body is not None:
                properties = list(schemas[body["$ref"].rsplit("/", 1)[-1]].get("properties", {}))
            found.append({"method": method.upper(), "path": path, "parameters": parameters,
                          "properties": properties})
    return found


def valid_path(path: str, cast: Cast) -> str:
    values = {"learner_id": cast.learner.id, "course_id": str(cast.course_id), "slug": "cube",
              "conversation_id": "0" * 32}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), path)


def body_with(properties: list[str], hostile_at: str | None, hostile: str) -> str:
    """A JSON body: plausible values, one of them (or the whole body) replaced by raw hostile JSON."""
    parts = [f'{json.dumps(name)}: {hostile if name == hostile_at else json.dumps("x")}' for name in properties]
    if hostile_at is None:
        return hostile
    return "{" + ", ".join(parts) + "}"


def assert_no_server_error(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what} -> {response.status_code}: {response.get_data(as_text=True)[:300]}"


SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


@SETTINGS
@given(data=st.data())
def test_no_api_parameter_gives_a_500(app: Flask, cast: Cast, data: st.DataObject) -> None:
    client = app.test_client()
    operation = data.draw(st.sampled_from(api_operations(client)), label="operation")
    who = data.draw(st.sampled_from(["anonymous", "learner", "instructor"]), label="caller")
    headers = {**cast.headers(who), "Content-Type": "application/json"}
    path = valid_path(operation["path"], cast)
    places = ["path", "query"] + ([None, *operation["properties"]] if operation["method"] != "GET" else [])
    place = data.draw(st.sampled_from(places), label="place")
    body = body_with(operation["properties"], None, "{}") if operation["method"] != "GET" else None
    if place == "path" and "{" in operation["path"]:
        hostile = data.draw(st.sampled_from(HOSTILE_TEXT), label="value")
        path = re.sub(r"\{\w+\}", hostile, operation["path"], count=1)
        path = valid_path(path, cast)
    elif place == "query":
        names = [p["name"] for p in operation["parameters"] if p["in"] == "query"] or ["q"]
        name = data.draw(st.sampled_from(names), label="query parameter")
        path += f"?{name}={data.draw(st.sampled_from(HOSTILE_TEXT), label='value')}"
    elif place != "path":
        body = body_with(operation["properties"], place, data.draw(st.sampled_from(HOSTILE_JSON), label="value"))
    response = client.open(path, method=operation["method"], data=body, headers=headers)
    assert_no_server_error(response, f"{operation['method']} {path} {place}")


@pytest.fixture
def dashboard(app: Flask, cast: Cast) -> FlaskClient:
    client = app.test_client()
    page = client.get("/dashboard/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client.post("/dashboard/login", data={"email": cast.instructor_email, "password": DEFAULT_PASSWORD,
                                           "csrf_token": token, "next": ""})
    return client


def csrf(client: FlaskClient) -> str:
    page = client.get("/dashboard/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


@SETTINGS
@given(data=st.data())
def test_no_dashboard_form_or_query_gives_a_500(dashboard: FlaskClient, cast: Cast, data: st.DataObject) -> None:
    hostile = data.draw(st.sampled_from(HOSTILE_TEXT), label="value")
    kind = data.draw(st.sampled_from(["query", "login", "course", "learner", "next"]), label="where")
    base = f"/dashboard/courses/{cast.course_id}/"
    if kind == "query":
        page = data.draw(st.sampled_from(DASHBOARD_PAGES), label="page")
        name = data.draw(st.sampled_from(DASHBOARD_QUERY), label="parameter")
        url = (base if page == "/" else base + page) + f"?{name}={hostile}"
        response = dashboard.get(url)
        response.get_data()  # a CSV export streams: read it all
    elif kind == "learner":
        url = base + "learners/" + hostile
        response = dashboard.get(url)
    elif kind == "next":
        url = f"/dashboard/login?next={hostile}"
        response = dashboard.get(url)
    elif kind == "course":
        url = "/dashboard/courses"
        response = dashboard.post(url, data=f"title={hostile}&csrf_token={quote(csrf(dashboard))}",
                                  content_type="application/x-www-form-urlencoded")
    else:
        url = "/dashboard/login"
        anonymous = dashboard.application.test_client()
        page = anonymous.get(url).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        field = data.draw(st.sampled_from(["email", "password", "next"]), label="field")
        fields = {"email": "teacher%40example.org", "password": "x", "next": "", field: hostile}
        form = "&".join(f"{k}={v}" for k, v in fields.items()) + f"&csrf_token={quote(token)}"
        response = anonymous.post(url, data=form, content_type="application/x-www-form-urlencoded")
    assert_no_server_error(response, f"{kind} {url[:200]}")


@SETTINGS
@given(data=st.data())
def test_no_authorization_header_gives_a_500(app: Flask, cast: Cast, data: st.DataObject) -> None:
    client = app.test_client()
    if data.draw(st.booleans(), label="basic"):
        raw = data.draw(st.sampled_from(BASIC_CREDENTIALS), label="credentials")
        header = "Basic " + base64.b64encode(raw).decode()
    else:
        header = "Bearer " + data.draw(st.sampled_from(BEARER_TOKENS), label="token")
    path = data.draw(st.sampled_from(["/api/v1/instructors/me", f"/api/v1/learners/{cast.learner.id}",
                                      "/api/v1/courses", "/api/v1/ping"]), label="path")
    response = client.get(path, headers={"Authorization": header})
    assert_no_server_error(response, f"{header[:60]!r} {path}")
