"""New items arrive once each; unchanged feeds cost a 304 and produce nothing; state survives a restart."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from ingestor_helpers import articles_in, by_id, dead_letters_in, poll_once, states_in
from ingestor_sites import LocalSite, Static, add_news_feeds, rss

from services.ingestor.feeds import FeedConfig
from services.ingestor.settings import IngestorSettings

pytestmark = pytest.mark.integration


async def test_new_items_of_several_feeds_arrive_once_and_a_second_poll_gets_304s(
    settings_for: Callable[..., IngestorSettings],
) -> None:
    with LocalSite() as site:
        urls = add_news_feeds(site, feeds=4, items=12)
        feeds = [FeedConfig(url=url, name=f"News {n}", interval=3600) for n, url in enumerate(urls)]
        settings = settings_for()

        _, metrics = await poll_once(settings, feeds)
        articles = await articles_in(settings.kafka, at_least=48)
        assert len(articles) == 48
        assert set(by_id(articles).values()) == {1}
        assert {a.source for a in articles} == {f"News {n}" for n in range(4)}
        assert all(a.text_origin == "page" and "paragraph 2 of the story" in a.text for a in articles)
        assert metrics.items["new"] == 48
        states = await states_in(settings.kafka, at_least=4)
        assert {url: len(states[url].seen_ids) for url in urls} == dict.fromkeys(urls, 12)
        assert all(states[url].etag for url in urls)

        # A restarted ingestor reads its state back: every feed answers 304, nothing is produced.
        # (A shorter interval in the feed list takes effect at once, so the feeds are due again within a second.)
        _, metrics = await poll_once(settings, [feed.model_copy(update={"interval": 0.5}) for feed in feeds])
        assert metrics.feed_polls["not_modified"] == 4
        assert sum(site.statuses[(f"/news{n}/rss.xml", 304)] for n in range(4)) == 4
        assert len(await articles_in(settings.kafka)) == 48
        assert await dead_letters_in(settings.kafka) == []


async def test_only_the_new_items_of_a_changed_feed_are_produced(
    settings_for: Callable[..., IngestorSettings],
) -> None:
    with LocalSite() as site:
        items = [(f"tag:t,2025:{n}", site.url(f"/p/{n}"), f"Story {n}") for n in range(10)]
        site.static["/rss"] = Static(rss("Changing", items[:6]))
        feed = FeedConfig(url=site.url("/rss"), interval=3600)
        settings = settings_for(fetch_pages=False)
        await poll_once(settings, [feed])
        site.static["/rss"] = Static(rss("Changing", items[3:]))  # 3 old items dropped, 4 new
        _, metrics = await poll_once(settings, [feed.model_copy(update={"interval": 0.5})])
        articles = await articles_in(settings.kafka, at_least=10)
        assert sorted(a.title for a in articles) == sorted(f"Story {n}" for n in range(10))  # 6 partitions
        assert metrics.items["duplicate"] == 3
        assert all(a.text_origin == "feed_summary" and a.fetch_error for a in articles)


async def test_the_same_story_in_two_feeds_is_produced_once(settings_for: Callable[..., IngestorSettings]) -> None:
    with LocalSite() as site:
        shared = ("https://wire.example/story-1", "https://wire.example/story-1", "Wire story")
        site.static["/a"] = Static(rss("A", [shared, ("tag:a,1", "https://a.example/1", "Only in A")]))
        site.static["/b"] = Static(rss("B", [shared]))
        settings = settings_for(fetch_pages=False)
        await poll_once(settings, [FeedConfig(url=site.url("/a"), interval=3600)])
        await poll_once(settings, [FeedConfig(url=site.url("/b"), interval=3600)])
        articles = await articles_in(settings.kafka, at_least=2)
        assert sorted(a.title for a in articles) == ["Only in A", "Wire story"]
