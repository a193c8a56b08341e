"""Services as separate processes: start, kill -9, restart and measure CPU, for the benchmark and faults."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from newsmon.kafka import connection_options
from newsmon.settings import KafkaSettings

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# The command that runs each service, as a user would type it after `newsmon`.
SERVICE_COMMANDS: dict[str, tuple[str, ...]] = {
    "enricher": ("enrich",),
    "alerter": ("alert",),
    "indexer": ("index",),
    "dispatcher": ("webhooks", "dispatch"),
}
# Default consumer group of each service (its settings' default), prefixed per run by StackEnv.
SERVICE_GROUPS: dict[str, str] = {
    "enricher": "newsmon-enricher",
    "alerter": "newsmon-alerter",
    "indexer": "newsmon-indexer",
    "dispatcher": "newsmon-webhooks",
}


@dataclass(frozen=True)
class StackEnv:
    """Where the processes connect and how their names are isolated from other runs."""

    kafka_bootstrap: str
    es_url: str
    prefix: str
    log_dir: Path
    extra: dict[str, str] = field(default_factory=dict)

    def group(self, service: str) -> str:
        """The consumer group (faust: app id) of a service in this run; the alerter's app id gets the topic prefix."""
        return f"{self.prefix}{SERVICE_GROUPS[service]}" if service != "alerter" else f"{self.prefix}newsmon-alerter"

    def environment(self, instance: str = "") -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "NEWSMON_KAFKA__BOOTSTRAP": self.kafka_bootstrap,
                "NEWSMON_KAFKA__TOPIC_PREFIX": self.prefix,
                "NEWSMON_ELASTICSEARCH__URL": self.es_url,
                "NEWSMON_ELASTICSEARCH__INDEX_PREFIX": self.prefix,
                # Consumer groups are not prefixed by the services: isolate them from other runs here.
                "NEWSMON_ENRICHER__GROUP": self.group("enricher"),
                "NEWSMON_INDEXER__GROUP": self.group("indexer"),
                "NEWSMON_WEBHOOKS__GROUP": self.group("dispatcher"),
                "NEWSMON_ALERTER__DATA_DIR": str((self.log_dir / f"faust-{instance or 'cli'}").resolve()),
                "NEWSMON_LOGGING__LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        for name in ("NEWSMON_KAFKA_BOOTSTRAP", "NEWSMON_ES_URL"):  # the test fixtures' variables, not settings
            env.pop(name, None)
        env.update(self.extra)
        return env


def cpu_seconds_of(pid: int) -> float | None:
    """User + system CPU seconds a process (all its threads) has used, from /proc; None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@dataclass
class ServiceProcess:
    """One running service; ``kill`` is kill -9, ``stop`` is SIGTERM and a wait."""

    name: str
    instance: int
    env: StackEnv
    process: subprocess.Popen[bytes] | None = None
    cpu_seconds_before: float = 0.0
    killed: bool = False  # stopped on purpose: not a death to report

    @property
    def log_path(self) -> Path:
        return self.env.log_dir / f"{self.name}-{self.instance}.log"

    def start(self) -> None:
        self.killed = False
        self.env.log_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "newsmon.cli", *SERVICE_COMMANDS[self.name]]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                env=self.env.environment(f"{self.name}-{self.instance}"),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def cpu_seconds(self) -> float:
        """User + system CPU of the process so far (read from /proc while it runs)."""
        if not self.running():
            return self.cpu_seconds_before
        assert self.process is not None
        return self.cpu_seconds_before + (cpu_seconds_of(self.process.pid) or 0.0)

    def kill(self) -> None:
        self.killed = True
        if self.process is not None and self.running():
            self.cpu_seconds_before = self.cpu_seconds()
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 30.0) -> int | None:
        if self.process is None:
            return None
        if self.running():
            self.cpu_seconds_before = self.cpu_seconds()
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        return self.process.returncode

    def restart(self) -> None:
        self.kill()
        self.start()

    def tail(self, lines: int = 20) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Stack:
    """All services of one run, ``instances`` of each."""

    env: StackEnv
    services: tuple[str, ...] = ("enricher", "alerter", "indexer")
    instances: int = 1
    counts: dict[str, int] = field(default_factory=dict)  # instances of a service, when not ``instances``
    processes: list[ServiceProcess] = field(default_factory=list)

    def start(self) -> None:
        for name in self.services:
            for instance in range(self.counts.get(name, self.instances)):
                process = ServiceProcess(name, instance, self.env)
                process.start()
                self.processes.append(process)

    def of(self, name: str, instance: int = 0) -> ServiceProcess:
        for process in self.processes:
            if process.name == name and process.instance == instance:
                return process
        raise KeyError(f"no {name} instance {instance} in this stack")

    def check_alive(self) -> None:
        dead = [p for p in self.processes if not p.running() and not p.killed]
        if dead:
            details = "\n".join(f"--- {p.name}-{p.instance} exited:\n{p.tail()}" for p in dead)
            raise RuntimeError(f"service process died:\n{details}")

    def cpu(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for process in self.processes:
            totals[process.name] = totals.get(process.name, 0.0) + process.cpu_seconds()
        return totals

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    async def wait_ready(self, kafka: KafkaSettings, seconds: float = 180.0) -> None:
        """Wait until every service's consumer group is stable with all running instances as members."""
        wanted = {
            self.env.group(name): sum(1 for p in self.processes if p.name == name and p.running())
            for name in self.services
        }
        deadline = time.monotonic() + seconds
        states: dict[str, tuple[str, int]] = {}
        while time.monotonic() < deadline:
            self.check_alive()
            states = await describe_groups(kafka, list(wanted))
            if all(states.get(group) == ("Stable", members) for group, members in wanted.items()):
                return
            await asyncio.sleep(0.5)
        raise RuntimeError(f"services not ready after {seconds:.0f} s: groups {states}, wanted {wanted}")


async def describe_groups(kafka: KafkaSettings, groups: list[str]) -> dict[str, tuple[str, int]]:
    """(state, member count) of each consumer group the coordinator knows."""
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.errors import KafkaError

    admin = AIOKafkaAdminClient(**connection_options(kafka), client_id="newsmon-bench-admin", request_timeout_ms=5000)
    found: dict[str, tuple[str, int]] = {}
    try:
        await admin.start()
        for group in groups:  # one per request: aiokafka 0.14 mis-decodes multi-group responses (see newsmon.lag)
            try:
                responses = await admin.describe_consumer_groups([group])
            except KafkaError:
                continue
            for response in responses:
                for row in getattr(response, "groups", ()):
                    found[str(row[1])] = (str(row[2]), len(row[5]))
    except KafkaError:
        return found
    finally:
        await admin.close()
    return found
