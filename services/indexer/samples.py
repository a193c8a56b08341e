"""Hand-built records shaped like the seeds (Kurakhove, Pokrovsk, Kursk): for tests and the benchmark.

They are built with the contracts directly, so the indexer can be exercised before (and independently of) the
enricher and the alerter.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsmon.contracts import (
    Alert,
    AlertEvent,
    ArticleRef,
    Attribution,
    Claim,
    DeadLetter,
    EnrichedArticle,
    Evidence,
    NumericFact,
    Place,
    PlaceMention,
    Side,
    SideSource,
)
from newsmon.contracts.claims import Predicate
from newsmon.contracts.ids import alert_event_id, alert_id, article_id, claim_id, fact_id, stable_id
from newsmon.contracts.places import Actor

KURAKHOVE = Place(
    id="695357",
    geonames_id=695357,
    name="Kurakhove",
    kind="populated_place",
    country_code="UA",
    admin1="Donetsk",
    lat=47.9847,
    lon=37.28069,
    population=18220,
)
POKROVSK = Place(
    id="704422",
    geonames_id=704422,
    name="Pokrovsk",
    kind="populated_place",
    country_code="UA",
    admin1="Donetsk",
    lat=48.28014,
    lon=37.17706,
    population=60127,
)
KURSK_REGION = Place(
    id="538555",
    geonames_id=538555,
    name="Kursk Oblast",
    kind="region",
    country_code="RU",
    admin1="Kursk",
    lat=51.5,
    lon=36.0,
)
JANUARY_6 = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)

RU_MOD = Attribution(name="Russian Defense Ministry", actor_id="ru.mod", side="RU", role="ministry")
TREHUBOV = Attribution(
    name="Viktor Trehubov", actor_id="person:viktor-trehubov", side="UA", role="spokesman, Khortytsia grouping"
)


def article_ref(number: int, outlet: str = "CNN", published: datetime = JANUARY_6) -> ArticleRef:
    url = f"https://news.example/{number}"
    return ArticleRef(article_id=article_id(url), url=url, source=outlet, published=published, fetched_at=published)


def claim(
    number: int,
    place: Place = KURAKHOVE,
    predicate: Predicate = "captured",
    speaker: Attribution = RU_MOD,
    *,
    actor: str | None = "RU",
    published: datetime = JANUARY_6,
    outlet: str = "CNN",
) -> Claim:
    ref = article_ref(number, outlet, published)
    sentence = f"{speaker.name} says {place.name} was {predicate} (sample {number})."
    return Claim(
        id=claim_id(ref.article_id, place.id, predicate, 0, len(sentence)),
        article=ref,
        place=place,
        predicate=predicate,
        actor=actor,
        attributed_to=speaker,
        about=published - timedelta(days=1),
        about_text="on Monday",
        evidence=Evidence(sentence=sentence, start=0, end=len(sentence)),
        rule="sample",
    )


def distance_fact(number: int, kilometres: float = 32.0) -> NumericFact:
    ref = article_ref(number)
    sentence = f"Kurakhove is {kilometres} km from Pokrovsk (sample {number})."
    return NumericFact(
        id=fact_id(ref.article_id, "distance", 0, len(sentence)),
        article=ref,
        kind="distance",
        places=(KURAKHOVE, POKROVSK),
        value=kilometres,
        unit="km",
        original_value=kilometres,
        original_unit="km",
        attributed_to=Attribution(name="unattributed"),
        evidence=Evidence(sentence=sentence, start=0, end=len(sentence)),
    )


def enriched_article(number: int, *, published: datetime = JANUARY_6, outlet: str = "CNN") -> EnrichedArticle:
    ref = article_ref(number, outlet, published)
    claims = (
        claim(number, KURAKHOVE, "captured", RU_MOD, published=published, outlet=outlet),
        claim(number, KURAKHOVE, "contested", TREHUBOV, actor="UA", published=published, outlet=outlet),
    )
    text = " ".join(item.evidence.sentence for item in claims)
    return EnrichedArticle(
        id=ref.article_id,
        url=ref.url,
        source=outlet,
        published=published,
        fetched_at=published,
        title=f"Russia claims Kurakhove (sample {number})",
        text=text,
        language="en",
        places=(
            PlaceMention(place=KURAKHOVE, surface="Kurakhove", start=0, end=9, confidence=0.95, reason="sample"),
            PlaceMention(place=POKROVSK, surface="Pokrovsk", start=20, end=28, confidence=0.9, reason="sample"),
        ),
        actors=(Actor(id="ru.mod", name="Russian Defense Ministry", kind="ministry", side="RU"),),
        claims=claims,
        facts=(distance_fact(number),),
        enriched_at=published,
        enricher_version="sample",
    )


def alert_event(version: int = 1, place: Place = KURAKHOVE, *, status: str = "open") -> AlertEvent:
    identity = alert_id(place.id, "control_dispute")
    captured, contested = claim(1, place), claim(2, place, "contested", TREHUBOV, actor="UA")

    def side(item: Claim) -> Side:
        return Side(
            predicate=item.predicate,
            actor=item.actor,
            said_by=(item.attributed_to.name,),
            sides_of_speakers=(item.attributed_to.side or "",),
            sources=(
                SideSource(
                    claim_id=item.id,
                    article_id=item.article.article_id,
                    url=item.article.url,
                    source=item.article.source,
                    attributed_to=item.attributed_to.name,
                    evidence=item.evidence.sentence,
                    published=item.article.published,
                ),
            ),
        )

    alert = Alert(
        id=identity,
        kind="control_dispute",
        status="resolved" if status == "resolved" else "open",
        severity="high",
        place=place,
        sides=(side(captured), side(contested)),
        summary=f"Control of {place.name} disputed: RU says captured, UA says fighting continues",
        first_seen=JANUARY_6,
        last_updated=JANUARY_6 + timedelta(hours=version),
        version=version,
        article_ids=(captured.article.article_id, contested.article.article_id),
        independent_sources=2,
    )
    return AlertEvent(
        id=alert_event_id(identity, version),
        event="opened" if version == 1 else "updated",
        alert=alert,
        emitted_at=alert.last_updated,
    )


def dead_letter(number: int) -> DeadLetter:
    return DeadLetter(
        id=stable_id("sample-dead-letter", number),
        service="enricher",
        stage="decode",
        error_kind="invalid_message",
        reason=f"sample dead letter {number}",
        occurred_at=JANUARY_6,
        topic="articles.raw",
        partition=0,
        offset=number,
        key=f"key-{number}",
        payload='{"broken": true}',
        payload_encoding="utf-8",
    )
