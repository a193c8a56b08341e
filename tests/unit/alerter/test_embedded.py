"""The in-process pipeline: publication order, one state per place, JSON lines in and out, the faust codec."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.contracts import AlertEvent, ArticleRef, EnrichedArticle, RawArticle
from newsmon.contracts.claims import place_key
from newsmon.errors import PoisonError
from services.alerter import codec
from services.alerter.embedded import (
    EmbeddedAlerter,
    read_raw_articles,
    replay,
    write_jsonl,
)
from services.alerter.lifecycle import empty_state, process
from services.alerter.rules import RuleConfig
from services.alerter.samples import KURAKHOVE, MONDAY, POKROVSK, RU_MOD, UA_MILITARY, article, claim, fact, hours


def raw(url: str, published_hours: float | None) -> RawArticle:
    published = MONDAY + hours(published_hours) if published_hours is not None else None
    return RawArticle(id=url[-8:], url=url, source="Test", published=published, text=f"text of {url}")


def enrich_by_url(article: RawArticle) -> EnrichedArticle:
    """A stand-in for the enricher: the RU claim in the first article, the UA answer in the second."""
    reference = ref_of(article)
    claims = {
        "https://t.example/ru": (claim("captured", RU_MOD, at=reference, about=MONDAY),),
        "https://t.example/ua": (claim("contested", UA_MILITARY, at=reference, about=MONDAY + hours(20)),),
    }.get(article.url, ())
    facts = (fact(30.0, at=reference),) if "ru" in article.url else (fact(40.0, at=reference),)
    return EnrichedArticle(**article.model_dump(), claims=claims, facts=facts)


def ref_of(raw_article: RawArticle) -> ArticleRef:
    return article(raw_article.url, raw_article.source, published=raw_article.published or MONDAY)


def test_articles_are_processed_in_publication_order() -> None:
    articles = [
        raw("https://t.example/ua", 30),
        raw("https://t.example/ru", 10),
        raw("https://t.example/undated", None),
    ]
    seen = [enriched.url for enriched, _ in replay(articles, enrich_by_url)]
    assert seen == ["https://t.example/ru", "https://t.example/ua", "https://t.example/undated"]


def test_replay_raises_the_dispute_once_and_the_discrepancy() -> None:
    events = [
        event
        for _, caused in replay([raw("https://t.example/ru", 10), raw("https://t.example/ua", 30)], enrich_by_url)
        for event in caused
    ]
    assert sorted((event.event, event.alert.kind) for event in events) == [
        ("opened", "control_dispute"),
        ("opened", "numeric_discrepancy"),
    ]


def test_records_are_kept_per_place_key() -> None:
    alerter = EmbeddedAlerter()
    alerter.process(claim("captured", RU_MOD))
    alerter.process(fact(30.0, places=(POKROVSK, KURAKHOVE)))
    assert set(alerter.states) == {KURAKHOVE.id}  # the fact's key is its smallest place id
    assert place_key(fact(1.0, places=(POKROVSK, KURAKHOVE))) == min(KURAKHOVE.id, POKROVSK.id)


def test_json_lines_in_and_out(tmp_path: Path) -> None:
    lines = [raw("https://t.example/ru", 10).model_dump_json(), "", raw("https://t.example/ua", 30).model_dump_json()]
    articles = read_raw_articles(lines)
    assert [a.url for a in articles] == ["https://t.example/ru", "https://t.example/ua"]
    events = [e for _, caused in replay(articles, enrich_by_url) for e in caused]
    path = write_jsonl(events, tmp_path / "out" / "alerts.jsonl")
    assert [AlertEvent.model_validate_json(line) for line in path.read_text().splitlines()] == events


def test_a_line_that_is_not_an_article_names_its_number() -> None:
    with pytest.raises(PoisonError, match=r"feed.jsonl:2: not a RawArticle"):
        read_raw_articles([raw("https://t.example/ru", 1).model_dump_json(), '{"url": 1}'], name="feed.jsonl")


def test_the_codec_round_trips_state_events_and_records() -> None:
    name = codec.register()
    assert codec.register() == name
    state, events = process(empty_state(KURAKHOVE.id), claim("captured", RU_MOD), RuleConfig())
    state, events = process(state, claim("contested", UA_MILITARY, offset=300), RuleConfig())
    the_codec = codec.ContractCodec()
    for value in (state, events[0], claim("captured", RU_MOD), fact(3.0)):
        assert the_codec.loads(the_codec.dumps(value)) == value


def test_the_codec_refuses_what_is_not_a_contract() -> None:
    the_codec = codec.ContractCodec()
    with pytest.raises(TypeError):
        the_codec.dumps({"a": 1})
    with pytest.raises(ValueError, match="not a newsmon contract"):
        the_codec.loads(b'{"a": 1}')


def test_replay_refuses_a_file_that_is_not_articles(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from newsmon.cli import app

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"url": 1}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["replay", str(bad)])
    assert result.exit_code == 2
    assert "bad.jsonl:1: not a RawArticle" in result.output
