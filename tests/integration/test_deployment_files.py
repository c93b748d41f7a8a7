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


class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping, as ``docker compose`` does.

    PyYAML keeps the last of two equal keys without a word: a second
    ``worker:`` service (left by a merge) hid the first and passed the schema.
    """


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    # The keys as written (a "<<" merge may be overridden, so merged keys do not count).
    keys = [key.value for key, _ in node.value
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge"]
    twice = sorted({str(key) for key in keys if keys.count(key) > 1})
    if twice:
        raise yaml.constructor.ConstructorError(None, None, f"keys given twice: {', '.join(twice)}",
                                                node.start_mark)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.load(COMPOSE_FILE.read_text(), Loader=_StrictLoader)  # noqa: S506 - a SafeLoader


def test_a_key_given_twice_is_refused() -> None:
    with pytest.raises(yaml.constructor.ConstructorError, match="worker"):
        yaml.load("services:\n  worker: {}\n  worker: {}\n", Loader=_StrictLoader)  # noqa: S506


def test_every_dependency_is_a_service_of_the_file(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        needed = service.get("depends_on") or {}
        assert set(needed) <= set(services), f"{name} depends on {set(needed) - set(services)}"


def test_each_process_runs_its_own_program(compose: dict[str, Any]) -> None:
    """nginx runs nginx; only the worker service delivers; the dashboards job runs on a loop."""
    services = compose["services"]
    assert "command" not in services["nginx"]
    assert services["worker"]["command"] == ["chain-tutor", "worker"]
    assert "--no-deliver" in services["app"]["command"]
    assert "chain-tutor dashboards refresh" in " ".join(services["dashboards"]["command"])
    assert services["dashboards"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


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
