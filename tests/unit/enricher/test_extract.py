"""The pipeline as a whole: contract fields, determinism, explanation, facts and the CLI reader."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from newsmon.contracts import RawArticle
from services.enricher.cli import print_explanation, read_articles
from services.enricher.extract import PlaceFinderLike, explain, extract

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TEXT = (
    "Russia's Defense Ministry said on Monday that its troops had captured Selydove, about 20 miles (32 kilometers) "
    "south of Pokrovsk. Ukraine's military said fighting in the town continued. With a prewar population of more "
    "than 20,000, Selydove had 5,000 troops, the ministry said. Reuters could not independently verify the claims."
)


def _article(text: str = TEXT) -> RawArticle:
    return RawArticle(
        id="a1",
        url="https://example.invalid/a1",
        source="Example",
        title="Selydove",
        published=datetime(2025, 1, 7, 12, tzinfo=UTC),
        text=text,
    )


def test_claims_carry_evidence_offsets_article_and_story(table_finder: PlaceFinderLike) -> None:
    enriched = extract(_article(), finder=table_finder, now=NOW)

    assert {(c.predicate, c.place.name, c.modality) for c in enriched.claims} == {
        ("captured", "Selydove", "asserted"),
        ("contested", "Selydove", "unverified"),
    }
    for claim in enriched.claims:
        assert TEXT[claim.evidence.start : claim.evidence.end] == claim.evidence.sentence
        assert claim.article.article_id == "a1"
        assert claim.story is None  # nested in its article: the article's signature is the claim's
        assert claim.rule
    assert enriched.story is not None
    published = enriched.place_records()
    assert [record.id for record in published] == [record.id for record in (*enriched.claims, *enriched.facts)]
    assert all(record.story == enriched.story for record in published)
    [captured] = [c for c in enriched.claims if c.predicate == "captured"]
    assert captured.about is not None
    assert captured.about.date().isoformat() == "2025-01-06"
    assert captured.about_text == "on Monday"


def test_facts_are_normalised_and_attributed(table_finder: PlaceFinderLike) -> None:
    enriched = extract(_article(), finder=table_finder, now=NOW)

    facts = {(f.kind, tuple(p.name for p in f.places), round(f.value, 1), f.unit) for f in enriched.facts}
    assert facts == {
        ("distance", ("Selydove", "Pokrovsk"), 32.2, "km"),
        ("population", ("Selydove",), 20000.0, "people"),
        ("troops", ("Selydove",), 5000.0, "people"),
    }
    [troops] = [f for f in enriched.facts if f.kind == "troops"]
    assert troops.attributed_to.side == "RU"


def test_extraction_is_deterministic(table_finder: PlaceFinderLike) -> None:
    first = extract(_article(), finder=table_finder, now=NOW)
    second = extract(_article(), finder=table_finder, now=NOW)

    assert first == second


def test_explanation_names_the_rule_of_every_claim_and_the_dropped_cues(table_finder: PlaceFinderLike) -> None:
    text = TEXT + " The capture of Pokrovsk would be a blow."
    result = explain(_article(text), finder=table_finder, now=NOW)
    console = Console(record=True, width=120)

    print_explanation(console, result)

    shown = console.export_text()
    assert "captured.verb" in shown
    assert "hypothetical" in shown
    assert len(result.traces) == len(result.article.claims)


def test_the_cli_reads_json_lines_and_bare_text(tmp_path: Path) -> None:
    lines = tmp_path / "articles.jsonl"
    lines.write_text(
        json.dumps(
            {
                "id": "x1",
                "url": "https://e.invalid/1",
                "source": "E",
                "published": "2025-01-07T12:00:00+00:00",
                "title": "T",
                "text": "Hello.",
            }
        )
        + "\n\n"
    )
    bare = tmp_path / "story.txt"
    bare.write_text("Russian troops seized Selydove.")

    [from_lines] = list(read_articles(lines))
    [from_text] = list(read_articles(bare, published=datetime(2025, 1, 7, tzinfo=UTC)))

    assert (from_lines.id, from_lines.title) == ("x1", "T")
    assert from_text.text == "Russian troops seized Selydove."
    assert from_text.source == "story"
    assert from_text.id == next(iter(read_articles(bare))).id, "the id of a bare article comes from its content"
