"""Scores extraction against a hand-written gold annotation (``tests/data/gold/seeds.yaml``).

* place accuracy: of the place spellings the gold lists for an article, the share the finder resolved to the gold
  place every time it found them (a spelling never found counts as wrong); places found that the gold does not list
  are reported as ``spurious``;
* claims: precision, recall and F1 over sets of (place, predicate, actor, speaker side, modality) per article;
* facts: precision and recall over (kind, places, value within 2 %).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from newsmon.contracts import EnrichedArticle, RawArticle
from newsmon.contracts.places import PlaceMention

ClaimKey = tuple[str, str, str | None, str, str]


@dataclass(frozen=True, slots=True)
class GoldArticle:
    file: str
    article: RawArticle
    places: dict[str, tuple[str, ...]]
    claims: frozenset[ClaimKey]
    facts: tuple[tuple[str, tuple[str, ...], float], ...]


@dataclass(slots=True)
class Score:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Report:
    places_correct: int = 0
    places_total: int = 0
    claims: Score = field(default_factory=Score)
    facts: Score = field(default_factory=Score)
    problems: list[str] = field(default_factory=list)

    @property
    def place_accuracy(self) -> float:
        return self.places_correct / self.places_total if self.places_total else 1.0

    def summary(self) -> str:
        return (
            f"places {self.place_accuracy:.3f} ({self.places_correct}/{self.places_total}); "
            f"claims P {self.claims.precision:.3f} R {self.claims.recall:.3f} F1 {self.claims.f1:.3f}; "
            f"facts P {self.facts.precision:.3f} R {self.facts.recall:.3f}"
        )


def load_gold(path: Path, texts_dir: Path) -> list[GoldArticle]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    gold = []
    for entry in document["articles"]:
        text = (texts_dir / entry["file"]).read_text(encoding="utf-8")
        article = RawArticle(
            id=entry["id"],
            url=entry["url"],
            source=entry["source"],
            published=datetime.fromisoformat(entry["published"]),
            text=text,
        )
        places = {surface: tuple(ids) if isinstance(ids, list) else (ids,) for surface, ids in entry["places"].items()}
        claims = frozenset((c[0], c[1], c[2], c[3], c[4]) for c in entry["claims"])
        facts = tuple((f[0], tuple(sorted(f[1])), float(f[2])) for f in entry["facts"])
        gold.append(GoldArticle(entry["file"], article, places, claims, facts))
    return gold


def claim_keys(article: EnrichedArticle) -> frozenset[ClaimKey]:
    keys = set()
    for claim in article.claims:
        speaker = (
            "unattributed" if claim.attributed_to.name == "unattributed" else claim.attributed_to.side or "unknown"
        )
        keys.add((claim.place.id, claim.predicate, claim.actor, speaker, claim.modality))
    return frozenset(keys)


def _score_places(gold: GoldArticle, article: EnrichedArticle, report: Report) -> None:
    found: dict[str, set[str]] = {}
    for mention in article.places:
        found.setdefault(mention.surface, set()).add(mention.place.id)
    for surface, wanted in gold.places.items():
        report.places_total += 1
        got = found.get(surface, set())
        if got and got <= set(wanted):
            report.places_correct += 1
        else:
            report.problems.append(
                f"{gold.file}: place «{surface}» → {sorted(got) or 'not found'}, gold {list(wanted)}"
            )
    for surface in sorted(set(found) - set(gold.places)):
        report.problems.append(f"{gold.file}: spurious place «{surface}» → {sorted(found[surface])}")


def _score_facts(gold: GoldArticle, article: EnrichedArticle, report: Report) -> None:
    unmatched = list(gold.facts)
    for fact in article.facts:
        key = (fact.kind, tuple(sorted(p.id for p in fact.places)))
        match = next((g for g in unmatched if (g[0], g[1]) == key and abs(g[2] - fact.value) <= 0.02 * g[2]), None)
        if match is None:
            report.facts.false_positive += 1
            report.problems.append(f"{gold.file}: extra fact {key} {fact.value}")
        else:
            unmatched.remove(match)
            report.facts.true_positive += 1
    for missing in unmatched:
        report.facts.false_negative += 1
        report.problems.append(f"{gold.file}: missing fact {missing}")


def evaluate(gold: Sequence[GoldArticle], enriched: Iterable[EnrichedArticle]) -> Report:
    by_id = {article.id: article for article in enriched}
    report = Report()
    for entry in gold:
        article = by_id[entry.article.id]
        _score_places(entry, article, report)
        got = claim_keys(article)
        report.claims.true_positive += len(got & entry.claims)
        report.claims.false_positive += len(got - entry.claims)
        report.claims.false_negative += len(entry.claims - got)
        report.problems += [f"{entry.file}: extra claim {key}" for key in sorted(got - entry.claims, key=str)]
        report.problems += [f"{entry.file}: missing claim {key}" for key in sorted(entry.claims - got, key=str)]
        _score_facts(entry, article, report)
    return report


def place_accuracy(predicted: Sequence[PlaceMention], gold: Sequence[tuple[str, int]]) -> float:
    """Share of gold mentions, given as (place id, start offset), that a predicted mention at that offset resolves to
    the same place id. A gold mention with no prediction at its offset counts as wrong; 1.0 when gold is empty."""
    by_start = {mention.start: mention.place.id for mention in predicted}
    if not gold:
        return 1.0
    return sum(1 for place_id, start in gold if by_start.get(start) == place_id) / len(gold)
