"""A place's state: what ``remember`` keeps, and the lookups derived from it (record times, seen ids as a set).

The derived lookups are carried from one state to the next; these tests hold them to the plain definition: the
same states as keeping every record and filtering the whole history again, and ``has_seen`` as a search of the ids.
"""

from __future__ import annotations

import random
from datetime import timedelta

from newsmon.contracts import Claim, NumericFact
from services.alerter.lifecycle import empty_state, process
from services.alerter.rules import RuleConfig, claim_time
from services.alerter.samples import KURAKHOVE, MONDAY, POKROVSK, RU_MOD, UA_MILITARY, article, claim, fact, hours
from services.alerter.state import AlertMemory, ArticleStory, PlaceState, remember, with_alert


def _remember_plainly(state: PlaceState, record: Claim | NumericFact, config: RuleConfig) -> PlaceState:
    """``remember`` by its definition: add the record, then filter and cut the whole history."""
    time = claim_time(record)
    newest = state.newest_time
    if time is not None and (newest is None or time > newest):
        newest = time
    stories = state.stories
    if record.story is not None and all(entry.article_id != record.article.article_id for entry in stories):
        stories = (*stories, ArticleStory(article_id=record.article.article_id, story=record.story))
    stored = record.model_copy(update={"story": None}) if record.story is not None else record
    records = (*state.records, stored)
    if newest is not None:
        horizon = newest - config.history_window
        records = tuple(r for r in records if (t := claim_time(r)) is None or t >= horizon)
    records = records[-config.max_records :]
    kept_articles = {r.article.article_id for r in records}
    stories = tuple(entry for entry in stories if entry.article_id in kept_articles)[-config.max_story_articles :]
    seen = (*state.seen_ids, record.id)[-config.max_seen_ids :]
    return state.model_copy(update={"records": records, "stories": stories, "seen_ids": seen, "newest_time": newest})


def _records(count: int, seed: int) -> list[Claim | NumericFact]:
    """Records of a few articles each, with times jumping back and forth across days, some without a time."""
    rnd = random.Random(seed)
    records: list[Claim | NumericFact] = []
    for n in range(count):
        at = article(f"https://state.example/{n // 3}", published=MONDAY + hours(rnd.randint(0, 24 * 30)))
        if rnd.random() < 0.1:
            at = at.model_copy(update={"published": None})
        about = MONDAY + hours(rnd.randint(0, 24 * 30)) if rnd.random() < 0.4 else None
        if rnd.random() < 0.2:
            records.append(fact(float(n), at=at, places=(KURAKHOVE, POKROVSK), offset=n))
        else:
            who, predicate = (RU_MOD, "captured") if rnd.random() < 0.5 else (UA_MILITARY, "contested")
            records.append(claim(predicate, who, at=at, about=about, offset=n))  # type: ignore[arg-type]
    return records


def _alert_memory() -> AlertMemory:
    state, events = empty_state(KURAKHOVE.id), []
    for n, (who, predicate) in enumerate([(RU_MOD, "captured"), (UA_MILITARY, "contested")]):
        at = article(f"https://memory.example/{n}")
        state, new = process(state, claim(predicate, who, at=at, actor="RU" if n == 0 else None), RuleConfig())  # type: ignore[arg-type]
        events.extend(new)
    return AlertMemory(alert=events[-1].alert)


def test_remember_keeps_what_filtering_the_whole_history_keeps() -> None:
    configs = [
        RuleConfig(),
        RuleConfig(history_window=timedelta(days=3), max_records=9, max_story_articles=3, max_seen_ids=7),
        RuleConfig(history_window=timedelta(hours=30), max_records=4, max_story_articles=2, max_seen_ids=1),
    ]
    for seed, config in enumerate(configs):
        records = _records(300, seed)
        carried = plain = empty_state(KURAKHOVE.id)
        for record in records:
            carried, plain = remember(carried, record, config), _remember_plainly(plain, record, config)
            assert carried == plain
            assert carried.claims == tuple(r for r in plain.records if isinstance(r, Claim))
            assert carried.facts == tuple(r for r in plain.records if isinstance(r, NumericFact))
            for other in records[:40]:
                assert carried.has_seen(other.id) == (other.id in plain.seen_ids)


def test_seen_ids_stay_right_for_every_state_of_a_branching_history() -> None:
    config = RuleConfig(max_seen_ids=5)
    records = _records(30, 7)
    first = empty_state(KURAKHOVE.id)
    for record in records[:10]:
        first = remember(first, record, config)
    assert first.has_seen(records[9].id)
    left = remember(first, records[10], config)  # the set moves on to `left`...
    right = remember(first, records[11], config)  # ...so `first` builds its own again for `right`
    again = remember(left, records[9], config)  # an id seen before: kept twice in the tuple
    copied = left.model_copy(update={"seen_ids": ()})
    alerted = with_alert(left, _alert_memory())
    for state in (first, left, right, again, copied, alerted, PlaceState.model_validate_json(left.model_dump_json())):
        for record in records:
            assert state.has_seen(record.id) == (record.id in state.seen_ids)
    assert left.has_seen(records[10].id)
    assert not left.has_seen(records[11].id)
    assert right.has_seen(records[11].id)
    assert not right.has_seen(records[10].id)
    assert not copied.has_seen(records[10].id)


def test_the_derived_lookups_are_no_part_of_the_state() -> None:
    records = _records(12, 3)
    state = empty_state(KURAKHOVE.id)
    for record in records:
        state = remember(state, record, RuleConfig())
    state.has_seen("anything")
    read = PlaceState.model_validate_json(state.model_dump_json())
    assert read == state
    assert state == read
    assert state.model_dump() == read.model_dump()
