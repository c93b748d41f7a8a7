"""Schema-driven fuzzing: schemathesis generates requests from the OpenAPI
document (valid and invalid bodies, odd query strings, random ids) against
the app in-process, with the credentials each operation asks for. No answer
may be a 5xx, and each must match the schema the document gives it. The app
runs with TESTING on, so an unhandled exception fails the test with its
traceback rather than hiding behind a 500.
"""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from tests.api.conftest import Cast
from tests.factories import make_exercise, make_lesson

# Enough to reach every branch of the schemas, few enough to stay well under a minute.
MAX_EXAMPLES = 40


@pytest.fixture
def api_schema(app: Flask, cast: Cast, session) -> schemathesis.BaseSchema:
    make_lesson(session, "chain-rule")
    make_exercise(session, slug="cube")
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


def credentials_for(case: schemathesis.Case, cast: Cast) -> dict[str, str]:
    """The headers of a caller the operation admits (its first security scheme)."""
    security = case.operation.definition.raw.get("security") or [{}]
    scheme = next(iter(security[0]), None)
    if scheme == "learnerToken":
        return cast.headers("learner")
    if scheme in ("instructorKey", "instructorPassword"):
        return cast.headers("instructor")
    return {}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_no_operation_answers_5xx(case: schemathesis.Case, cast: Cast) -> None:
    response = case.call(headers=credentials_for(case, cast))
    # No 5xx, and every answer, error or not, has the shape the document gives it.
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance,
                                             content_type_conformance])
    if response.status_code >= 400:
        assert response.json()["error"]["status"] == response.status_code
