"""Hand-built claims and facts for tests, benchmarks and docs: small, readable, deterministic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsmon.contracts import (
    ArticleRef,
    Attribution,
    Claim,
    Evidence,
    NumericFact,
    Place,
    StorySignature,
)
from newsmon.contracts.claims import FactKind, Modality, Predicate
from newsmon.contracts.ids import article_id, claim_id, fact_id
from newsmon.contracts.places import PlaceKind

KURAKHOVE = Place(id="704508", geonames_id=704508, name="Kurakhove", kind="populated_place", country_code="UA")
POKROVSK = Place(id="708546", geonames_id=708546, name="Pokrovsk", kind="populated_place", country_code="UA")
KURSK = Place(id="538555", geonames_id=538555, name="Kursk Oblast", kind="region", country_code="RU")

RU_MOD = Attribution(name="Russia's Defense Ministry", actor_id="ru.mod", side="RU")
UA_MILITARY = Attribution(name="Ukrainian military", actor_id="ua.military", side="UA", role="Khortytsia grouping")
PUTIN = Attribution(name="Vladimir Putin", actor_id="person:vladimir-putin", side="RU")
UNATTRIBUTED = Attribution(name="unattributed")

MONDAY = datetime(2025, 1, 6, tzinfo=UTC)


def place(name: str, geonames_id: int, kind: PlaceKind = "populated_place", country: str = "UA") -> Place:
    return Place(id=str(geonames_id), geonames_id=geonames_id, name=name, kind=kind, country_code=country)


def story(seed: int, size: int = 64) -> StorySignature:
    """A signature for story ``seed``; equal seeds are copies, different seeds share nothing."""
    return StorySignature(minhash=tuple(seed * 1_000_003 + i for i in range(size)))


def article(url: str, source: str = "Example News", published: datetime = MONDAY) -> ArticleRef:
    return ArticleRef(article_id=article_id(url), url=url, source=source, published=published)


def claim(
    predicate: Predicate,
    who: Attribution,
    *,
    at: ArticleRef | None = None,
    where: Place = KURAKHOVE,
    actor: str | None = None,
    modality: Modality = "asserted",
    about: datetime | None = None,
    story_seed: int | None = None,
    sentence: str | None = None,
    offset: int = 0,
) -> Claim:
    """A claim; the story defaults to one per article (so different articles are independent)."""
    source = at or article("https://example.org/a")
    text = sentence or f"{who.name} says {where.name} {predicate} ({modality})."
    seed = story_seed if story_seed is not None else int(source.article_id[:6], 16)
    return Claim(
        id=claim_id(source.article_id, where.id, predicate, offset, offset + len(text)),
        article=source,
        place=where,
        predicate=predicate,
        actor=actor,
        attributed_to=who,
        modality=modality,
        about=about,
        evidence=Evidence(sentence=text, start=offset, end=offset + len(text)),
        story=story(seed),
        rule="test",
    )


def fact(
    value_km: float,
    who: Attribution = UNATTRIBUTED,
    *,
    at: ArticleRef | None = None,
    places: tuple[Place, ...] = (KURAKHOVE, POKROVSK),
    kind: FactKind = "distance",
    unit: str = "km",
    story_seed: int | None = None,
    offset: int = 0,
) -> NumericFact:
    source = at or article("https://example.org/a")
    text = f"{places[0].name} is {value_km} {unit} from {places[-1].name}."
    seed = story_seed if story_seed is not None else int(source.article_id[:6], 16)
    return NumericFact(
        id=fact_id(source.article_id, kind, offset, offset + len(text)),
        article=source,
        kind=kind,
        places=places,
        value=value_km,
        unit=unit,
        original_value=value_km,
        original_unit=unit,
        attributed_to=who,
        evidence=Evidence(sentence=text, start=offset, end=offset + len(text)),
        story=story(seed),
    )


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
