"""One valid instance of every topic payload, built by hand so the tests read as examples of the contracts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel

from newsmon.contracts import (
    Actor,
    Alert,
    AlertEvent,
    ArticleRef,
    Attribution,
    Claim,
    DeadLetter,
    EnrichedArticle,
    Evidence,
    FeedState,
    NumericFact,
    Place,
    PlaceMention,
    RawArticle,
    Side,
    SideSource,
    StorySignature,
)
from newsmon.contracts.deliveries import PlaceSilence, WebhookDelivery
from newsmon.contracts.ids import alert_event_id, alert_id, article_id, claim_id, fact_id

T0 = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
URL = "https://news.example/2026/03/01/village"
ARTICLE_ID = article_id(URL)
TEXT = "The army captured Pokrovsk on Monday, the ministry said. Officials denied it. The town is 60 km from Donetsk."

POKROVSK = Place(
    id="704147",
    geonames_id=704147,
    name="Pokrovsk",
    kind="populated_place",
    country_code="UA",
    admin1="Donetsk",
    lat=48.28,
    lon=37.18,
    population=60_000,
    surface_forms=("Pokrovsk",),
)
DONETSK = Place(id="709717", geonames_id=709717, name="Donetsk", kind="populated_place", country_code="UA")
REF = ArticleRef(article_id=ARTICLE_ID, url=URL, source="Example News", published=T0, fetched_at=T0)
EVIDENCE = Evidence(sentence="The army captured Pokrovsk on Monday, the ministry said.", start=0, end=56)
SAID_BY = Attribution(name="ministry of defence", actor_id="ru.mod", side="RU", role="ministry")
STORY = StorySignature(minhash=(1, 2, 3, 4))

RAW = RawArticle(
    id=ARTICLE_ID,
    url=URL,
    source="Example News",
    feed="https://news.example/rss",
    guid="g-1",
    published=T0,
    fetched_at=T0 + timedelta(minutes=5),
    title="Village captured",
    text=TEXT,
    language="en",
    tags=("war",),
)
CLAIM = Claim(
    id=claim_id(ARTICLE_ID, POKROVSK.id, "captured", 0, 56),
    article=REF,
    place=POKROVSK,
    predicate="captured",
    actor="RU",
    attributed_to=SAID_BY,
    about=T0 - timedelta(days=1),
    about_text="on Monday",
    evidence=EVIDENCE,
    story=STORY,
    rule="captured.verb",
)
FACT = NumericFact(
    id=fact_id(ARTICLE_ID, "distance", 80, 110),
    article=REF,
    kind="distance",
    places=(POKROVSK, DONETSK),
    value=60.0,
    unit="km",
    original_value=60.0,
    original_unit="km",
    attributed_to=Attribution(name="unattributed"),
    evidence=Evidence(sentence="The town is 60 km from Donetsk.", start=80, end=111),
)
ENRICHED = EnrichedArticle(
    **RAW.model_dump(),
    places=(PlaceMention(place=POKROVSK, surface="Pokrovsk", start=18, end=26, confidence=0.9, reason="country"),),
    actors=(Actor(id="ru.mod", name="Russian Ministry of Defence", kind="ministry", side="RU"),),
    claims=(CLAIM,),
    facts=(FACT,),
    story=STORY,
    enriched_at=T0 + timedelta(minutes=6),
    enricher_version="0.1.0",
)
SOURCE = SideSource(
    claim_id=CLAIM.id,
    article_id=ARTICLE_ID,
    url=URL,
    source="Example News",
    attributed_to="ministry of defence",
    evidence=EVIDENCE.sentence,
    published=T0,
)
ALERT = Alert(
    id=alert_id(POKROVSK.id, "control_dispute"),
    kind="control_dispute",
    status="open",
    severity="high",
    place=POKROVSK,
    sides=(
        Side(predicate="captured", actor="RU", said_by=("ministry of defence",), sources=(SOURCE,)),
        Side(predicate="not_captured", actor="RU", said_by=("general staff",), sources=(SOURCE,)),
    ),
    summary="Pokrovsk: captured (RU MoD) vs not captured (UA General Staff)",
    first_seen=T0,
    last_updated=T0,
    version=1,
    article_ids=(ARTICLE_ID,),
    independent_sources=2,
)
ALERT_EVENT = AlertEvent(
    id=alert_event_id(ALERT.id, 1), event="opened", alert=ALERT, emitted_at=T0, cause_article_id=ARTICLE_ID
)
DEAD_LETTER = DeadLetter(
    id="dl-1",
    service="enricher",
    stage="decode",
    error_kind="invalid_json",
    reason="not JSON",
    occurred_at=T0,
    topic="articles.raw",
    partition=0,
    offset=42,
    key=ARTICLE_ID,
    payload="{oops",
    payload_encoding="utf-8",
)
FEED_STATE = FeedState(feed="https://news.example/rss", etag='"abc"', seen_ids=(ARTICLE_ID,), last_polled=T0)
DELIVERY = WebhookDelivery(
    subscriber="ops",
    event_id=ALERT_EVENT.id,
    alert_id=ALERT.id,
    event="alert.opened",
    outcome="delivered",
    attempts=1,
    status_code=204,
    settled_at=T0,
)
SILENCE = PlaceSilence(
    place_id=POKROVSK.id, place_name="Pokrovsk", until=T0 + timedelta(days=1), created_at=T0, created_by="ops"
)

SAMPLES: dict[type[BaseModel], BaseModel] = {
    type(sample): sample
    for sample in (RAW, ENRICHED, CLAIM, FACT, ALERT_EVENT, DEAD_LETTER, FEED_STATE, DELIVERY, SILENCE)
}
