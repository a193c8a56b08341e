"""Fixtures of the enricher tests: the seed texts, the gold annotation and place finders."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.enricher.evaluation import GoldArticle, load_gold
from services.enricher.extract import PlaceFinderLike
from services.enricher.fakes import TableFinder

REPO = Path(__file__).resolve().parents[3]
SEEDS = REPO.parent / "shared" / "seeds"
GOLD = REPO / "tests" / "data" / "gold" / "seeds.yaml"
SENTENCES = REPO / "tests" / "data" / "sentences.yaml"


@pytest.fixture(scope="session")
def gold() -> list[GoldArticle]:
    assert SEEDS.is_dir(), f"the seed articles live in {SEEDS} (../shared/seeds next to the checkout)"
    return load_gold(GOLD, SEEDS)


@pytest.fixture(scope="session")
def table_finder() -> PlaceFinderLike:
    return TableFinder()


@pytest.fixture(scope="session")
def place_finder() -> PlaceFinderLike:
    """The real finder over the whole gazetteer (built once, cached on disk)."""
    from services.enricher.gazetteer import load_gazetteer
    from services.enricher.places import PlaceFinder

    return PlaceFinder(load_gazetteer())
