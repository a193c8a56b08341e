"""Generalisation: extraction on articles the extractor was not developed on (tests/data/heldout).

The eight articles were written and annotated by hand (tests/data/gold/heldout.yaml) before the extractor was run
on them. The floors below guard against regressions; the scores are printed with every problem, and
``python tests/unit/enricher/test_heldout.py`` prints them without pytest.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from services.enricher.evaluation import GoldArticle, Report, evaluate, load_gold
from services.enricher.extract import PlaceFinderLike, extract

DATA = Path(__file__).resolve().parents[2] / "data"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
MIN_PLACE_ACCURACY = 0.85
MIN_CLAIMS_F1 = 0.30


def heldout_report(finder: PlaceFinderLike) -> Report:
    gold: list[GoldArticle] = load_gold(DATA / "gold" / "heldout.yaml", DATA / "heldout")
    return evaluate(gold, [extract(entry.article, finder=finder, now=NOW) for entry in gold])


def test_heldout_extraction_stays_above_its_floors(place_finder: PlaceFinderLike) -> None:
    report = heldout_report(place_finder)

    details = report.summary() + "\n" + "\n".join(report.problems)
    print("\n" + details)
    assert report.place_accuracy >= MIN_PLACE_ACCURACY, details
    assert report.claims.f1 >= MIN_CLAIMS_F1, details


if __name__ == "__main__":
    from services.enricher.gazetteer import load_gazetteer
    from services.enricher.places import PlaceFinder

    result = heldout_report(PlaceFinder(load_gazetteer()))
    print("\n".join(result.problems) + "\n" + result.summary())
