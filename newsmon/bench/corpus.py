"""A load corpus made by varying the seed articles: other places, outlets and dates, same kinds of claims.

Each variant moves the seed's story to other towns of the same front, shifts it in time so that variants do not overlap,
and names another outlet, so every stage (places, claims, copies, alerts, documents) sees realistic, distinct work.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsmon.contracts import RawArticle
from newsmon.contracts.ids import article_id

# Towns of Donetsk oblast the gazetteer knows, used in place of the seeds' disputed towns.
FRONT_TOWNS: tuple[str, ...] = (
    "Vuhledar",
    "Chasiv Yar",
    "Toretsk",
    "Siversk",
    "Lyman",
    "Selydove",
    "Myrnohrad",
    "Ukrainsk",
    "Hirnyk",
    "Marinka",
    "Krasnohorivka",
    "Novohrodivka",
    "Velyka Novosilka",
    "Kurakhove",
    "Pokrovsk",
    "Kostiantynivka",
    "Druzhkivka",
    "Bakhmut",
    "Avdiivka",
    "Soledar",
)
OUTLETS: tuple[str, ...] = ("Wire One", "Daily Front", "Eastern Monitor", "Kyiv Ledger", "Steppe News", "Atlas Post")

# The seeds' publication dates (see shared/seeds/README.md).
SEED_DATES: dict[str, datetime] = {
    "000": datetime(2025, 1, 7, 9, 0, tzinfo=UTC),
    "001": datetime(2025, 1, 7, 12, 0, tzinfo=UTC),
    "002": datetime(2025, 1, 7, 15, 0, tzinfo=UTC),
    "003": datetime(2024, 8, 20, 9, 0, tzinfo=UTC),
    "004": datetime(2025, 3, 13, 9, 0, tzinfo=UTC),
}
_DISPUTED = {"Kurakhove": ("Kurakhove", "Kurakhovo"), "Pokrovsk": ("Pokrovsk",), "Dachenske": ("Dachenske",)}


@dataclass(frozen=True)
class Seed:
    name: str
    published: datetime
    text: str


def load_seeds(directory: Path) -> list[Seed]:
    seeds = []
    for path in sorted(directory.glob("*.txt")):
        prefix = path.name.split("_", 1)[0]
        published = SEED_DATES.get(prefix, datetime(2025, 1, 1, tzinfo=UTC))
        seeds.append(Seed(path.stem, published, path.read_text(encoding="utf-8")))
    if not seeds:
        raise FileNotFoundError(f"no seed articles (*.txt) in {directory}")
    return seeds


def _substitute(text: str, mapping: dict[str, str]) -> str:
    for original, replacement in mapping.items():
        for form in _DISPUTED.get(original, (original,)):
            text = re.sub(rf"\b{re.escape(form)}\b", replacement, text)
    return text


def variants(seeds: Sequence[Seed], count: int, *, seed: int = 7) -> Iterator[RawArticle]:
    """``count`` articles: round-robin over the seeds, each later round moved to other towns and 60 days on."""
    fetched = datetime.now(UTC)
    for index in range(count):
        round_, position = divmod(index, len(seeds))
        base = seeds[position]
        # Round 0 is the seeds as they are; all seeds of a later round share its towns, so that round's articles
        # dispute the same places.
        text = base.text
        if round_:
            towns = random.Random(seed * 1_000_003 + round_).sample(FRONT_TOWNS, 3)
            text = _substitute(base.text, dict(zip(_DISPUTED, towns, strict=True)))
        url = f"https://bench.newsmon.invalid/{round_}/{base.name}"
        yield RawArticle(
            id=article_id(url),
            url=url,
            source=OUTLETS[(index + round_) % len(OUTLETS)],
            feed="https://bench.newsmon.invalid/feed.xml",
            published=base.published + timedelta(days=60 * round_),
            fetched_at=fetched,
            title=text.split("\n", 1)[0][:120],
            text=text,
            language="en",
        )
