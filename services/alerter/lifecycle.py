"""From one place's state and one new record to alert events: open, update, resolve — at most once each.

Pure and deterministic: ids come from ``alert_id``/``alert_event_id`` and every time from the records, never from
a clock, so replaying the same input yields byte-identical events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from newsmon.contracts import Alert, AlertEvent, Attribution, Claim, NumericFact, Place, Side, SideSource
from newsmon.contracts.alerts import AlertEventType, Severity
from newsmon.contracts.claims import Predicate
from newsmon.contracts.ids import alert_event_id, alert_id
from services.alerter.rules import (
    DISPUTE_KINDS,
    NUMERIC_KIND,
    UNATTRIBUTED,
    DisputeKind,
    RuleConfig,
    Stories,
    claim_time,
    comparable,
    concession,
    dispute_with,
    find_discrepancy,
    row,
    same_story,
    settling_position,
    value_groups,
)
from services.alerter.state import AlertMemory, PlaceState, remember, with_alert
from services.alerter.summary import PHRASES, summarise

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RECENT = timedelta(hours=24)
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high")
# What the other side of a denial claims: denying "captured" is saying "not captured".
DENIAL_PREDICATE: dict[Predicate, Predicate] = {
    "captured": "not_captured",
    "withdrawn": "contested",
    "encircled": "not_encircled",
}

Record = Claim | NumericFact


def empty_state(place_id: str) -> PlaceState:
    return PlaceState(place_id=place_id)


def process(state: PlaceState, record: Record, config: RuleConfig) -> tuple[PlaceState, list[AlertEvent]]:
    """Add ``record`` to the place's state and return the events it causes. A record seen before causes none."""
    if state.has_seen(record.id):
        return state, []
    state = remember(state, record, config)
    events: list[AlertEvent] = []
    if isinstance(record, Claim):
        for kind in DISPUTE_KINDS:
            if settling_position(record, kind) is not None:
                state, event = _dispute_step(state, record, kind, config)
                events.extend([event] if event else [])
    else:
        state, event = _discrepancy_step(state, record, config)
        events.extend([event] if event else [])
    return state, events


# -- disputes between claims -------------------------------------------------------------------------------------


def speaker_label(who: Attribution) -> str:
    """The speaker's name, with the role when it adds something ("Viktor Trehubov (spokesman)")."""
    if not who.role:
        return who.name
    name_words = {word[:5] for word in who.name.lower().replace("'s", "").split()}
    if all(word[:5] in name_words for word in who.role.lower().split()):
        return who.name
    return f"{who.name} ({who.role})"


def record_time(record: Record) -> datetime:
    """When the record reached us, as the data says: fetched, else published, else the time it is about."""
    article = record.article
    return article.fetched_at or article.published or claim_time(record) or EPOCH


def side_source(record: Record) -> SideSource:
    value = record.value if isinstance(record, NumericFact) else None
    return SideSource(
        claim_id=record.id,
        article_id=record.article.article_id,
        url=record.article.url,
        source=record.article.source,
        attributed_to=speaker_label(record.attributed_to),
        evidence=record.evidence.sentence,
        published=record.article.published,
        about=record.about if isinstance(record, Claim) else None,
        value=value,
    )


def _source_key(source: SideSource) -> tuple[str, str, str]:
    # The same sentence by the same speaker in the same article (a repeated paragraph) is one source.
    return (source.article_id, source.attributed_to, source.evidence)


def _merge(first: Iterable[str], second: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*first, *second]))


def _merge_sources(old: Sequence[SideSource], new: Sequence[SideSource], limit: int) -> tuple[SideSource, ...]:
    """Old sources, then the new ones not already listed; over ``limit``, the first fifth and the latest rest."""
    merged = {_source_key(source): source for source in old}
    for source in new:
        merged.setdefault(_source_key(source), source)
    listed = tuple(merged.values())
    if len(listed) <= limit:
        return listed
    first = max(limit // 5, 1)
    return listed[:first] + listed[len(listed) - (limit - first) :]


def _claim_side(claims: Sequence[Claim], predicate: Predicate, previous: Side | None, config: RuleConfig) -> Side:
    actors = Counter(claim.actor for claim in claims if claim.actor)
    actor = previous.actor if previous and previous.actor else (actors.most_common(1)[0][0] if actors else None)
    return Side(
        predicate=predicate,
        actor=actor,
        said_by=_merge(previous.said_by if previous else (), (speaker_label(c.attributed_to) for c in claims)),
        sides_of_speakers=_merge(
            previous.sides_of_speakers if previous else (),
            (c.attributed_to.side for c in claims if c.attributed_to.side),
        ),
        sources=_merge_sources(
            previous.sources if previous else (), [side_source(c) for c in claims], config.max_sources_per_side
        ),
    )


def _against_predicate(claims: Sequence[Claim], kind: DisputeKind) -> Predicate:
    table = row(kind)
    named = Counter(DENIAL_PREDICATE[c.predicate] if c.predicate == table.claim else c.predicate for c in claims)
    return named.most_common(1)[0][0] if named else table.contradicted_by[0]


def story_count(
    records: Sequence[Record],
    config: RuleConfig,
    known: Sequence[Record] = (),
    start: int = 0,
    stories: Stories | None = None,
) -> int:
    """Independent stories: ``start`` stories already counted for ``known`` (one record per article), plus every
    article of ``records`` that is not a copy of one seen before it. Copies of one story count once."""
    count = start
    representatives = list(known)
    seen_articles = {record.article.article_id for record in known}
    for record in records:
        if record.article.article_id in seen_articles:
            continue
        seen_articles.add(record.article.article_id)
        if not any(same_story(record, other, config, stories) for other in representatives):
            count += 1
        representatives.append(record)
    return count


def _source_time(source: SideSource) -> datetime | None:
    return source.about or source.published


def _closest_gap(first: Sequence[datetime], second: Sequence[datetime]) -> timedelta | None:
    """Smallest distance between a time of ``first`` and one of ``second`` (both sorted), in linear time."""
    best: timedelta | None = None
    i = j = 0
    while i < len(first) and j < len(second):
        gap = abs(first[i] - second[j])
        best = gap if best is None or gap < best else best
        if first[i] < second[j]:
            i += 1
        else:
            j += 1
    return best


def dispute_severity(sides: Sequence[Side], stories: int, place: Place) -> Severity:
    """Score: corroboration by independent stories, named voices on both sides, closeness in time, a town.

    A position resting only on outlets' own voices lowers the result by one level.
    """
    score = 2 if stories >= 3 else 1 if stories == 2 else 0
    named_both = all(any(name.lower() != UNATTRIBUTED for name in side.said_by) for side in sides)
    score += 1 if named_both else 0
    times = [sorted(t for source in side.sources if (t := _source_time(source)) is not None) for side in sides]
    gap = _closest_gap(times[0], times[1]) if len(times) == 2 else None
    score += 1 if gap is not None and gap <= RECENT else 0
    score += 1 if place.kind == "populated_place" else 0
    level = 2 if score >= 4 else 1 if score >= 2 else 0
    if not named_both:
        level = max(level - 1, 0)
    return SEVERITIES[level]


_VOLATILE = frozenset({"version", "last_updated", "summary"})


def _changed(old: Alert, new: Alert) -> bool:
    return any(getattr(old, name) != getattr(new, name) for name in Alert.model_fields if name not in _VOLATILE)


def _event(alert: Alert, event: AlertEventType, cause: Record) -> AlertEvent:
    return AlertEvent(
        id=alert_event_id(alert.id, alert.version),
        event=event,
        alert=alert,
        emitted_at=alert.last_updated,
        cause_article_id=cause.article.article_id,
    )


def _finish(alert: Alert) -> Alert:
    return alert.model_copy(update={"summary": summarise(alert)})


def _dispute_step(
    state: PlaceState, record: Claim, kind: DisputeKind, config: RuleConfig
) -> tuple[PlaceState, AlertEvent | None]:
    identifier = alert_id(record.place.id, kind)
    memory = state.alert(identifier)
    previous = memory.alert if memory else None
    now = record_time(record)

    if previous is not None and previous.status == "open":
        disputed_ids = {source.claim_id for side in previous.sides for source in side.sources}
        disputed = [claim for claim in state.claims if claim.id in disputed_ids]
        if concession(record, disputed, kind):
            return _resolve(state, previous, record, now)

    candidates: Sequence[Claim] = state.claims
    if memory is not None and memory.resolved_at is not None:
        resolved_at = memory.resolved_at
        candidates = [c for c in candidates if (t := claim_time(c)) is not None and t > resolved_at]
    reopening = previous is not None and previous.status == "resolved"
    base = None if previous is None or reopening else previous
    in_alert = {source.claim_id for side in base.sides for source in side.sources} if base else set()
    stories = state.story_map()
    dispute = dispute_with(record, candidates, kind, config, already=in_alert, stories=stories)
    if dispute is None:
        return state, None

    for_side = _claim_side(dispute.for_claims, row(kind).claim, base.sides[0] if base else None, config)
    against_side = _claim_side(
        dispute.against_claims,
        _against_predicate(dispute.against_claims, kind),
        base.sides[1] if base else None,
        config,
    )
    known_articles = set(base.article_ids) if base else set()
    article_ids = _merge(base.article_ids if base else (), (c.article.article_id for c in dispute.claims))
    known = list(
        {c.article.article_id: c for c in reversed(state.claims) if c.article.article_id in known_articles}.values()
    )
    independent = story_count(dispute.claims, config, known, base.independent_sources if base else 0, stories)
    severity = dispute_severity((for_side, against_side), independent, record.place)
    if base is not None and _rank(base.severity) > _rank(severity):
        severity = base.severity  # severity only rises while the dispute stays open
    alert = _finish(
        Alert(
            id=identifier,
            kind=kind,
            status="open",
            severity=severity,
            place=base.place if base else record.place,
            sides=(for_side, against_side),
            summary="",
            first_seen=base.first_seen if base else now,
            last_updated=max(now, base.last_updated) if base else now,
            version=(previous.version + 1) if previous else 1,
            article_ids=article_ids,
            independent_sources=independent,
        )
    )
    # a reopened alert keeps the moment it was settled: claims from before it never count again
    kept = AlertMemory(alert=alert, resolved_at=memory.resolved_at if memory else None)
    if base is not None:
        if not _changed(base, alert):
            return state, None
        return with_alert(state, kept), _event(alert, "updated", record)
    return with_alert(state, kept), _event(alert, "opened", record)


def _rank(severity: Severity) -> int:
    return SEVERITIES.index(severity)


def _resolve(state: PlaceState, alert: Alert, record: Claim, now: datetime) -> tuple[PlaceState, AlertEvent]:
    said = PHRASES.get(record.predicate, record.predicate)
    if record.modality == "denied":
        said = f"denies {said}"
    when = claim_time(record)
    day = f", {when.date().isoformat()}" if when else ""
    resolution = f"{speaker_label(record.attributed_to)} later says {said} ({record.article.source}{day})"
    resolved = _finish(
        alert.model_copy(
            update={
                "status": "resolved",
                "resolution": resolution,
                "version": alert.version + 1,
                "last_updated": max(now, alert.last_updated),
                "article_ids": _merge(alert.article_ids, [record.article.article_id]),
            }
        )
    )
    memory = AlertMemory(alert=resolved, resolved_at=claim_time(record))
    return with_alert(state, memory), _event(resolved, "resolved", record)


# -- numeric discrepancies ---------------------------------------------------------------------------------------


def _numeric_sides(sources: Sequence[SideSource], unit: str, config: RuleConfig) -> tuple[Side, ...]:
    sides = []
    by_value = sorted(sources, key=lambda s: (s.value or 0.0, s.claim_id))
    groups: list[list[SideSource]] = []
    for source in by_value:
        if groups and abs((groups[-1][0].value or 0.0) - (source.value or 0.0)) <= config.numeric_tolerance * max(
            abs(groups[-1][0].value or 0.0), abs(source.value or 0.0)
        ):
            groups[-1].append(source)
        else:
            groups.append([source])
    for group in groups:
        sides.append(
            Side(
                said_by=_merge((), (s.source if s.attributed_to == "unattributed" else s.attributed_to for s in group)),
                value=group[0].value,
                unit=unit,
                sources=tuple(group),
            )
        )
    return tuple(sides)


def _discrepancy_step(state: PlaceState, fact: NumericFact, config: RuleConfig) -> tuple[PlaceState, AlertEvent | None]:
    if fact.kind not in config.numeric_kinds:
        return state, None
    facts = [other for other in state.facts if comparable(other, fact, config)]
    stories = state.story_map()
    if find_discrepancy(facts, config, stories) is None:
        return state, None
    identifier = alert_id(fact.subject_id, NUMERIC_KIND)
    memory = state.alert(identifier)
    previous = memory.alert if memory else None
    old_sources = [source for side in previous.sides for source in side.sources] if previous else []
    new_sources = [side_source(f) for g in value_groups(facts, config) for f in g]
    sources = _merge_sources(old_sources, new_sources, 2 * config.max_sources_per_side)
    places = sorted(fact.places, key=lambda place: place.id)
    now = record_time(fact)
    independent = max(previous.independent_sources if previous else 0, story_count(facts, config, stories=stories))
    alert = _finish(
        Alert(
            id=identifier,
            kind=NUMERIC_KIND,
            status="open",
            severity="low",
            place=places[0],
            related_places=tuple(places[1:]),
            sides=_numeric_sides(sources, fact.unit, config),
            summary="",
            first_seen=previous.first_seen if previous else now,
            last_updated=max(now, previous.last_updated) if previous else now,
            version=previous.version + 1 if previous else 1,
            article_ids=_merge(previous.article_ids if previous else (), (s.article_id for s in sources)),
            independent_sources=independent,
        )
    )
    if previous is not None:
        if not _changed(previous, alert):
            return state, None
        return with_alert(state, AlertMemory(alert=alert)), _event(alert, "updated", fact)
    return with_alert(state, AlertMemory(alert=alert)), _event(alert, "opened", fact)
