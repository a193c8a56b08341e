"""Independent tools that read the broker the way an operator would: Kafka's own consumer-group tool and kcat."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from newsmon.infra import artifacts
from newsmon.infra.jdk import java_for_kafka
from newsmon.settings import InfraSettings

# Maven Central serves kafka-tools up to 4.3.1 while the broker's own jars (newsmon/infra/versions.py) are 4.4.0:
# the tool class runs from the 4.3.1 jar, every library it calls (clients, server-common, tools-api) from the
# broker's 4.4.0 set, which comes first on the class path.
KAFKA_TOOLS_VERSION = "4.3.1"
KAFKA_TOOLS_SHA256 = "62f3c5dd7aa3442d4c5bc6a95f86e2502178ea09de8e27f74d9563bf955e253c"
CONSUMER_GROUP_COMMAND = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand"


@dataclass(frozen=True)
class GroupRow:
    group: str
    topic: str
    partition: int
    current: int | None
    end: int
    lag: int | None


def _tools_jar(cache_dir: Path) -> Path:
    target_dir = cache_dir / f"kafka-tools-{KAFKA_TOOLS_VERSION}"
    jar = target_dir / f"kafka-tools-{KAFKA_TOOLS_VERSION}.jar"
    if jar.is_file() and artifacts.sha256_of(jar) == KAFKA_TOOLS_SHA256:
        return jar
    mvn = artifacts.require_maven()
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(
            [
                mvn, "-B", "-q", "-N", "dependency:copy",
                f"-Dartifact=org.apache.kafka:kafka-tools:{KAFKA_TOOLS_VERSION}:jar",
                f"-DoutputDirectory={work}",
            ],
            cwd=work, check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        fetched = Path(work) / jar.name
        actual = artifacts.sha256_of(fetched)
        if actual != KAFKA_TOOLS_SHA256:
            raise RuntimeError(f"{jar.name} has SHA-256 {actual}, expected {KAFKA_TOOLS_SHA256}")
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.move(fetched, jar)
    return jar


def consumer_group_classpath(infra: InfraSettings | None = None) -> str:
    cache_dir = (infra or InfraSettings()).cache_dir.expanduser().resolve()
    libs, _downloaded = artifacts.ensure_kafka(cache_dir)
    return f"{libs}/*:{_tools_jar(cache_dir)}"


def describe_group(bootstrap: str, group: str, infra: InfraSettings | None = None) -> list[GroupRow]:
    """``kafka-consumer-groups.sh --describe --group G``, parsed."""
    java = java_for_kafka()
    result = subprocess.run(
        [
            str(java.executable), "-Xmx256m", "-cp", consumer_group_classpath(infra),
            CONSUMER_GROUP_COMMAND, "--bootstrap-server", bootstrap, "--describe", "--group", group,
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"ConsumerGroupCommand failed: {result.stdout}\n{result.stderr}")
    rows = []
    for line in result.stdout.splitlines():
        fields = line.split()
        if len(fields) < 6 or fields[0] != group:
            continue
        current, end, lag = fields[3], fields[4], fields[5]
        rows.append(
            GroupRow(
                group=group,
                topic=fields[1],
                partition=int(fields[2]),
                current=None if current == "-" else int(current),
                end=int(end),
                lag=None if lag == "-" else int(lag),
            )
        )
    return rows


def kcat() -> str | None:
    return shutil.which("kcat") or shutil.which("kafkacat")
