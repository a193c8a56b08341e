"""deploy/compose/docker-compose.scale.yml, checked without an engine: a strict compose-spec parse (the parser the
infra tests pin for docker-compose.yml) plus what makes it a scale-out: three KRaft brokers in one quorum, three
Elasticsearch nodes in one cluster, two replicas of every consumer service, the same images as the main file."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from compose_spec import PyCompose, PyOptions

from newsmon.infra import versions

ROOT = Path(__file__).resolve().parents[3]
SCALE_FILE = ROOT / "deploy" / "compose" / "docker-compose.scale.yml"
BROKERS = ("kafka-1", "kafka-2", "kafka-3")
NODES = ("es-1", "es-2", "es-3")
CONSUMERS = {"enricher": ["enrich"], "alerter": ["alert"], "indexer": ["index"], "webhooks": ["webhooks", "dispatch"]}
_VARIABLE = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def interpolate(text: str, environ: dict[str, str]) -> str:
    return _VARIABLE.sub(lambda m: environ.get(m.group(1)) or (m.group(2) or ""), text)


@pytest.fixture(scope="module")
def compose() -> PyCompose:
    parsed = PyOptions(apply_merge=True).from_yaml(interpolate(SCALE_FILE.read_text(), dict(os.environ)))
    parsed.validate()
    return parsed


@pytest.fixture(scope="module")
def main_compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(interpolate((ROOT / "docker-compose.yml").read_text(), dict(os.environ)))
    return loaded


def service(compose: PyCompose, name: str) -> Any:
    found = compose.get_service(name)
    assert found is not None, f"{SCALE_FILE.name} has no service {name!r}"
    return found


def environment(compose: PyCompose, name: str) -> dict[str, str]:
    return {str(key): str(value) for key, value in dict(service(compose, name).environment).items()}


def test_same_images_as_the_main_compose_file(compose: PyCompose, main_compose: dict[str, Any]) -> None:
    for broker in BROKERS:
        assert service(compose, broker).image == versions.KAFKA_IMAGE == main_compose["services"]["kafka"]["image"]
    for node in NODES:
        assert service(compose, node).image == versions.ELASTICSEARCH_IMAGE
    assert service(compose, "kibana").image == versions.KIBANA_IMAGE
    for name in CONSUMERS:
        assert service(compose, name).image == main_compose["services"][name]["image"]


def test_three_kraft_brokers_form_one_quorum(compose: PyCompose) -> None:
    envs = [environment(compose, broker) for broker in BROKERS]
    assert sorted(env["KAFKA_NODE_ID"] for env in envs) == ["1", "2", "3"]
    assert {env["KAFKA_PROCESS_ROLES"] for env in envs} == {"broker,controller"}
    cluster_ids = {env["CLUSTER_ID"] for env in envs}
    assert len(cluster_ids) == 1
    assert cluster_ids != {""}
    voters = {env["KAFKA_CONTROLLER_QUORUM_VOTERS"] for env in envs}
    assert voters == {"1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093"}
    for broker, env in zip(BROKERS, envs, strict=True):
        assert env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{broker}:9092"
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
        assert "KAFKA_ZOOKEEPER_CONNECT" not in env
    assert len({tuple(service(compose, b).volumes or ()) for b in BROKERS}) == 3  # a data volume each


def test_three_elasticsearch_nodes_form_one_cluster(compose: PyCompose) -> None:
    envs = {node: environment(compose, node) for node in NODES}
    assert {env["cluster.name"] for env in envs.values()} == {"newsmon"}
    for node, env in envs.items():
        assert env["node.name"] == node
        assert env["cluster.initial_master_nodes"] == ",".join(NODES)
        assert set(env["discovery.seed_hosts"].split(",")) == set(NODES) - {node}
        assert "discovery.type" not in env  # single-node discovery would make three clusters of one


@pytest.mark.parametrize(("name", "command"), CONSUMERS.items())
def test_two_replicas_of_every_consumer_service_on_all_brokers(
    compose: PyCompose, name: str, command: list[str]
) -> None:
    spec = service(compose, name)
    assert list(spec.command) == command
    assert spec.deploy.replicas == 2
    env = environment(compose, name)
    assert env["NEWSMON_KAFKA__BOOTSTRAP"] == ",".join(f"{broker}:9092" for broker in BROKERS)
    assert not any(key.endswith("__GROUP") or key.endswith("__APP_ID") for key in env)  # replicas share the group
    assert set(spec.depends_on) >= {*BROKERS, "topics-apply"}


def test_stored_data_is_replicated(compose: PyCompose) -> None:
    env = environment(compose, "indexer")
    assert int(env["NEWSMON_INDEXER__REPLICAS"]) >= 1
    assert env["NEWSMON_ALERTER__REPLICATION_FACTOR"] == "3"


def test_transactional_and_setup_services_stay_single(compose: PyCompose) -> None:
    for name in ("ingestor", "topics-apply", "es-apply"):
        assert service(compose, name).deploy.replicas == 1


def test_dependencies_point_at_existing_services(compose: PyCompose) -> None:
    names = set(compose.service_names())
    for name in names:
        assert set(service(compose, name).depends_on or {}) <= names, f"{name} depends on an undefined service"
