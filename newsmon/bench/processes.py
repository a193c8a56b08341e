"""Services as separate processes: start, kill -9, restart and measure CPU, for the benchmark and faults."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# The command that runs each service, as a user would type it after `newsmon`.
SERVICE_COMMANDS: dict[str, tuple[str, ...]] = {
    "enricher": ("enrich",),
    "alerter": ("alert",),
    "indexer": ("index",),
    "dispatcher": ("webhooks", "dispatch"),
}


@dataclass(frozen=True)
class StackEnv:
    """Where the processes connect and how their names are isolated from other runs."""

    kafka_bootstrap: str
    es_url: str
    prefix: str
    log_dir: Path
    extra: dict[str, str] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "NEWSMON_KAFKA__BOOTSTRAP": self.kafka_bootstrap,
                "NEWSMON_KAFKA__TOPIC_PREFIX": self.prefix,
                "NEWSMON_ELASTICSEARCH__URL": self.es_url,
                "NEWSMON_ELASTICSEARCH__INDEX_PREFIX": self.prefix,
                "NEWSMON_LOGGING__LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra)
        return env


@dataclass
class ServiceProcess:
    """One running service; ``kill`` is kill -9, ``stop`` is SIGTERM and a wait."""

    name: str
    instance: int
    env: StackEnv
    process: subprocess.Popen[bytes] | None = None
    cpu_seconds_before: float = 0.0

    @property
    def log_path(self) -> Path:
        return self.env.log_dir / f"{self.name}-{self.instance}.log"

    def start(self) -> None:
        self.env.log_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "newsmon.cli", *SERVICE_COMMANDS[self.name]]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env.environment(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def cpu_seconds(self) -> float:
        """User + system CPU of the process so far (read from /proc while it runs)."""
        if not self.running():
            return self.cpu_seconds_before
        assert self.process is not None
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            return self.cpu_seconds_before
        return self.cpu_seconds_before + (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def kill(self) -> None:
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
    processes: list[ServiceProcess] = field(default_factory=list)

    def start(self) -> None:
        for name in self.services:
            for instance in range(self.instances):
                process = ServiceProcess(name, instance, self.env)
                process.start()
                self.processes.append(process)

    def of(self, name: str, instance: int = 0) -> ServiceProcess:
        for process in self.processes:
            if process.name == name and process.instance == instance:
                return process
        raise KeyError(f"no {name} instance {instance} in this stack")

    def check_alive(self) -> None:
        dead = [p for p in self.processes if not p.running()]
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

    def wait_ready(self, seconds: float = 60.0) -> None:
        time.sleep(min(seconds, 1.0))
        self.check_alive()
