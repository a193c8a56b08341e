"""Our own sentences (tests/data/sentences*.yaml): each predicate's paraphrases and the negatives, one case each."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from newsmon.contracts import Claim, RawArticle
from newsmon.contracts.ids import article_id
from services.enricher.extract import PlaceFinderLike, extract

DEFAULT_PUBLISHED = "2025-01-07T12:00:00+00:00"
DATA = Path(__file__).resolve().parents[2] / "data"
CASES: list[dict[str, Any]] = [
    case
    for path in sorted(DATA.glob("sentences*.yaml"))
    for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
]


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
    assert len({case["id"] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_sentence(case: dict[str, Any], request: pytest.FixtureRequest) -> None:
    uses_gazetteer = case.get("finder") == "gazetteer"
    finder: PlaceFinderLike = request.getfixturevalue("place_finder" if uses_gazetteer else "table_finder")
    article = RawArticle(
        id=article_id(case["id"]),
        url=f"https://example.invalid/{case['id']}",
        source="test",
        published=datetime.fromisoformat(case.get("published", DEFAULT_PUBLISHED)),
        text=case["text"],
    )

    enriched = extract(article, finder=finder, now=datetime.fromisoformat(DEFAULT_PUBLISHED))

    def label(claim: Claim) -> str:
        return claim.place.id if uses_gazetteer else claim.place.name

    got = {
        (
            label(c),
            c.predicate,
            c.actor,
            "unattributed" if c.attributed_to.name == "unattributed" else c.attributed_to.side,
            c.modality,
        )
        for c in enriched.claims
    }
    expected = {tuple(claim) for claim in case["claims"]}
    explanation = "\n".join(f"{c.predicate} {c.place.name}: {c.rule}" for c in enriched.claims)
    assert got == expected, explanation
    if "distance_km" in case:
        assert [c.distance_km for c in enriched.claims] == [case["distance_km"]]
    if "about" in case:
        assert {c.about.date() for c in enriched.claims if c.about} == {date.fromisoformat(case["about"])}
    for surface, place_id in case.get("places", {}).items():
        assert {m.place.id for m in enriched.places if m.surface == surface} == {place_id}
    for surface in case.get("not_places", ()):
        assert not [m.place.id for m in enriched.places if m.surface == surface], f"{surface} is no place here"
