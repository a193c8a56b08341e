"""Acceptance: extraction on the five seed articles against the hand-written gold annotation."""

from __future__ import annotations

from datetime import UTC, datetime

from services.enricher.evaluation import GoldArticle, evaluate
from services.enricher.extract import PlaceFinderLike, extract

NOW = datetime(2026, 1, 1, tzinfo=UTC)
MIN_PLACE_ACCURACY = 0.97
MIN_CLAIMS_F1 = 0.90


def test_seed_extraction_meets_the_gold_thresholds(gold: list[GoldArticle], place_finder: PlaceFinderLike) -> None:
    enriched = [extract(entry.article, finder=place_finder, now=NOW) for entry in gold]

    report = evaluate(gold, enriched)

    print("\n" + report.summary() + "\n" + "\n".join(report.problems))
    assert report.place_accuracy >= MIN_PLACE_ACCURACY, report.summary() + "\n" + "\n".join(report.problems)
    assert report.claims.f1 >= MIN_CLAIMS_F1, report.summary() + "\n" + "\n".join(report.problems)


def test_claims_of_the_seeds_with_the_table_finder(gold: list[GoldArticle], table_finder: PlaceFinderLike) -> None:
    """The claim rules alone, independent of the gazetteer: every gold claim, nothing else."""
    enriched = [extract(entry.article, finder=table_finder, now=NOW) for entry in gold]

    report = evaluate(gold, enriched)

    claim_problems = [p for p in report.problems if "claim" in p]
    assert report.claims.f1 >= MIN_CLAIMS_F1, "\n".join(claim_problems)
