"""The service loop without Kafka: what is committed, when, and what a failed commit leaves behind."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx

from newsmon.contracts import FeedState
from newsmon.settings import HttpSettings
from services.ingestor.app import Ingestor
from services.ingestor.feeds import FeedConfig
from services.ingestor.fetch import Fetcher, build_client
from services.ingestor.poll import FeedPoller
from services.ingestor.schedule import SchedulePolicy
from services.ingestor.settings import IngestorSection, IngestorSettings
from services.ingestor.state import KnownIds
from services.ingestor.testing import RecordingCommitter

START = datetime(2025, 1, 7, tzinfo=UTC)


class Feeds:
    """Feeds behind httpx.MockTransport with ETags; ``items[path]`` is the number of items of each."""

    def __init__(self, **items: int) -> None:
        self.items = {f"/{name}": count for name, count in items.items()}
        self.statuses: list[int] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        count = self.items[request.url.path]
        etag = f'"{count}"'
        if request.headers.get("if-none-match") == etag:
            self.statuses.append(304)
            return httpx.Response(304, headers={"ETag": etag})
        entries = "".join(
            f"<item><guid>tag:{request.url.path}:{n}</guid><title>{request.url.path} {n}</title>"
            f"<pubDate>{format_datetime(START + timedelta(minutes=n), usegmt=True)}</pubDate></item>"
            for n in range(count)
        )
        body = f"<rss version='2.0'><channel><title>T</title>{entries}</channel></rss>".encode()
        self.statuses.append(200)
        return httpx.Response(200, headers={"ETag": etag}, stream=httpx.ByteStream(body))


async def resolver(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]


def service(
    feeds: Feeds, committer: RecordingCommitter, states: dict[str, FeedState] | None = None, chunk_size: int = 10
) -> tuple[Ingestor, list[FeedConfig]]:
    settings = IngestorSettings(ingestor=IngestorSection(chunk_size=chunk_size, fetch_pages=False))
    http = HttpSettings()
    fetcher = Fetcher(http, client=build_client(http, httpx.MockTransport(feeds.handler)), resolver=resolver)
    known = KnownIds()
    for state in (states or {}).values():
        known.replace(None, state)
    poller = FeedPoller(fetcher, fetch_pages=False, policy=SchedulePolicy(jitter=0.0), is_known=known.__contains__)
    configs = [FeedConfig(url=f"https://news.example{path}", interval=0.2) for path in feeds.items]
    return Ingestor(settings, configs, poller, committer, dict(states or {}), known), configs


async def run_until(ingestor: Ingestor, polls: int) -> None:
    stopping = asyncio.Event()
    task = asyncio.create_task(ingestor.run(stopping))
    async with asyncio.timeout(20):
        while ingestor.polls < polls:  # noqa: ASYNC110 - watching a counter
            await asyncio.sleep(0.01)
    stopping.set()
    await task


async def test_a_long_feed_is_committed_in_chunks_keeping_the_old_validators_until_the_last() -> None:
    feeds, committer = Feeds(a=25), RecordingCommitter()
    ingestor, _ = service(feeds, committer)
    await run_until(ingestor, 1)
    assert [len(c.articles) for c in committer.commits] == [10, 10, 5]
    assert [c.state.etag for c in committer.commits] == [None, None, '"25"']
    assert [len(c.state.seen_ids) for c in committer.commits] == [10, 20, 25]
    assert len({a.id for a in committer.articles}) == 25


async def test_unchanged_feeds_answer_304_and_cost_no_commit() -> None:
    feeds, committer = Feeds(a=3, b=4), RecordingCommitter()
    ingestor, _ = service(feeds, committer)
    await run_until(ingestor, 6)  # each feed polled at least three times (interval 0.2 s)
    assert len(committer.commits) == 2
    assert feeds.statuses.count(304) >= 4
    assert len(committer.articles) == 7


async def test_a_failed_commit_leaves_the_state_where_it_was_and_the_rest_comes_later() -> None:
    feeds, committer = Feeds(a=25), RecordingCommitter()
    ingestor, _ = service(feeds, committer)
    await run_until(ingestor, 1)
    committer.commits.clear()
    feeds.items["/a"] = 40  # 15 new items
    committer.fail_next = 1  # the first chunk of the next poll is not committed
    url = "https://news.example/a"
    before = ingestor.states[url]
    await run_until(ingestor, 2)
    assert ingestor.states[url] == before
    assert committer.commits == []
    await run_until(ingestor, 3)  # the loop restarted: the feed is due at once, its state never advanced
    assert ingestor.states[url].etag == '"40"'
    assert len(committer.articles) == 15
    assert len({a.id for a in committer.articles}) == 15
    assert before.etag == '"25"'


async def test_a_restart_from_committed_progress_produces_only_the_rest() -> None:
    feeds, first = Feeds(a=25), RecordingCommitter()
    ingestor, _ = service(feeds, first)
    await run_until(ingestor, 1)
    # As if the process died after the first chunk: only that commit reached Kafka.
    survived = first.commits[0]
    second = RecordingCommitter()
    restarted, _ = service(feeds, second, states={survived.state.feed: survived.state})
    await run_until(restarted, 1)
    produced = [a.id for a in survived.articles] + [a.id for a in second.articles]
    assert len(produced) == 25
    assert len(set(produced)) == 25
