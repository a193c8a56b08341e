"""A second, independent local stack: `infra up`, `status`, `down` through the real CLI leave nothing behind.

Runs on free ports in its own run directory, so it never touches the shared dev stack or the session's servers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from newsmon.infra import versions
from newsmon.infra.local_kafka import LocalKafka
from newsmon.infra.processes import cmdline, free_port, port_in_use
from newsmon.settings import InfraSettings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NEWSMON = [sys.executable, "-m", "newsmon.cli"]


@pytest.fixture
def run_dir() -> Iterator[Path]:
    # Not tmp_path (mode 0700): the Elasticsearch user must be able to enter it.
    path = Path(tempfile.mkdtemp(prefix="newsmon-second-stack-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _environment(run_dir: Path) -> dict[str, str]:
    ports = {name: str(free_port()) for name in ("KAFKA_PORT", "KAFKA_CONTROLLER_PORT", "ES_PORT", "ES_TRANSPORT_PORT")}
    return {
        **os.environ,
        "NEWSMON_INFRA__RUN_DIR": str(run_dir),
        **{f"NEWSMON_INFRA__{name}": port for name, port in ports.items()},
    }


def _newsmon(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*NEWSMON, *args], env=env, capture_output=True, text=True, timeout=300, check=False)
    if check:
        assert result.returncode == 0, f"newsmon {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def test_up_status_down_of_a_second_stack_leaves_no_process(run_dir: Path) -> None:
    env = _environment(run_dir)
    kafka_port, es_port = int(env["NEWSMON_INFRA__KAFKA_PORT"]), int(env["NEWSMON_INFRA__ES_PORT"])
    try:
        started = json.loads(_newsmon("infra", "up", "--json", env=env).stdout)
        pids = {server["name"]: server["pid"] for server in started["servers"]}
        assert set(pids) == {"kafka", "elasticsearch"}

        status = {s["name"]: s for s in json.loads(_newsmon("infra", "status", "--json", env=env).stdout)}
        assert status["kafka"]["state"] == "running"
        assert versions.KAFKA_VERSION in status["kafka"]["version"]
        assert "1 broker(s)" in status["kafka"]["detail"]
        assert status["elasticsearch"]["state"] == "running"
        assert status["elasticsearch"]["version"] == versions.ELASTICSEARCH_VERSION

        health = httpx.get(f"http://127.0.0.1:{es_port}/_cluster/health", timeout=10)
        assert health.status_code == 200
        assert health.headers["X-Elastic-Product"] == "Elasticsearch"

        again = json.loads(_newsmon("infra", "up", "--json", env=env).stdout)
        assert {s["name"]: s["already_running"] for s in again["servers"]} == {"kafka": True, "elasticsearch": True}
    finally:
        stopped = json.loads(_newsmon("infra", "down", "--json", env=env).stdout)

    assert stopped == {"kafka": True, "elasticsearch": True}
    for name, pid in pids.items():
        assert cmdline(pid) is None, f"{name} (pid {pid}) is still running"
    assert not port_in_use("127.0.0.1", kafka_port)
    assert not port_in_use("127.0.0.1", es_port)
    after = _newsmon("infra", "status", "--json", env=env, check=False)
    assert after.returncode == 3
    assert {s["state"] for s in json.loads(after.stdout)} == {"stopped"}
    assert json.loads(_newsmon("infra", "down", "--json", env=env).stdout) == {"kafka": False, "elasticsearch": False}


async def test_a_restarted_broker_keeps_its_records(run_dir: Path) -> None:
    kafka = LocalKafka(InfraSettings(run_dir=run_dir, kafka_port=free_port(), kafka_controller_port=free_port()))
    kafka.start()
    try:
        producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait("kept", b"before restart")
        finally:
            await producer.stop()

        first_pid = kafka.pid()
        result = kafka.restart()
        assert result.pid != first_pid
        assert first_pid is not None
        assert cmdline(first_pid) is None

        consumer = AIOKafkaConsumer("kept", bootstrap_servers=kafka.bootstrap, auto_offset_reset="earliest")
        await consumer.start()
        try:
            record = await consumer.getone()
        finally:
            await consumer.stop()
        assert record.value == b"before restart"
    finally:
        assert kafka.stop() is True
    assert not kafka.is_running()
