"""Debian's Burrow against our Kafka 4 broker — documented as not working (docs/operations.md#burrow).

Strict xfail: the day a Burrow that speaks Kafka 4 is installed, this test passes, fails the run as XPASS, and the
documentation must change. Needs ``Burrow`` (apt-get install burrow) and a ZooKeeper jar (apt-get install
zookeeper), since Burrow 1.x will not start without ZooKeeper; skipped otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from ops_helpers import consume_and_commit, free_port, produce_articles

from newsmon.lag import measure_lag
from newsmon.settings import KafkaSettings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BURROW = shutil.which("Burrow") or shutil.which("burrow")
ZOOKEEPER_JAR = Path("/usr/share/java/zookeeper.jar")
needs_burrow = pytest.mark.skipif(
    BURROW is None or not ZOOKEEPER_JAR.exists(),
    reason="Debian's burrow and zookeeper packages are not installed (apt-get install burrow zookeeper)",
)


@pytest.fixture
def zookeeper(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    config = tmp_path / "zoo.cfg"
    config.write_text(
        f"tickTime=2000\ndataDir={tmp_path / 'zk'}\nclientPort={port}\nclientPortAddress=127.0.0.1\n"
        "admin.enableServer=false\n"
    )
    java = shutil.which("java") or "java"
    process = subprocess.Popen(
        [java, "-Xmx128m", "-cp", f"{ZOOKEEPER_JAR}:/usr/share/java/*",
         "org.apache.zookeeper.server.ZooKeeperServerMain", str(config)],
        stdout=(tmp_path / "zk.log").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("ZooKeeper did not start:\n" + (tmp_path / "zk.log").read_text()[-2000:])
            time.sleep(0.3)
    yield f"127.0.0.1:{port}"
    process.terminate()
    process.wait(30)


def burrow_config(directory: Path, bootstrap: str, zookeeper: str, http_port: int) -> None:
    directory.mkdir(exist_ok=True)
    (directory / "burrow.toml").write_text(f"""
[general]
pidfile = "{directory / "burrow.pid"}"
[logging]
level = "info"
[zookeeper]
servers = ["{zookeeper}"]
timeout = 6
root-path = "/burrow"
[client-profile.kafka]
client-id = "burrow-newsmon-test"
kafka-version = "2.1.0"
[cluster.local]
class-name = "kafka"
servers = ["{bootstrap}"]
client-profile = "kafka"
topic-refresh = 5
offset-refresh = 2
[consumer.local]
class-name = "kafka"
cluster = "local"
servers = ["{bootstrap}"]
client-profile = "kafka"
start-latest = false
[httpserver.default]
address = "127.0.0.1:{http_port}"
[storage.default]
class-name = "inmemory"
workers = 2
intervals = 5
min-distance = 1
""")


def start_burrow(directory: Path, log: Path) -> subprocess.Popen[bytes]:
    assert BURROW is not None
    return subprocess.Popen([BURROW, "-config-dir", str(directory)], stdout=log.open("wb"), stderr=subprocess.STDOUT)


@needs_burrow
@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="Debian's Burrow 1.2.1 (sarama 1.22) cannot read Kafka 4: offset requests end in EOF and "
    "__consumer_offsets records (value versions 3 and 4) do not decode",
)
async def test_debian_burrow_reports_the_same_lag(
    kafka_bootstrap: str,
    kafka_settings: KafkaSettings,
    ops_prefix: str,
    create_topic: Callable[[str, int], Any],
    raw_producer: AIOKafkaProducer,
    zookeeper: str,
    tmp_path: Path,
) -> None:
    assert BURROW is not None
    topic = await create_topic(f"{ops_prefix}articles.raw", 1)
    group = f"newsmon-{ops_prefix}enricher"
    await produce_articles(raw_producer, topic, 10)
    await consume_and_commit(kafka_bootstrap, group, topic, 4)
    ours = (await measure_lag(kafka_settings, groups=[group])).group(group).total_lag

    port = free_port()
    burrow_config(tmp_path / "burrow", kafka_bootstrap, zookeeper, port)
    log = tmp_path / "burrow.log"
    process = start_burrow(tmp_path / "burrow", log)
    theirs = None
    try:
        deadline = time.monotonic() + 30
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            # Burrow itself must be up and know the cluster: anything else is a broken test, not the known gap
            while time.monotonic() < deadline:
                await asyncio.sleep(1)
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/v3/kafka")).json().get("clusters") == ["local"]:
                        break
            else:
                pytest.fail("Burrow did not start:\n" + log.read_text()[-3000:])
            while time.monotonic() < deadline and theirs is None:
                await asyncio.sleep(1)
                try:
                    response = await client.get(f"/v3/kafka/local/consumer/{group}/lag")
                except httpx.HTTPError:
                    continue
                if response.status_code == 200 and not response.json().get("error"):
                    theirs = response.json()["status"]["totallag"]
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 30)
    assert theirs == ours == 6
