"""Hostile and broken servers: each gives one clear dead letter, and the good feed keeps flowing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from ingestor_helpers import articles_in, dead_letters_in, poll_once, states_in
from ingestor_sites import (
    LocalSite,
    Static,
    add_news_feeds,
    gzip_bomb,
    huge_body,
    never_answers,
    page,
    redirect,
    status,
    trickles,
)

from services.ingestor.feeds import FeedConfig
from services.ingestor.settings import IngestorSettings

pytestmark = pytest.mark.integration


async def test_each_hostile_server_gives_a_dead_letter_and_good_feeds_keep_flowing(
    settings_for: Callable[..., IngestorSettings],
) -> None:
    with LocalSite() as site:
        [good] = add_news_feeds(site, feeds=1, items=5)
        site.behaviours.update(
            {
                "/never": never_answers(site),
                "/trickle": trickles(site, pause=0.3),
                "/missing": status(404),
                "/broken": status(500),
                "/busy": status(429, {"Retry-After": "600"}),
                "/loop-a": redirect("/loop-b"),
                "/loop-b": redirect("/loop-a"),
                "/huge": huge_body(50 * 1024 * 1024),
                "/bomb": gzip_bomb(200 * 1024 * 1024),
                "/to-private": redirect("http://10.0.0.1/feed.xml"),
            }
        )
        site.static["/homepage"] = Static(page("Welcome to our homepage"), "text/html")
        hostile = {
            site.url("/never"): ("fetch_feed", {"timeout", "read_timeout"}),
            site.url("/trickle"): ("fetch_feed", {"timeout"}),
            site.url("/missing"): ("fetch_feed", {"http_404"}),
            site.url("/broken"): ("fetch_feed", {"http_500"}),
            site.url("/busy"): ("fetch_feed", {"http_429"}),
            site.url("/loop-a"): ("fetch_feed", {"redirect_loop"}),
            site.url("/homepage"): ("parse_feed", {"not_a_feed"}),
            site.url("/huge"): ("fetch_feed", {"too_large"}),
            site.url("/bomb"): ("fetch_feed", {"too_large"}),
            "not a url": ("fetch_feed", {"invalid_url"}),
            "http://10.255.255.1/feed.xml": ("fetch_feed", {"blocked_address"}),
            "http://169.254.169.254/latest/meta-data/": ("fetch_feed", {"blocked_address"}),
            site.url("/to-private"): ("fetch_feed", {"blocked_address"}),
        }
        feeds = [FeedConfig(url=url, interval=60) for url in [good, *hostile]]
        settings = settings_for(
            backoff_base=30.0, http={"total_timeout": 3.0, "read_timeout": 2.0, "connect_timeout": 2.0}
        )
        await poll_once(settings, feeds, deadline=60)

    articles = await articles_in(settings.kafka, at_least=5)
    assert len(articles) == 5
    assert all(a.text_origin == "page" for a in articles)
    letters = {letter.feed: letter for letter in await dead_letters_in(settings.kafka, at_least=len(hostile))}
    assert set(letters) == set(hostile)
    for url, (stage, kinds) in hostile.items():
        letter = letters[url]
        assert letter.stage == stage, (url, letter)
        assert letter.error_kind in kinds, (url, letter)
        assert letter.service == "ingestor"
        assert len(letter.reason) > 10
    assert "Retry-After 600" in letters[site.url("/busy")].reason
    assert "10.255.255.1" in letters["http://10.255.255.1/feed.xml"].reason
    assert "loop" in letters[site.url("/loop-a")].reason
    states = await states_in(settings.kafka, at_least=len(hostile) + 1)
    busy = states[site.url("/busy")]
    assert busy.failures == 1
    assert busy.last_polled is not None
    assert busy.next_poll is not None
    assert busy.next_poll >= busy.last_polled + timedelta(seconds=600)
    assert states[good].failures == 0
