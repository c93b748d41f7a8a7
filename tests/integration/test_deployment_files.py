"""The deployment files: docker-compose.yml against the Compose Specification's
JSON schema, and the nginx template as nginx itself reads it.

``tests/data/compose-spec.json`` is ``schema/compose-spec.json`` of the
compose-spec/compose-spec repository (Apache-2.0), vendored unchanged so the
test runs offline.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from service.config import REPO_ROOT
from service.topology.nginx import NginxSettings, find_nginx, main_config, render

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
SCHEMA_FILE = REPO_ROOT / "tests" / "data" / "compose-spec.json"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text()))


def test_the_compose_file_follows_the_compose_specification(compose: dict[str, Any],
                                                            validator: jsonschema.Draft7Validator) -> None:
    errors = [f"{'/'.join(map(str, error.path))}: {error.message}" for error in validator.iter_errors(compose)]
    assert errors == []


def test_the_schema_check_does_catch_a_mistake(compose: dict[str, Any], validator: jsonschema.Draft7Validator) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["app"]["healthcheck"]["retires"] = 3  # a typo compose would reject
    assert any("retires" in error.message for error in validator.iter_errors(broken))


def test_the_stack_is_the_production_topology(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"nginx", "app", "worker", "migrate", "db", "redis"} <= set(services)
    app = services["app"]
    # Replicas of a stock gunicorn worker class, never migrating themselves.
    assert app["deploy"]["replicas"] == "${APP_REPLICAS:-2}"
    assert app["command"][app["command"].index("--worker-class") + 1] in {"sync", "gthread"}
    assert app["environment"]["AUTO_MIGRATE"] == "false"
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "/readyz" in " ".join(app["healthcheck"]["test"])
    # Only nginx is published; the app is reached through it.
    assert [name for name, service in services.items() if "ports" in service and name != "prometheus"] == ["nginx"]
    assert services["nginx"]["depends_on"]["app"]["condition"] == "service_healthy"
    for name in ("nginx", "app", "db", "redis"):
        assert "healthcheck" in services[name], name


def test_configuration_comes_only_from_the_environment(compose: dict[str, Any]) -> None:
    environment = compose["services"]["app"]["environment"]
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert "PROMETHEUS_MULTIPROC_DIR" in environment


def test_the_nginx_templates_are_what_compose_mounts(compose: dict[str, Any]) -> None:
    mounts = compose["services"]["nginx"]["volumes"]
    assert "./deploy/nginx:/etc/nginx/templates:ro" in mounts
    # The nginx image renders default.conf.template over its own welcome server.
    assert (REPO_ROOT / "deploy" / "nginx" / "default.conf.template").is_file()
    variables = set(compose["services"]["nginx"]["environment"])
    for template in (REPO_ROOT / "deploy" / "nginx").glob("*.template"):
        used = set(re.findall(r"\$\{(CT_\w+)\}", template.read_text()))
        assert used <= variables, f"{template.name} uses {used - variables} that compose does not set"


@pytest.mark.skipif(find_nginx() is None, reason="nginx is not installed (Debian: apt-get install nginx-light)")
def test_nginx_accepts_the_rendered_configuration(tmp_path: Path) -> None:
    conf_dir = tmp_path / "nginx"
    render(NginxSettings(listen="127.0.0.1:5298", upstreams=("127.0.0.1:5296", "127.0.0.1:5297")),
           conf_dir, tmp_path / "access.log")
    (tmp_path / "nginx.conf").write_text(main_config(tmp_path, conf_dir))
    (tmp_path / "nginx-temp").mkdir()
    checked = subprocess.run([find_nginx() or "nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    for rendered in conf_dir.iterdir():
        directives = [line for line in rendered.read_text().splitlines() if not line.lstrip().startswith("#")]
        assert not [line for line in directives if "${CT_" in line], rendered.name
    assert "$binary_remote_addr" in (conf_dir / "default.conf").read_text()
