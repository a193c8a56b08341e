"""A real Apache Kafka broker (KRaft, one combined broker+controller) run from the pinned jars."""

from __future__ import annotations

import base64
import logging
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from newsmon.errors import ConfigurationError
from newsmon.infra import artifacts, versions
from newsmon.infra.jdk import java_for_kafka
from newsmon.infra.processes import (
    exclusive,
    port_in_use,
    require_free_port,
    running_pid,
    stop_process,
    tail,
    write_pid,
)
from newsmon.settings import InfraSettings

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
STARTED_LINE = "Kafka Server started"

LOG4J2_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <RollingFile name="server" fileName="{logs}/server.log" filePattern="{logs}/server.log.%i">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy max="3"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Logger name="org.apache.kafka.common.config.AbstractConfig" level="WARN"/>
    <Logger name="org.apache.kafka.common.utils.AppInfoParser" level="WARN"/>
    <Logger name="kafka.server.KafkaConfig" level="WARN"/>
    <Root level="INFO"><AppenderRef ref="server"/></Root>
  </Loggers>
</Configuration>
"""


@dataclass(frozen=True)
class StartResult:
    name: str
    address: str
    pid: int
    seconds: float
    already_running: bool
    downloaded: bool
    detail: str = ""


def new_cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes, URL-safe base64 without padding, not starting with '-'."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


class LocalKafka:
    """One broker with its own run directory and ports; several can run side by side."""

    name = "kafka"

    def __init__(self, settings: InfraSettings) -> None:
        self.settings = settings
        self.dir = (settings.run_dir / "kafka").resolve()
        self.cache_dir = settings.cache_dir.expanduser().resolve()

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.settings.kafka_port}"

    @property
    def data_dir(self) -> Path:
        return self.dir / "data"

    @property
    def logs_dir(self) -> Path:
        return self.dir / "logs"

    @property
    def pid_file(self) -> Path:
        return self.dir / "kafka.pid"

    @property
    def config_file(self) -> Path:
        return self.dir / "server.properties"

    @property
    def server_log(self) -> Path:
        return self.logs_dir / "server.log"

    @property
    def markers(self) -> tuple[str, ...]:
        return ("kafka.Kafka", str(self.config_file))

    @property
    def version(self) -> str:
        return versions.KAFKA_VERSION

    @property
    def lock_file(self) -> Path:
        return self.dir / ".lock"

    def pid(self) -> int | None:
        return running_pid(self.pid_file, self.markers)

    def is_running(self) -> bool:
        return self.pid() is not None

    def prepare(self) -> bool:
        """Download (once) and verify the jars; True when something was downloaded."""
        _libs, downloaded = artifacts.ensure_kafka(self.cache_dir)
        return downloaded

    def start(self, timeout: float | None = None) -> StartResult:
        with exclusive(self.lock_file, what=self.name):
            return self._start(timeout)

    def _start(self, timeout: float | None) -> StartResult:
        began = time.monotonic()
        existing = self.pid()
        if existing is not None:
            return StartResult(self.name, self.bootstrap, existing, 0.0, True, False)
        java = java_for_kafka()
        downloaded = self.prepare()
        for port, setting in (
            (self.settings.kafka_port, "NEWSMON_INFRA__KAFKA_PORT"),
            (self.settings.kafka_controller_port, "NEWSMON_INFRA__KAFKA_CONTROLLER_PORT"),
        ):
            require_free_port(HOST, port, what=f"Kafka {versions.KAFKA_VERSION}", setting=setting)
        self._write_config()
        classpath = f"{artifacts.kafka_libs_dir(self.cache_dir)}/*"
        jvm = [
            str(java.executable),
            f"-Xmx{self.settings.kafka_heap}",
            "-Xms128m",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.dir / 'log4j2.xml'}",
            f"-Dkafka.logs.dir={self.logs_dir}",
            "-cp",
            classpath,
        ]
        self._format_storage(jvm)
        log_offset = self.server_log.stat().st_size if self.server_log.exists() else 0
        stdout_log = (self.logs_dir / "stdout.log").open("ab")
        with stdout_log:
            process = subprocess.Popen(
                [*jvm, "kafka.Kafka", str(self.config_file)],
                cwd=self.dir,
                stdin=subprocess.DEVNULL,
                stdout=stdout_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C in the terminal that ran `infra up` must not stop the broker
            )
        write_pid(self.pid_file, process.pid)
        self._wait_ready(process, log_offset, began, timeout or self.settings.start_timeout)
        seconds = time.monotonic() - began
        logger.info("kafka %s ready on %s in %.1fs (pid %d)", self.version, self.bootstrap, seconds, process.pid)
        return StartResult(self.name, self.bootstrap, process.pid, seconds, False, downloaded, java.origin)

    def stop(self, timeout: float = 60.0) -> bool:
        with exclusive(self.lock_file, what=self.name):
            return self._stop(timeout)

    def _stop(self, timeout: float) -> bool:
        """Stop the broker this run directory started; False when none was running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        stop_process(pid, self.markers, timeout=timeout)
        self.pid_file.unlink(missing_ok=True)
        logger.info("kafka on %s stopped (pid %d)", self.bootstrap, pid)
        return True

    def restart(self, timeout: float | None = None) -> StartResult:
        with exclusive(self.lock_file, what=self.name):
            self._stop(60.0)
            return self._start(timeout)

    def _write_config(self) -> None:
        for directory in (self.dir, self.data_dir, self.logs_dir):
            directory.mkdir(parents=True, exist_ok=True)
        port, controller = self.settings.kafka_port, self.settings.kafka_controller_port
        properties = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.bootstrap.servers": f"{HOST}:{controller}",
            "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller}",
            "advertised.listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.data_dir),
            "num.partitions": "1",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "4",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            # Tests start and stop consumer groups constantly: no three-second wait before the first rebalance.
            "group.initial.rebalance.delay.ms": "0",
            # Two cores shared with Elasticsearch and the services: keep the thread count low.
            "num.network.threads": "2",
            "num.io.threads": "2",
            "background.threads": "2",
            "num.recovery.threads.per.data.dir": "1",
            "log.cleaner.threads": "1",
            "num.replica.fetchers": "1",
        }
        self.config_file.write_text("".join(f"{key}={value}\n" for key, value in properties.items()))
        (self.dir / "log4j2.xml").write_text(LOG4J2_XML.format(logs=self.logs_dir))

    def _format_storage(self, jvm: list[str]) -> None:
        if (self.data_dir / "meta.properties").exists():
            return
        cluster_id = new_cluster_id()
        command = [*jvm, "kafka.tools.StorageTool", "format", "--standalone", "-t", cluster_id]
        command += ["-c", str(self.config_file)]
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        if result.returncode != 0:
            raise ConfigurationError(
                f"formatting Kafka storage in {self.data_dir} failed (exit {result.returncode}): "
                f"{(result.stdout + result.stderr).strip()[-800:]}\nDelete {self.data_dir} to start from scratch."
            )

    def _wait_ready(self, process: subprocess.Popen[bytes], log_offset: int, began: float, timeout: float) -> None:
        deadline = began + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise ConfigurationError(
                    f"Kafka exited with code {process.returncode} while starting. Last lines of "
                    f"{self.server_log}:\n{tail(self.server_log)}\n{tail(self.logs_dir / 'stdout.log', 10)}"
                )
            if self._started_since(log_offset) and port_in_use(HOST, self.settings.kafka_port):
                return
            time.sleep(0.1)
        stop_process(process.pid, self.markers, timeout=10)
        self.pid_file.unlink(missing_ok=True)
        raise ConfigurationError(
            f"Kafka did not become ready on {self.bootstrap} within {timeout:.0f}s (raise "
            f"NEWSMON_INFRA__START_TIMEOUT on a slow machine). Last lines of {self.server_log}:\n"
            f"{tail(self.server_log)}"
        )

    def _started_since(self, offset: int) -> bool:
        try:
            with self.server_log.open("rb") as handle:
                if self.server_log.stat().st_size >= offset:  # else it rolled over: read it all
                    handle.seek(offset)
                return STARTED_LINE.encode() in handle.read()
        except FileNotFoundError:
            return False
