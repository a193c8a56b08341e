"""Generalisation: extraction on articles the extractor was not developed on (tests/data/heldout*).

Each set of eight articles was written and annotated by hand (tests/data/gold/heldout*.yaml) before the extractor was
run on them; docs/enricher.md (Quality) gives their blind scores and how they were used. The floors below guard
against regressions; the scores are printed with every problem, and ``python tests/unit/enricher/test_heldout.py``
prints them without pytest.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.enricher.evaluation import GoldArticle, Report, evaluate, load_gold
from services.enricher.extract import PlaceFinderLike, extract

DATA = Path(__file__).resolve().parents[2] / "data"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SETS = ("heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8")
MIN_PLACE_ACCURACY = {
    "heldout": 0.92,
    "heldout2": 0.90,
    "heldout3": 0.92,
    "heldout4": 0.89,
    "heldout5": 0.89,
    "heldout6": 0.83,
    "heldout7": 0.73,
    "heldout8": 0.83,
}
MIN_CLAIMS_F1 = {
    "heldout": 0.87,
    "heldout2": 0.83,
    "heldout3": 0.84,
    "heldout4": 0.70,
    "heldout5": 0.65,
    "heldout6": 0.52,
    "heldout7": 0.48,
    "heldout8": 0.33,
}


def heldout_report(finder: PlaceFinderLike, name: str) -> Report:
    gold: list[GoldArticle] = load_gold(DATA / "gold" / f"{name}.yaml", DATA / name)
    return evaluate(gold, [extract(entry.article, finder=finder, now=NOW) for entry in gold])


@pytest.mark.parametrize("name", SETS)
def test_heldout_extraction_stays_above_its_floors(place_finder: PlaceFinderLike, name: str) -> None:
    report = heldout_report(place_finder, name)

    details = report.summary() + "\n" + "\n".join(report.problems)
    print("\n" + details)
    assert report.place_accuracy >= MIN_PLACE_ACCURACY[name], details
    assert report.claims.f1 >= MIN_CLAIMS_F1[name], details


if __name__ == "__main__":
    from services.enricher.gazetteer import load_gazetteer
    from services.enricher.places import PlaceFinder

    finder = PlaceFinder(load_gazetteer())
    for name in SETS:
        result = heldout_report(finder, name)
        print("\n".join(result.problems) + f"\n{name}: " + result.summary())
