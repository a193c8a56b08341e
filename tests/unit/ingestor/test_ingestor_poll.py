"""One poll of one feed, without Kafka: new items, 304s, failures as dead letters, pages with fallback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx

from newsmon.contracts import FeedState
from newsmon.metrics import InMemoryMetrics
from newsmon.settings import HttpSettings
from services.ingestor.feeds import FeedConfig
from services.ingestor.fetch import Fetcher, build_client
from services.ingestor.poll import FeedPoller
from services.ingestor.schedule import SchedulePolicy

NOW = datetime(2025, 1, 7, 12, 0, tzinfo=UTC)
PAGE = (
    "<html lang='en'><head><title>Story {n}</title></head><body><nav>Home</nav><article><h1>Story {n}</h1>"
    + "<p>Paragraph one of story {n}, long enough to count as an article body for the extractor.</p>" * 3
    + "</article><footer>(c) example</footer></body></html>"
)


def rss(items: range, *, with_links: bool = True) -> bytes:
    entries = []
    for n in items:
        link = f"<link>https://news.example/story/{n}?utm_source=rss</link>" if with_links else ""
        date = format_datetime(NOW - timedelta(hours=100 - n), usegmt=True)
        entries.append(
            f"<item><title>Story {n}</title>{link}<pubDate>{date}</pubDate>"
            f"<description>Summary of story {n}</description></item>"
        )
    return f"<rss version='2.0'><channel><title>News</title>{''.join(entries)}</channel></rss>".encode()


class Site:
    """A fake news site behind httpx.MockTransport; counts requests by path."""

    def __init__(self, feed: bytes) -> None:
        self.feed = feed
        self.requests: list[str] = []
        self.page_status = 200
        self.feed_status = 200
        self.feed_headers: dict[str, str] = {}

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url.path)
        if request.url.path == "/rss":
            if self.feed_status != 200:
                return httpx.Response(self.feed_status, headers=self.feed_headers)
            etag = f'"{hash(self.feed)}"'
            if request.headers.get("if-none-match") == etag:
                return httpx.Response(304, headers={"ETag": etag})
            return httpx.Response(
                200, headers={"ETag": etag, "Content-Type": "application/rss+xml"}, stream=httpx.ByteStream(self.feed)
            )
        if self.page_status != 200:
            return httpx.Response(self.page_status)
        n = request.url.path.rsplit("/", 1)[-1]
        body = PAGE.format(n=n).encode()
        return httpx.Response(200, headers={"Content-Type": "text/html"}, stream=httpx.ByteStream(body))


async def resolver(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]


def poller_for(
    site: Site, *, fetch_pages: bool = True, max_seen_ids: int = 2000, is_known: Callable[[str], bool] | None = None
) -> tuple[FeedPoller, InMemoryMetrics]:
    settings = HttpSettings()
    fetcher = Fetcher(settings, client=build_client(settings, httpx.MockTransport(site.handler)), resolver=resolver)
    metrics = InMemoryMetrics()
    policy = SchedulePolicy(jitter=0.0, backoff_base=60)
    poller = FeedPoller(
        fetcher, fetch_pages=fetch_pages, max_seen_ids=max_seen_ids, policy=policy, metrics=metrics, is_known=is_known
    )
    return poller, metrics


FEED = FeedConfig(url="https://news.example/rss", name="News", interval=600, tags=("test",))


async def test_first_poll_produces_every_item_with_its_page_text_then_a_304_produces_nothing() -> None:
    site = Site(rss(range(1, 4)))
    poller, metrics = poller_for(site)
    first = await poller.poll(FEED, None, now=NOW)
    assert first.outcome == "new"
    assert [a.title for a in first.articles] == ["Story 1", "Story 2", "Story 3"]  # oldest first
    article = first.articles[0]
    assert article.text_origin == "page"
    assert "Paragraph one of story 1" in article.text
    assert article.url == "https://news.example/story/1"
    assert article.language == "en"
    assert article.tags == ("test",)
    assert article.source == "News"
    assert first.new_state.etag
    assert len(first.new_state.seen_ids) == 3
    assert first.new_state.next_poll == NOW + timedelta(seconds=600)

    second = await poller.poll(FEED, first.new_state, now=NOW)
    assert second.outcome == "not_modified"
    assert second.articles == ()
    assert second.dead_letters == ()
    assert second.new_state.seen_ids == first.new_state.seen_ids
    assert metrics.feed_polls["not_modified"] == 1
    assert metrics.items["new"] == 3


async def test_only_new_items_are_produced_when_the_feed_changes() -> None:
    site = Site(rss(range(1, 4)))
    poller, metrics = poller_for(site, fetch_pages=False)
    first = await poller.poll(FEED, None, now=NOW)
    site.feed = rss(range(2, 6))
    second = await poller.poll(FEED, first.new_state, now=NOW)
    assert [a.title for a in second.articles] == ["Story 4", "Story 5"]
    assert second.duplicates == 2
    assert all(a.text_origin == "feed_summary" for a in second.articles)
    assert metrics.items == {"new": 5, "duplicate": 2}


async def test_an_unfetchable_page_falls_back_to_the_summary_and_says_why() -> None:
    site = Site(rss(range(1, 2)))
    site.page_status = 404
    poller, _ = poller_for(site)
    result = await poller.poll(FEED, None, now=NOW)
    article = result.articles[0]
    assert article.text_origin == "feed_summary"
    assert article.text == "Summary of story 1"
    assert article.fetch_error is not None
    assert "http_404" in article.fetch_error
    [letter] = result.dead_letters
    assert (letter.stage, letter.error_kind, letter.feed) == ("fetch_article", "http_404", FEED.url)
    assert letter.url == "https://news.example/story/1?utm_source=rss"


async def test_a_failing_feed_gives_a_dead_letter_and_backs_off_honouring_retry_after() -> None:
    site = Site(rss(range(1, 2)))
    site.feed_status = 503
    site.feed_headers = {"Retry-After": "3600"}
    poller, metrics = poller_for(site)
    result = await poller.poll(FEED, FeedState(feed=FEED.url, failures=2, etag='"old"'), now=NOW)
    assert result.outcome == "http_503"
    assert result.articles == ()
    [letter] = result.dead_letters
    assert (letter.stage, letter.error_kind, letter.service) == ("fetch_feed", "http_503", "ingestor")
    assert "Retry-After 3600" in letter.reason
    assert result.new_state.failures == 3
    assert result.new_state.etag == '"old"'
    assert result.new_state.next_poll == NOW + timedelta(seconds=3600)
    site.feed_status = 500
    again = await poller.poll(FEED, FeedState(feed=FEED.url, failures=2), now=NOW)
    assert again.new_state.next_poll == NOW + timedelta(seconds=240)  # 60 * 2**2
    assert metrics.errors[("ingestor", "http_503")] == 1


async def test_a_page_that_is_not_a_feed_is_a_parse_dead_letter() -> None:
    site = Site(b"<!DOCTYPE html><html><body>Sorry, we moved</body></html>")
    poller, _ = poller_for(site)
    result = await poller.poll(FEED, None, now=NOW)
    [letter] = result.dead_letters
    assert (letter.stage, letter.error_kind) == ("parse_feed", "not_a_feed")
    assert letter.payload is not None
    assert "Sorry" in letter.payload
    assert result.new_state.failures == 1
    assert result.new_state.etag
    again = await poller.poll(FEED, result.new_state, now=NOW)
    assert again.outcome == "not_modified"
    assert again.dead_letters == ()


async def test_seen_ids_are_bounded_but_items_still_listed_are_never_forgotten() -> None:
    site = Site(rss(range(1, 21)))
    poller, _ = poller_for(site, fetch_pages=False, max_seen_ids=15)
    first = await poller.poll(FEED, None, now=NOW)
    assert len(first.articles) == 20
    assert len(first.new_state.seen_ids) == 15
    site.feed = rss(range(10, 25))
    second = await poller.poll(FEED, first.new_state, now=NOW)
    assert [a.title for a in second.articles] == [f"Story {n}" for n in range(21, 25)]
    assert len(second.new_state.seen_ids) == 15


async def test_chunk_progress_keeps_the_old_validators_until_the_last_chunk() -> None:
    site = Site(rss(range(1, 6)))
    poller, _ = poller_for(site, fetch_pages=False)
    check = await poller.check(FEED, FeedState(feed=FEED.url, etag='"before"'), now=NOW)
    assert check.state.etag != '"before"'
    partial = check.progress([check.new_items[0].id, check.new_items[1].id])
    assert partial.etag == '"before"'
    assert partial.seen_ids == (check.new_items[0].id, check.new_items[1].id)


async def test_an_item_known_from_another_feed_is_a_duplicate() -> None:
    site = Site(rss(range(1, 3)))
    poller, _ = poller_for(site, fetch_pages=False)
    probe = await poller.check(FEED, None, now=NOW)
    known = {probe.new_items[0].id}  # the service passes its KnownIds here
    poller, _ = poller_for(site, fetch_pages=False, is_known=known.__contains__)
    result = await poller.poll(FEED, None, now=NOW)
    assert [a.title for a in result.articles] == ["Story 2"]
    assert result.duplicates == 1
    assert set(result.new_state.seen_ids) == {item.id for item in probe.new_items}
