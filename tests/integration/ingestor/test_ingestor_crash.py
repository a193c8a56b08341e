"""SIGKILL the ingestor process mid-run, restart it: every article is in the topic exactly once, none missing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ingestor_helpers import articles_in, by_id, states_in
from ingestor_sites import LocalSite, add_news_feeds

from newsmon.settings import KafkaSettings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FEEDS = 6
ITEMS = 150


def start_ingestor(feeds_file: Path, kafka: KafkaSettings, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NEWSMON_KAFKA__BOOTSTRAP": kafka.bootstrap,
        "NEWSMON_KAFKA__TOPIC_PREFIX": kafka.topic_prefix,
        "NEWSMON_HTTP__ALLOWED_PRIVATE_HOSTS": '["127.0.0.1"]',
        "NEWSMON_INGESTOR__FEEDS_FILE": str(feeds_file),
        "NEWSMON_INGESTOR__CHUNK_SIZE": "10",
        "NEWSMON_METRICS__ENABLED": "false",
        "NEWSMON_LOGGING__FORMAT": "console",
    }
    with log.open("ab") as output:
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "newsmon"), "ingest"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


async def test_kill_9_mid_run_then_restart_gives_every_article_exactly_once(
    tmp_path: Path, kafka_bootstrap: str, unique_prefix: str
) -> None:
    kafka = KafkaSettings(bootstrap=kafka_bootstrap, topic_prefix=unique_prefix)
    log = tmp_path / "ingestor.log"
    with LocalSite() as site:
        urls = add_news_feeds(site, feeds=FEEDS, items=ITEMS, page_delay=0.01)
        feeds_file = tmp_path / "feeds.yaml"
        feeds_file.write_text("feeds:\n" + "".join(f"  - url: {url}\n    interval: 3600\n" for url in urls))
        expected = FEEDS * ITEMS

        first = start_ingestor(feeds_file, kafka, log)
        try:
            deadline = time.monotonic() + 120
            while sum(n for path, n in site.requests.items() if path.endswith(".html")) < expected // 3:
                assert first.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the ingestor made no progress"
                await asyncio.sleep(0.05)
            first.send_signal(signal.SIGKILL)
        finally:
            first.wait(timeout=30)
        assert first.returncode == -signal.SIGKILL

        at_kill = await articles_in(kafka)
        assert 0 < len(at_kill) < expected, "the kill must land mid-run"
        assert set(by_id(at_kill).values()) == {1}

        second = start_ingestor(feeds_file, kafka, log)
        try:
            deadline = time.monotonic() + 180
            while len(await articles_in(kafka)) < expected:
                assert second.poll() is None, log.read_text()
                assert time.monotonic() < deadline, f"articles missing after the restart; log: {log}"
                await asyncio.sleep(1.0)
            await asyncio.sleep(2.0)  # anything extra would show up now
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=60) == 0, log.read_text()
        finally:
            if second.poll() is None:
                second.kill()
                second.wait()

    articles = await articles_in(kafka, at_least=expected)
    counts = by_id(articles)
    assert len(articles) == expected
    assert set(counts.values()) == {1}
    assert {a.title for a in articles} == {f"Feed {f} story {i}" for f in range(FEEDS) for i in range(ITEMS)}
    states = await states_in(kafka, at_least=FEEDS)
    assert all(len(states[url].seen_ids) == ITEMS for url in urls)
