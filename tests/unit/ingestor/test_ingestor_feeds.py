"""The feed list file and OPML import."""

from __future__ import annotations

import pytest

from newsmon.errors import ConfigurationError
from services.ingestor.feeds import FeedConfig, dump_feed_list, merge, parse_feed_list, parse_opml

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="World">
      <outline type="rss" text="Kyiv desk" title="Kyiv desk" xmlUrl="https://kyiv.example/rss" language="uk-UA"/>
      <outline text="Europe">
        <outline type="rss" text="Brussels" xmlUrl="https://eu.example/atom.xml"/>
      </outline>
    </outline>
    <outline type="rss" text="Top" xmlUrl="https://top.example/feed"/>
    <outline type="rss" text="Top again" xmlUrl="HTTPS://TOP.example/feed#x"/>
    <outline text="a folder without feeds"/>
  </body>
</opml>"""


def test_feed_list_applies_defaults_and_accepts_bare_urls() -> None:
    feeds = parse_feed_list(
        """
defaults:
  interval: 300
  tags: [war]
feeds:
  - url: https://a.example/rss
    name: A
    language: en
  - https://b.example/rss
  - url: https://c.example/rss
    interval: 60
"""
    )
    assert [f.url for f in feeds] == ["https://a.example/rss", "https://b.example/rss", "https://c.example/rss"]
    assert feeds[0] == FeedConfig(url="https://a.example/rss", name="A", interval=300, tags=("war",), language="en")
    assert feeds[1].interval == 300
    assert feeds[2].interval == 60


@pytest.mark.parametrize(
    "text",
    ["feeds: [{name: no url}]", "feeds: [{url: 'https://a', interval: -1}]", "feeds: [{url: x, color: red}]", ": :"],
)
def test_a_broken_feed_list_is_a_configuration_error(text: str) -> None:
    with pytest.raises(ConfigurationError):
        parse_feed_list(text)


def test_opml_import_keeps_folders_as_tags_and_drops_duplicates() -> None:
    feeds = parse_opml(OPML)
    assert [(f.url, f.name, f.tags, f.language) for f in feeds] == [
        ("https://kyiv.example/rss", "Kyiv desk", ("World",), "uk"),
        ("https://eu.example/atom.xml", "Brussels", ("World", "Europe"), None),
        ("https://top.example/feed", "Top", (), None),
    ]


def test_opml_that_is_not_opml_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        parse_opml(b"<html><p>hello</p></html>")


def test_merge_adds_only_new_feeds_and_round_trips_through_yaml() -> None:
    existing = [FeedConfig(url="https://top.example/feed", name="Mine", interval=60)]
    merged, added = merge(existing, parse_opml(OPML))
    assert [f.url for f in added] == ["https://kyiv.example/rss", "https://eu.example/atom.xml"]
    assert merged[0].name == "Mine"
    assert parse_feed_list(dump_feed_list(merged)) == merged


def test_the_shipped_feed_list_loads() -> None:
    from pathlib import Path

    from services.ingestor.feeds import load_feeds

    feeds = load_feeds(Path(__file__).resolve().parents[3] / "deploy" / "feeds.yaml")
    assert feeds
    assert all(feed.url.startswith("https://") and feed.name for feed in feeds)
