"""Item identity and canonical URLs: one story, one article id."""

from __future__ import annotations

import pytest

from services.ingestor.identity import article_id, canonical_url, item_identity

FEED = "https://news.example/rss.xml"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://News.Example.COM:443/a/b?utm_source=rss&id=7#comments", "https://news.example.com/a/b?id=7"),
        ("http://news.example.com:80/", "http://news.example.com/"),
        ("http://news.example.com:8080/x", "http://news.example.com:8080/x"),
        ("https://n.example/a?b=2&a=1&fbclid=XYZ&gclid=1&mc_cid=2&mc_eid=3", "https://n.example/a?a=1&b=2"),
        ("https://n.example/a?UTM_Campaign=x&utm_medium=y", "https://n.example/a"),
        ("https://n.example", "https://n.example/"),
        ("https://n.example/caf%C3%A9", "https://n.example/caf%C3%A9"),
        ("https://n.example/café", "https://n.example/caf%C3%A9"),
        ("  https://n.example/x  ", "https://n.example/x"),
        ("https://n.example./x", "https://n.example/x"),
        ("mailto:desk@n.example", "mailto:desk@n.example"),
        ("not a url", "not a url"),
    ],
)
def test_canonical_url_drops_what_does_not_name_the_page(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_tracking_variants_of_one_link_give_one_article_id() -> None:
    plain = item_identity(FEED, guid=None, link="https://n.example/story?id=1")
    tracked = item_identity(FEED, guid=None, link="https://N.example/story?utm_source=x&id=1#top")
    assert plain == tracked
    assert article_id(plain) == article_id(tracked)


def test_guid_comes_first_then_link_then_content() -> None:
    with_guid = item_identity(FEED, guid="tag:n.example,2025:42", link="https://n.example/a")
    assert with_guid == "guid:tag:n.example,2025:42"
    assert item_identity(FEED, guid=None, link="https://n.example/a") == "url:https://n.example/a"
    by_content = item_identity(FEED, guid=None, link=None, title="T", summary="S", published="2025-01-07")
    assert by_content.startswith("content:")
    assert by_content == item_identity(FEED, guid="", link=" ", title="T", summary="S", published="2025-01-07")
    assert by_content != item_identity(FEED, guid=None, link=None, title="T2", summary="S", published="2025-01-07")


def test_a_url_guid_is_canonicalised_so_it_matches_the_link_rule() -> None:
    assert item_identity(FEED, guid="https://N.example/a?utm_medium=rss", link=None) == "url:https://n.example/a"


def test_a_bare_guid_is_scoped_by_its_feed() -> None:
    one = item_identity("https://a.example/rss", guid="1234", link=None)
    other = item_identity("https://b.example/rss", guid="1234", link=None)
    assert one != other


def test_content_identity_is_scoped_by_feed() -> None:
    one = item_identity("https://a.example/rss", guid=None, link=None, title="Same")
    other = item_identity("https://b.example/rss", guid=None, link=None, title="Same")
    assert one != other
