"""From a feed to a webhook, every service a process on the real broker: `newsmon ingest` polls the seeds served as a
feed on 127.0.0.1, `newsmon enrich` and `newsmon alert` find the contradictions, and `newsmon webhooks dispatch`
delivers each alert event to a receiver on localhost that verifies its Standard Webhooks signature.

What the receiver must get (shared/seeds/README.md): the Kurakhove control dispute (one alert, opened then updated,
its last version citing 000, 001 and 002), the Kursk encirclement dispute and the low-severity Kurakhove–Pokrovsk
distance discrepancy — no other alert, each event once, and the same alerts as the embedded path gives on the very
articles the ingestor produced.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from newsmon.bench.e2e import default_seeds_dir
from newsmon.bench.measure import read_topic
from newsmon.bench.processes import ServiceProcess, Stack, StackEnv
from newsmon.contracts import AlertEvent, RawArticle
from newsmon.contracts.topics import ALERTS, ARTICLES_ENRICHED, ARTICLES_RAW, CLAIMS_BY_PLACE
from newsmon.infra.topics import apply_topics
from newsmon.kafka import connection_options, decode
from newsmon.lag import measure_lag
from newsmon.settings import KafkaSettings
from services.alerter.embedded import default_enricher, latest_alerts, replay
from services.alerter.webhook_samples import LocalReceiver
from services.alerter.webhook_settings import generate_secret
from services.ingestor.seedfeed import SeedSite

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(600)]

SEEDS = default_seeds_dir()
WAIT_SECONDS = 300.0
EXPECTED = {
    ("control_dispute", "Kurakhove"),
    ("encirclement_dispute", "Kursk Oblast"),
    ("numeric_discrepancy", "Kurakhove"),
}


class IngestorProcess(ServiceProcess):
    """`newsmon ingest --feeds FILE`: the ingestor is not among the bench's consumer-group services."""

    def __init__(self, env: StackEnv, feeds_file: Path) -> None:
        super().__init__("ingestor", 0, env)
        self.feeds_file = feeds_file

    def start(self) -> None:
        self.killed = False
        self.env.log_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "newsmon.cli", "ingest", "--feeds", str(self.feeds_file)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                env=self.env.environment("ingestor-0"),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )


@pytest.fixture
def site() -> Iterator[SeedSite]:
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found in {SEEDS}")
    with SeedSite.start(SEEDS) as running:
        yield running


@pytest.fixture
async def kafka(kafka_bootstrap: str, unique_prefix: str) -> AsyncIterator[KafkaSettings]:
    settings = KafkaSettings(bootstrap=kafka_bootstrap, topic_prefix=unique_prefix)
    yield settings
    await delete_topics(settings)


async def delete_topics(kafka: KafkaSettings) -> None:
    """Remove this run's topics (the prefix's, the alerter's changelog included) so runs do not pile up."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(**connection_options(kafka), client_id="newsmon-test-admin")
    await admin.start()
    try:
        topics = [name for name in await admin.list_topics() if name.startswith(kafka.topic_prefix)]
        if topics:
            await admin.delete_topics(topics)
    finally:
        await admin.close()


@pytest.fixture
async def receiver() -> AsyncIterator[LocalReceiver]:
    async with LocalReceiver(secret=generate_secret()) as running:
        yield running


def stack_env(kafka: KafkaSettings, tmp_path: Path, receiver: LocalReceiver) -> StackEnv:
    subscriber = {"name": "e2e", "url": receiver.url, "secret": receiver.secret, "timeout": 60, "max_attempts": 10}
    return StackEnv(
        kafka.bootstrap,
        "http://127.0.0.1:1",  # no service of this test uses Elasticsearch
        kafka.topic_prefix,
        tmp_path / "logs",
        extra={
            "NEWSMON_HTTP__ALLOWED_PRIVATE_HOSTS": json.dumps(["127.0.0.1"]),
            "NEWSMON_WEBHOOKS__SUBSCRIBERS": json.dumps([subscriber]),
            "NEWSMON_WEBHOOKS__CONFIG_FILE": str(tmp_path / "no-webhooks.yaml"),
            "NEWSMON_WEBHOOKS__RETRY_BASE_DELAY": "0.5",
            "NEWSMON_WEBHOOKS__RETRY_MAX_DELAY": "5",
            "NEWSMON_LOGGING__LEVEL": "INFO",
        },
    )


def write_feed_list(path: Path, site: SeedSite) -> Path:
    path.write_text(
        f"feeds:\n  - url: {site.feed_url}\n    name: newsmon seeds\n    interval: 3600\n    language: en\n",
        encoding="utf-8",
    )
    return path


async def wait_for(
    description: str, stack: Stack, condition: Callable[[], Awaitable[bool]], seconds: float = WAIT_SECONDS
) -> None:
    """Poll ``condition()`` (an async callable) until it is true, checking the processes are alive meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        stack.check_alive()
        if await condition():
            return
        await asyncio.sleep(1.0)
    raise AssertionError(f"timed out after {seconds:.0f} s waiting for {description}")


async def drained(kafka: KafkaSettings, env: StackEnv, receiver: LocalReceiver, last: dict[str, object]) -> bool:
    """The enricher has committed its input, the alerter and the dispatcher have consumed theirs to the end (measured
    in that order, so nothing sent before is missed), and every alert event on the topic was delivered."""
    groups = {
        env.group("enricher"): (kafka.topic(ARTICLES_RAW.name), 1),
        env.group("alerter"): (kafka.topic(CLAIMS_BY_PLACE.name), 0),
        env.group("dispatcher"): (kafka.topic(ALERTS.name), 0),
    }
    report = await measure_lag(kafka, groups=list(groups), with_seconds=False)
    last["lag"] = report.to_dict()
    for group, (topic, marker) in groups.items():
        try:
            lag = report.group(group)
        except KeyError:
            return False
        mine = [p for p in lag.partitions if p.topic == topic and p.end]
        # ``marker``: the enricher commits the offset after its last record, which leaves it one short of the end
        # of articles.raw, where the ingestor's transaction commit marker sits.
        if not mine or any(p.committed is None or p.committed < p.end - marker for p in mine):
            return False
    on_topic = {decode(AlertEvent, value).id for value in await read_topic(kafka, ALERTS.name) if value}
    return bool(on_topic) and on_topic <= set(receiver.accepted_ids())


def seed_of(url: str) -> str:
    """The seed file a page URL was built from: ``.../articles/002_ffcad822e69bebe5.html`` -> ``002``."""
    return url.rsplit("/", 1)[-1][:3]


async def test_seed_feed_reaches_the_webhook_receiver_with_the_expected_alerts(
    kafka: KafkaSettings, site: SeedSite, receiver: LocalReceiver, tmp_path: Path
) -> None:
    await apply_topics(kafka)
    env = stack_env(kafka, tmp_path, receiver)
    stack = Stack(env, services=("enricher", "alerter", "dispatcher"))
    last: dict[str, object] = {}  # the last lag measured, printed when the wait fails
    exit_codes: dict[str, int | None] = {}
    try:
        stack.start()
        await stack.wait_ready(kafka, seconds=WAIT_SECONDS)
        ingestor = IngestorProcess(env, write_feed_list(tmp_path / "feeds.yaml", site))
        ingestor.start()
        stack.processes.append(ingestor)

        async def all_ingested() -> bool:
            return len(await read_topic(kafka, ARTICLES_RAW.name)) >= len(site.seeds)

        await wait_for("the seed articles on articles.raw", stack, all_ingested)
        articles = [decode(RawArticle, value) for value in await read_topic(kafka, ARTICLES_RAW.name) if value]

        async def all_enriched() -> bool:
            return len(await read_topic(kafka, ARTICLES_ENRICHED.name)) >= len(articles)

        await wait_for("the articles enriched", stack, all_enriched)
        await wait_for("every alert event delivered", stack, lambda: drained(kafka, env, receiver, last))
        stack.check_alive()
    except BaseException:
        print(json.dumps(last, indent=1, default=str))
        for process in stack.processes:
            print(f"--- {process.name}-{process.instance} log tail:\n{process.tail(40)}")
        raise
    finally:
        for process in reversed(stack.processes):  # SIGTERM, the ingestor first
            exit_codes[process.name] = process.stop(timeout=60.0)

    assert exit_codes == dict.fromkeys(("ingestor", "dispatcher", "alerter", "enricher"), 0), {
        process.name: process.tail(20) for process in stack.processes
    }

    # The ingestor produced each seed once, from the local site.
    assert sorted(seed_of(article.url) for article in articles) == ["000", "001", "002", "003", "004"]

    # Every request carried a valid signature, and each event arrived exactly once.
    assert receiver.rejected == []
    deliveries = Counter(headers["webhook-id"] for headers in receiver.requests)
    assert deliveries
    assert set(deliveries.values()) == {1}, deliveries
    received = [AlertEvent.model_validate(payload["data"]) for payload in receiver.accepted]
    assert {payload["type"] for payload in receiver.accepted} <= {"alert.opened", "alert.updated", "alert.resolved"}
    assert all(headers["webhook-id"] == event.id for headers, event in zip(receiver.requests, received, strict=True))
    on_topic = [decode(AlertEvent, value) for value in await read_topic(kafka, ALERTS.name) if value]
    assert {event.id for event in received} == {event.id for event in on_topic}

    # Exactly the analyst's findings.
    latest = {event.alert.id: event.alert for event in sorted(received, key=lambda e: e.alert.version)}
    by_kind = {(alert.kind, alert.place.name): alert for alert in latest.values()}
    assert set(by_kind) == EXPECTED
    assert len(latest) == len(EXPECTED)

    control = by_kind[("control_dispute", "Kurakhove")]
    control_events = sorted((e for e in received if e.alert.id == control.id), key=lambda e: e.alert.version)
    assert control_events[0].event == "opened"
    assert len(control_events) > 1
    assert {event.event for event in control_events[1:]} == {"updated"}
    assert {side.predicate for side in control.sides} == {"captured", "contested"}
    cited = {seed_of(source.url) for side in control.sides for source in side.sources}
    assert {"000", "001", "002"} <= cited

    assert by_kind[("encirclement_dispute", "Kursk Oblast")].severity in ("medium", "high")
    distance = by_kind[("numeric_discrepancy", "Kurakhove")]
    assert distance.severity == "low"
    assert "Pokrovsk" in {place.name for place in distance.related_places}

    # The embedded path on the same articles raises the same alerts and ends them in the same state.
    embedded = [event for _, events in replay(articles, default_enricher()) for event in events]
    expected = {e.alert.id: (e.alert.kind, e.alert.place.name, e.alert.status) for e in latest_alerts(embedded)}
    assert {alert.id: (alert.kind, alert.place.name, alert.status) for alert in latest.values()} == expected
    # ... citing the same articles in the end, whatever order the partitions delivered them in
    cited_by = {e.alert.id: set(e.alert.article_ids) for e in latest_alerts(embedded)}
    assert {alert.id: set(alert.article_ids) for alert in latest.values()} == cited_by
