"""The extraction pipeline: one raw article in, one enriched article out. Pure: no I/O, no clock unless given.

    sentences → places (the finder) → actors → claims → numeric facts → story signature

``explain`` returns the same article plus, per claim, the steps that produced it and the cues that were dropped
with the reason (hedge, background, not confirmed, no place) — what ``newsmon extract --explain`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from newsmon.contracts import (
    ArticleRef,
    Claim,
    EnrichedArticle,
    Evidence,
    NumericFact,
    Place,
    PlaceMention,
    RawArticle,
)
from newsmon.contracts.ids import claim_id, fact_id
from newsmon.story import signature
from services.enricher._scan import TRIGGERS, normalise
from services.enricher._spans import Cover
from services.enricher.actors import ActorMention, find_actors
from services.enricher.claims import ClaimExtractor, DroppedCue
from services.enricher.facts import FactExtractor
from services.enricher.sentences import Sentence, split_sentences

ENRICHER_VERSION = "enricher/1"
_NOT_PLACES = frozenset({"person", "grouping", "media", "outlet", "organisation"})


class PlaceFinderLike(Protocol):
    """What the pipeline needs from ``services.enricher.places.PlaceFinder``."""

    def find(self, text: str) -> list[PlaceMention]: ...

    def resolve_name(self, name: str, context: str = "") -> Place | None: ...


@dataclass(frozen=True, slots=True)
class ClaimTrace:
    claim_id: str
    predicate: str
    place: str
    sentence: int
    steps: dict[str, str]


@dataclass(frozen=True, slots=True)
class Extraction:
    article: EnrichedArticle
    traces: tuple[ClaimTrace, ...]
    dropped: tuple[DroppedCue, ...]


def _name_span(mention: ActorMention, text: str) -> tuple[int, int]:
    """A person's name without the role phrase after it: "X, governor of the Kherson region," keeps the region."""
    if text.startswith(mention.surface, mention.start):
        return mention.start, mention.start + len(mention.surface)
    return mention.start, mention.end


def extract(article: RawArticle, *, finder: PlaceFinderLike, now: datetime | None = None) -> EnrichedArticle:
    """Places, actors, claims, numeric facts and the story signature of one article."""
    return explain(article, finder=finder, now=now).article


def explain(article: RawArticle, *, finder: PlaceFinderLike, now: datetime | None = None) -> Extraction:
    text = article.text
    anchor = article.published or article.fetched_at or now
    sentences = split_sentences(text)
    normalised = normalise(text)
    active = [TRIGGERS.active(normalised[s.start : s.end]) for s in sentences]
    found = finder.find(text)
    countries = {m.start: m.place.country_code for m in found if m.place.country_code and m.place.kind != "country"}
    actors = find_actors(text, countries, [(s.start, s.end, a) for s, a in zip(sentences, active, strict=True)])
    # a place name inside a person's name, a grouping or an outlet ("Viktor", "Khortytsia") is not a place here
    blocked = Cover(
        _name_span(m, text)
        for m in actors.mentions
        if m.pronoun is None and actors.actors[m.actor_id].kind in _NOT_PLACES
    )
    places = [m for m in found if not blocked.covers(m.start, m.end)]
    # ... and a place in a person's role ("X, governor of the Darfur region, said") is where they serve, not what
    # the sentence is about
    roles = Cover(
        (m.start + len(m.surface), m.end)
        for m in actors.mentions
        if m.pronoun is None and actors.actors[m.actor_id].kind == "person" and m.end > m.start + len(m.surface)
    )
    about = [m for m in places if not roles.covers(m.start, m.end)]

    claims_engine = ClaimExtractor(text, sentences, about, actors, anchor, active)
    drafts, dropped = claims_engine.run()
    facts_engine = FactExtractor(
        text,
        sentences,
        claims_engine.linker.refs_in,
        claims_engine.linker.salient,
        actors,
        claims_engine.events_by_sentence,
        finder.resolve_name,
    )
    fact_drafts = facts_engine.run(active)

    story = signature(f"{article.title}\n{text}" if article.title else text)
    ref = ArticleRef(
        article_id=article.id,
        url=article.url,
        source=article.source,
        published=article.published,
        fetched_at=article.fetched_at,
    )
    evidence: dict[int, Evidence] = {}  # claims of one sentence share its evidence

    def evidence_of(sentence: Sentence) -> Evidence:
        found = evidence.get(sentence.index)
        if found is None:
            found = evidence[sentence.index] = Evidence(sentence=sentence.text, start=sentence.start, end=sentence.end)
        return found

    claims: list[Claim] = []
    traces: list[ClaimTrace] = []
    seen: set[str] = set()
    said: set[tuple[int, str, str, str, str]] = set()
    for draft in sorted(drafts, key=lambda d: (d.sentence.index, d.cue_start, d.predicate)):
        identifier = claim_id(article.id, draft.place.id, draft.predicate, draft.cue_start, draft.cue_end)
        # one claim per sentence, place, predicate and speaker: "still engaging in ongoing clashes" is one claim
        once = (draft.sentence.index, draft.place.id, draft.predicate, draft.attribution.name, draft.modality)
        if identifier in seen or once in said:
            continue
        seen.add(identifier)
        said.add(once)
        claims.append(
            Claim(
                id=identifier,
                article=ref,
                place=draft.place,
                predicate=draft.predicate,
                actor=draft.actor,
                attributed_to=draft.attribution,
                modality=draft.modality,
                about=draft.about,
                about_text=draft.about_text,
                distance_km=draft.distance_km,
                evidence=evidence_of(draft.sentence),
                rule=f"{draft.rule} «{draft.cue_text}»",
            )
        )
        traces.append(
            ClaimTrace(identifier, draft.predicate, draft.place.name, draft.sentence.index, dict(draft.trace))
        )
    facts: list[NumericFact] = []
    for fact in fact_drafts:
        identifier = fact_id(article.id, fact.kind, fact.start, fact.end)
        if identifier in seen:
            continue
        seen.add(identifier)
        facts.append(
            NumericFact(
                id=identifier,
                article=ref,
                kind=fact.kind,
                places=fact.places,
                value=fact.value,
                unit=fact.unit,
                original_value=fact.original_value,
                original_unit=fact.original_unit,
                attributed_to=fact.attribution,
                evidence=evidence_of(fact.sentence),
            )
        )
    enriched = EnrichedArticle(
        **article.model_dump(),
        places=tuple(places),
        actors=tuple(actors.actors.values()),
        claims=tuple(claims),
        facts=tuple(facts),
        story=story,
        enriched_at=now or datetime.now(UTC),
        enricher_version=ENRICHER_VERSION,
    )
    return Extraction(enriched, tuple(traces), tuple(dropped))
