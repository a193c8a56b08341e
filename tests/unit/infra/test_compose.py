"""docker-compose.yml, checked without an engine: a strict compose-spec parse plus the rules of this project."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from compose_spec import PyCompose, PyOptions

from newsmon.cli import app
from newsmon.infra import versions

ROOT = Path(__file__).resolve().parents[3]
INFRASTRUCTURE = {"kafka", "elasticsearch", "kibana"}
SETUP_JOBS = {"topics-apply": ["topics", "apply"], "es-apply": ["es", "apply"]}
SERVICES = {
    "ingestor": ["ingest"],
    "enricher": ["enrich"],
    "alerter": ["alert"],
    "indexer": ["index"],
    "webhooks": ["webhooks", "dispatch"],
}
_VARIABLE = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def interpolate(text: str, environ: dict[str, str]) -> str:
    """What compose does before validating: ${NAME}, ${NAME:-default} and ${NAME-default}."""
    return _VARIABLE.sub(lambda m: environ.get(m.group(1)) or (m.group(2) or ""), text)


@pytest.fixture(scope="module")
def compose() -> PyCompose:
    text = interpolate((ROOT / "docker-compose.yml").read_text(), dict(os.environ))
    parsed = PyOptions(apply_merge=True).from_yaml(text)  # raises on any key or type the spec does not allow
    parsed.validate()  # networks, volumes, configs and secrets referenced by services are defined
    return parsed


def service(compose: PyCompose, name: str) -> Any:
    found = compose.get_service(name)
    assert found is not None, f"docker-compose.yml has no service {name!r}"
    return found


def test_every_expected_service_is_there(compose: PyCompose) -> None:
    names = set(compose.service_names())
    assert INFRASTRUCTURE | set(SETUP_JOBS) | set(SERVICES) <= names


def test_infrastructure_images_are_the_versions_newsmon_runs_locally(compose: PyCompose) -> None:
    assert service(compose, "kafka").image == versions.KAFKA_IMAGE
    assert service(compose, "elasticsearch").image == versions.ELASTICSEARCH_IMAGE
    assert service(compose, "kibana").image == versions.KIBANA_IMAGE
    assert versions.KAFKA_IMAGE.endswith(":" + versions.KAFKA_VERSION)
    assert versions.ELASTICSEARCH_IMAGE.endswith(":" + versions.ELASTICSEARCH_VERSION)


def test_kafka_runs_in_kraft_mode(compose: PyCompose) -> None:
    environment = dict(service(compose, "kafka").environment)
    assert environment["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "KAFKA_ZOOKEEPER_CONNECT" not in environment


@pytest.mark.parametrize(("name", "command"), [*SERVICES.items(), *SETUP_JOBS.items()])
def test_newsmon_services_share_one_image_with_their_own_command(
    compose: PyCompose, name: str, command: list[str]
) -> None:
    spec = service(compose, name)
    assert spec.image.startswith("newsmon:")
    assert list(spec.command) == command
    assert dict(spec.environment)["NEWSMON_KAFKA__BOOTSTRAP"] == "kafka:9092"


@pytest.mark.parametrize("name", [*INFRASTRUCTURE, *SERVICES])
def test_long_running_services_have_healthchecks(compose: PyCompose, name: str) -> None:
    healthcheck = service(compose, name).healthcheck
    assert healthcheck is not None
    assert not healthcheck.disable
    assert healthcheck.test


@pytest.mark.parametrize("name", SETUP_JOBS)
def test_setup_jobs_run_once_after_their_server_is_healthy(compose: PyCompose, name: str) -> None:
    spec = service(compose, name)
    assert str(getattr(spec.restart, "value", spec.restart)) == "no"
    conditions = {target: str(dep.condition.value) for target, dep in spec.depends_on.items()}
    assert set(conditions.values()) == {"service_healthy"}


def test_dependencies_point_at_existing_services_and_services_wait_for_setup(compose: PyCompose) -> None:
    names = set(compose.service_names())
    for name in names:
        depends_on = service(compose, name).depends_on or {}
        assert set(depends_on) <= names, f"{name} depends on an undefined service"
    for name in SERVICES:
        condition = service(compose, name).depends_on["topics-apply"].condition.value
        assert condition == "service_completed_successfully"
    assert "es-apply" in service(compose, "indexer").depends_on


@pytest.mark.parametrize("command", [*SERVICES.values(), *SETUP_JOBS.values()], ids=" ".join)
def test_commands_exist_in_the_newsmon_cli(command: list[str]) -> None:
    group: Any = typer.main.get_command(app)
    for word in command:
        subcommands = getattr(group, "commands", None)
        assert subcommands is not None, f"`newsmon {' '.join(command)}`: {group.name} has no subcommands"
        assert word in subcommands, f"`newsmon {' '.join(command)}` is not a registered command"
        group = subcommands[word]


def test_dockerfile_installs_newsmon_as_the_entrypoint() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["newsmon"]' in dockerfile
    assert "USER newsmon" in dockerfile
    assert "FROM python:3.11" in dockerfile
