"""Golden output: speed work on the enricher must not change a single byte of what it extracts.

``tests/data/golden/enricher.json`` holds the full ``explain`` output (the enriched article without its
``enriched_at`` time, the per-claim traces and the dropped cues) for the five seeds with both finders, for each of
our test sentences, and for a few composite articles. Regenerate it only when an output change is intended:

    .venv/bin/python tests/unit/enricher/test_golden.py
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from newsmon.contracts import RawArticle
from newsmon.contracts.ids import article_id
from services.enricher.evaluation import load_gold
from services.enricher.extract import PlaceFinderLike, explain

REPO = Path(__file__).resolve().parents[3]
GOLDEN = REPO / "tests" / "data" / "golden" / "enricher.json"
SEEDS = REPO.parent / "shared" / "seeds"
GOLD = REPO / "tests" / "data" / "gold" / "seeds.yaml"
SENTENCES = REPO / "tests" / "data" / "sentences.yaml"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
DEFAULT_PUBLISHED = "2025-01-07T12:00:00+00:00"
TITLED = (
    "Russia's Defense Ministry said on Monday that its troops had captured Selydove, about 20 miles (32 kilometers) "
    "south of Pokrovsk. Ukraine's military said fighting in the town continued. With a prewar population of more "
    "than 20,000, Selydove had 5,000 troops, the ministry said. Reuters could not independently verify the claims."
)


def _cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load(SENTENCES.read_text(encoding="utf-8"))["cases"]
    return cases


def articles() -> list[tuple[str, str, RawArticle]]:
    """(name, finder kind, article) of every golden entry, in a fixed order."""
    entries: list[tuple[str, str, RawArticle]] = []
    for gold in load_gold(GOLD, SEEDS):
        entries.append((f"seed:{gold.file}:gazetteer", "gazetteer", gold.article))
        entries.append((f"seed:{gold.file}:table", "table", gold.article))
    by_finder: dict[str, list[str]] = {"table": [], "gazetteer": []}
    for case in _cases():
        kind = "gazetteer" if case.get("finder") == "gazetteer" else "table"
        by_finder[kind].append(case["text"])
        article = RawArticle(
            id=article_id(case["id"]),
            url=f"https://example.invalid/{case['id']}",
            source="test",
            published=datetime.fromisoformat(case.get("published", DEFAULT_PUBLISHED)),
            text=case["text"],
        )
        entries.append((f"sentence:{case['id']}", kind, article))
    for kind, texts in by_finder.items():  # all sentences as one article: interactions across sentences
        joined = RawArticle(
            id=f"joined-{kind}",
            url=f"https://example.invalid/joined-{kind}",
            source="test",
            published=datetime.fromisoformat(DEFAULT_PUBLISHED),
            text="\n\n".join(texts),
        )
        entries.append((f"joined:{kind}", kind, joined))
        entries.append((f"joined:{kind}:gazetteer", "gazetteer", joined))
    titled = RawArticle(
        id="titled",
        url="https://example.invalid/titled",
        source="Example",
        title="Selydove",
        published=datetime(2025, 1, 7, 12, tzinfo=UTC),
        text=TITLED,
    )
    entries.append(("titled:table", "table", titled))
    undated = RawArticle(id="undated", url="https://example.invalid/undated", source="Example", text=TITLED)
    entries.append(("undated:table", "table", undated))
    return entries


def snapshot(name: str, article: RawArticle, finder: PlaceFinderLike) -> dict[str, Any]:
    result = explain(article, finder=finder, now=NOW)
    enriched = result.article.model_dump(mode="json", exclude={"enriched_at"})
    return {
        "name": name,
        "article": enriched,
        "traces": [asdict(trace) for trace in result.traces],
        "dropped": [asdict(cue) for cue in result.dropped],
    }


def _finders() -> dict[str, PlaceFinderLike]:
    from services.enricher.fakes import TableFinder
    from services.enricher.gazetteer import load_gazetteer
    from services.enricher.places import PlaceFinder

    return {"table": TableFinder(), "gazetteer": PlaceFinder(load_gazetteer())}


def test_extraction_output_is_unchanged(table_finder: PlaceFinderLike, place_finder: PlaceFinderLike) -> None:
    assert GOLDEN.is_file(), f"regenerate with: .venv/bin/python tests/unit/enricher/test_golden.py ({GOLDEN})"
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    finders = {"table": table_finder, "gazetteer": place_finder}
    entries = articles()
    assert [e["name"] for e in expected] == [name for name, _, _ in entries]
    for (name, kind, article), wanted in zip(entries, expected, strict=True):
        got = json.loads(json.dumps(snapshot(name, article, finders[kind]), ensure_ascii=False))
        assert got == wanted, f"{name}: extraction output changed"


def test_extraction_is_repeatable_within_a_process(table_finder: PlaceFinderLike) -> None:
    """Caches filled by earlier articles must not change later results: run the whole set twice, same answers."""
    entries = [(name, article) for name, kind, article in articles() if kind == "table"]
    first = [snapshot(name, article, table_finder) for name, article in entries]
    second = [snapshot(name, article, table_finder) for name, article in reversed(entries)]
    assert first == list(reversed(second))


def main() -> None:
    finders = _finders()
    data = [snapshot(name, article, finders[kind]) for name, kind, article in articles()]
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(data)} entries to {GOLDEN}")


if __name__ == "__main__":
    main()
