"""The local stack as a whole: start both servers in parallel, stop them, ask them how they are."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from newsmon.errors import NewsmonError
from newsmon.infra import versions
from newsmon.infra.local_es import LocalElasticsearch
from newsmon.infra.local_kafka import HOST, LocalKafka, StartResult
from newsmon.infra.processes import port_in_use
from newsmon.settings import InfraSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    state: str  # running | stopped | foreign (something else answers on the port) | unhealthy
    address: str
    pid: int | None
    version: str | None
    detail: str = ""

    @property
    def running(self) -> bool:
        return self.state == "running"


class LocalStack:
    """Kafka and Elasticsearch of one run directory."""

    def __init__(self, settings: InfraSettings) -> None:
        self.settings = settings
        self.kafka = LocalKafka(settings)
        self.elasticsearch = LocalElasticsearch(settings)

    def up(self, *, kafka: bool = True, elasticsearch: bool = True) -> list[StartResult]:
        """Start what is not running yet, both at once; raise the first failure after both attempts ended."""
        servers = [s for s, wanted in ((self.kafka, kafka), (self.elasticsearch, elasticsearch)) if wanted]
        with ThreadPoolExecutor(max_workers=len(servers) or 1, thread_name_prefix="infra-up") as pool:
            futures = [pool.submit(server.start) for server in servers]
            outcomes = [(future.result() if future.exception() is None else future.exception()) for future in futures]
        started = [outcome for outcome in outcomes if isinstance(outcome, StartResult)]
        failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if failures:
            still_up = "".join(
                f"\n({result.name} is up on {result.address}; `newsmon infra down` stops it)" for result in started
            )
            if isinstance(failures[0], NewsmonError):
                raise NewsmonError("\n".join(str(f) for f in failures) + still_up) from failures[0]
            raise failures[0]
        return started

    def down(self) -> dict[str, bool]:
        """Stop exactly the processes this run directory's pid files name; report which were running."""
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="infra-down") as pool:
            kafka = pool.submit(self.kafka.stop)
            elasticsearch = pool.submit(self.elasticsearch.stop)
            return {"kafka": kafka.result(), "elasticsearch": elasticsearch.result()}

    def status(self) -> list[ServiceStatus]:
        return [kafka_status(self.kafka), elasticsearch_status(self.elasticsearch)]


def kafka_status(kafka: LocalKafka) -> ServiceStatus:
    pid = kafka.pid()
    port = kafka.settings.kafka_port
    if pid is None:
        if port_in_use(HOST, port):
            cluster = _describe_kafka(kafka.bootstrap)
            return ServiceStatus("kafka", "foreign", kafka.bootstrap, None, None, f"not started from here; {cluster}")
        return ServiceStatus("kafka", "stopped", kafka.bootstrap, None, None, "run `newsmon infra up`")
    cluster = _describe_kafka(kafka.bootstrap)
    state = "running" if cluster.startswith("cluster ") else "unhealthy"
    return ServiceStatus("kafka", state, kafka.bootstrap, pid, f"{versions.KAFKA_VERSION} (jar)", cluster)


def elasticsearch_status(node: LocalElasticsearch) -> ServiceStatus:
    pid = node.pid()
    answered, version, detail = _describe_elasticsearch(node.url)
    if pid is None:
        if answered:
            detail = f"not started from here; {detail}"
            return ServiceStatus("elasticsearch", "foreign", node.url, None, version, detail)
        return ServiceStatus("elasticsearch", "stopped", node.url, None, None, "run `newsmon infra up`")
    return ServiceStatus("elasticsearch", "running" if answered else "unhealthy", node.url, pid, version, detail)


def _describe_kafka(bootstrap: str) -> str:
    async def describe() -> str:
        from aiokafka.admin import AIOKafkaAdminClient

        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        await admin.start()
        try:
            cluster = await admin.describe_cluster()
            topics = await admin.list_topics()
        finally:
            await admin.close()
        brokers = len(cluster.get("brokers", []))
        return f"cluster {cluster.get('cluster_id')}, {brokers} broker(s), {len(topics)} topic(s)"

    try:
        return asyncio.run(asyncio.wait_for(describe(), timeout=10))
    except Exception as exc:  # any failure to talk to it is what status reports
        return f"no answer from the broker API: {exc!r}"


def _describe_elasticsearch(url: str) -> tuple[bool, str | None, str]:
    try:
        with httpx.Client(timeout=5.0) as client:
            nodes = client.get(f"{url}/_nodes/_local", params={"filter_path": "nodes.*.version"})
            health = client.get(f"{url}/_cluster/health")
    except httpx.HTTPError as exc:
        return False, None, f"no answer: {exc!r}"
    if nodes.status_code != 200 or health.status_code != 200:
        return True, None, f"HTTP {nodes.status_code}/{health.status_code}"
    node_versions = [node.get("version") for node in nodes.json().get("nodes", {}).values()]
    body = health.json()
    detail = f"cluster {body.get('cluster_name')} {body.get('status')}, {body.get('active_shards')} shard(s)"
    return True, (node_versions[0] if node_versions else None), detail
