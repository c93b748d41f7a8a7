"""The OpenAPI document: valid, complete, served, and browsable offline."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from service.api import BLUEPRINTS


@pytest.fixture
def spec(client: FlaskClient) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def _api_routes(app: Flask) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every view of the API's blueprints."""
    names = {blueprint.name for blueprint in BLUEPRINTS}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in names:
            continue
        # "/courses/<int(max=9):course_id>" -> "/courses/{course_id}"
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        routes |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_the_document_is_valid_openapi(spec: dict) -> None:
    validate(spec)
    assert spec["openapi"] == "3.0.3"
    assert spec["info"]["title"] == "Chain Tutor"


# Actions on a resource named by the path alone, with no request body.
BODILESS_ACTIONS = ("/rotate-secret", "/replay")


def test_every_route_is_documented_with_its_schemas(app: Flask, spec: dict) -> None:
    routes = _api_routes(app)
    assert len(routes) >= 16
    for method, path in routes:
        operation = spec["paths"][path][method]
        assert operation["summary"], (method, path)
        success = [code for code in operation["responses"] if code.startswith("2")]
        assert success, (method, path)
        if success != ["204"]:  # 204: no content by definition (DELETE /webhooks/{id})
            assert "content" in operation["responses"][success[0]], (method, path)
        if method == "post" and not path.endswith(BODILESS_ACTIONS):
            assert "application/json" in operation["requestBody"]["content"], path


def test_the_contract_shapes_are_described(spec: dict) -> None:
    schemas = spec["components"]["schemas"]
    solution = schemas["Solution"]["properties"]
    assert {"variable", "expression", "derivative", "latex", "mathml", "pure_chain",
            "links", "steps"} <= set(solution)
    assert set(schemas["Verdict"]["properties"]) == {"correct", "misconception", "feedback"}
    assert {"attempts", "solved", "hints", "mastery"} <= set(schemas["Progress"]["properties"])
    assert schemas["Error"]["properties"]["error"]["$ref"].endswith("/ErrorDetail")


def test_routes_that_need_a_credential_say_which(spec: dict) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["learnerToken"] == {**schemes["learnerToken"], "type": "http", "scheme": "bearer"}
    progress = spec["paths"]["/api/v1/learners/{learner_id}/progress"]["get"]
    assert {"learnerToken": []} in progress["security"]
    assert {"instructorKey": []} in spec["paths"]["/api/v1/courses"]["post"]["security"]
    assert "security" not in spec["paths"]["/api/v1/solve"]["post"]


def test_the_docs_page_is_served_with_its_scripts(client: FlaskClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "/api/v1/openapi.json" in html
    # The scripts come from this server, not a CDN: the page works offline.
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in html
    script = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.data
    script.close()
