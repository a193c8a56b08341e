"""The demo feed built from the seed articles comes through with the article text intact."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from ingestor_helpers import articles_in, poll_once

from newsmon.settings import HttpSettings
from services.ingestor.feeds import FeedConfig
from services.ingestor.fetch import Fetcher
from services.ingestor.poll import FeedPoller
from services.ingestor.seedfeed import SeedArticle, SeedSite, default_seeds_dir, load_seeds
from services.ingestor.settings import IngestorSettings

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not default_seeds_dir().is_dir(), reason="the shared seeds are not next to the checkout"),
]

PUBLISHED_DAYS = {
    "000_92af7fd105667066": "2025-01-07",
    "001_e574cf05917e8efc": "2025-01-07",
    "002_ffcad822e69bebe5": "2025-01-07",
    "003_6caa6468e40c20f6": "2024-08-20",
    "004_01062f8326f51dc0": "2025-03-13",
}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def assert_text_intact(seed: SeedArticle, text: str) -> None:
    """Every paragraph of the seed, in order, and nothing of the page around the article."""
    flat = squeeze(text)
    assert flat.startswith(squeeze(seed.paragraphs[0])), "the text starts with the article, not the headline"
    position = 0
    for paragraph in seed.paragraphs:
        found = flat.find(squeeze(paragraph), position)
        assert found >= 0, f"{seed.name}: paragraph missing or out of order: {paragraph[:60]!r}"
        position = found + len(squeeze(paragraph))
    assert "Demo site built" not in text
    assert "World" not in flat.split(" ")[:3]


def test_seeds_carry_the_publication_dates_of_their_readme() -> None:
    seeds = load_seeds(default_seeds_dir())
    assert {seed.name: seed.published.date().isoformat() for seed in seeds} == PUBLISHED_DAYS
    assert seeds[0].name == "003_6caa6468e40c20f6"  # publication order


async def test_seed_feed_through_the_kafka_free_core() -> None:
    with SeedSite.start() as site:
        async with Fetcher(HttpSettings(allowed_private_hosts=("127.0.0.1",))) as fetcher:
            result = await FeedPoller(fetcher).poll(FeedConfig(url=site.feed_url, name="Seeds"), None)
        seeds = {site.page_url(seed): seed for seed in site.seeds}
    assert result.outcome == "new"
    assert result.dead_letters == ()
    assert len(result.articles) == 5
    for article in result.articles:
        seed = seeds[article.url]
        assert article.text_origin == "page"
        assert article.published == seed.published
        assert article.language == "en"
        assert_text_intact(seed, article.text)


async def test_seed_feed_through_kafka(settings_for: Callable[..., IngestorSettings]) -> None:
    with SeedSite.start() as site:
        settings = settings_for()
        await poll_once(settings, [FeedConfig(url=site.feed_url, name="Seeds", interval=3600)])
        seeds = {site.page_url(seed): seed for seed in site.seeds}
    articles = await articles_in(settings.kafka, at_least=5)
    assert sorted(a.url for a in articles) == sorted(seeds)
    for article in articles:
        assert article.source == "Seeds"
        assert article.published is not None
        assert article.published < datetime(2025, 3, 14, tzinfo=UTC)
        assert_text_intact(seeds[article.url], article.text)
