"""How an alert lives: opened once, updated only by news, resolved by a concession, identical on replay."""

from __future__ import annotations

from collections.abc import Iterable

from newsmon.contracts import AlertEvent, Attribution, Claim, NumericFact
from newsmon.contracts.ids import alert_event_id, alert_id
from services.alerter.lifecycle import empty_state, process
from services.alerter.rules import RuleConfig, find_dispute
from services.alerter.samples import (
    KURAKHOVE,
    KURSK,
    MONDAY,
    POKROVSK,
    PUTIN,
    RU_MOD,
    UA_MILITARY,
    UNATTRIBUTED,
    article,
    claim,
    fact,
    hours,
)
from services.alerter.state import PlaceState

CONFIG = RuleConfig()
CNN = article("https://cnn.example/kurakhove", "CNN", published=MONDAY + hours(20))
EPOCH_TIMES = article("https://epoch.example/kurakhove", "The Epoch Times", published=MONDAY + hours(22))
REWRITE = article("https://rewrite.example/kurakhove", "Rewrite Daily", published=MONDAY + hours(23))


def run(records: Iterable[Claim | NumericFact], state: PlaceState | None = None) -> tuple[PlaceState, list[AlertEvent]]:
    events: list[AlertEvent] = []
    for record in records:
        place_id = record.place.id if isinstance(record, Claim) else min(p.id for p in record.places)
        state = state or empty_state(place_id)
        state, new = process(state, record, CONFIG)
        events.extend(new)
    assert state is not None
    return state, events


def kurakhove_in_three_articles() -> list[Claim]:
    return [
        claim("captured", RU_MOD, at=CNN, actor="RU", about=MONDAY, offset=0),
        claim("contested", UA_MILITARY, at=CNN, about=MONDAY + hours(24), offset=200),
        claim("captured", RU_MOD, at=EPOCH_TIMES, actor="RU", about=MONDAY, offset=0),
        claim(
            "contested", Attribution(name="Viktor Trehubov", side="UA", role="spokesman"), at=EPOCH_TIMES, offset=300
        ),
        claim("captured", RU_MOD, at=REWRITE, actor="RU", about=MONDAY, story_seed=int(CNN.article_id[:6], 16)),
    ]


def test_the_first_contradiction_opens_one_alert() -> None:
    _, events = run(kurakhove_in_three_articles()[:2])
    assert [event.event for event in events] == ["opened"]
    alert = events[0].alert
    assert alert.id == alert_id(KURAKHOVE.id, "control_dispute")
    assert alert.status == "open"
    assert alert.version == 1
    assert events[0].id == alert_event_id(alert.id, 1)
    assert [side.predicate for side in alert.sides] == ["captured", "contested"]
    assert alert.sides[0].said_by == ("Russia's Defense Ministry",)
    assert alert.sides[1].said_by == ("Ukrainian military (Khortytsia grouping)",)
    assert alert.summary == (
        "Kurakhove: Russia's Defense Ministry says captured; Ukrainian military (Khortytsia grouping) says fighting "
        "continues"
    )


def test_later_articles_update_the_same_alert_with_their_sources() -> None:
    _, events = run(kurakhove_in_three_articles())
    assert [event.event for event in events] == ["opened", "updated", "updated", "updated"]
    assert len({event.alert.id for event in events}) == 1
    assert [event.alert.version for event in events] == [1, 2, 3, 4]
    final = events[-1].alert
    assert set(final.article_ids) == {CNN.article_id, EPOCH_TIMES.article_id, REWRITE.article_id}
    assert {s.source for s in final.sides[0].sources} == {"CNN", "The Epoch Times", "Rewrite Daily"}
    assert final.sides[1].said_by == ("Ukrainian military (Khortytsia grouping)", "Viktor Trehubov (spokesman)")
    assert final.first_seen == events[0].alert.first_seen
    assert final.last_updated == REWRITE.published


def test_a_copy_adds_its_source_but_not_an_independent_story() -> None:
    _, events = run(kurakhove_in_three_articles())
    assert events[-2].alert.independent_sources == 2
    assert events[-1].alert.independent_sources == 2  # the rewrite is a copy of the CNN story


def test_severity_rises_with_independent_corroboration() -> None:
    _, events = run(kurakhove_in_three_articles())
    assert events[0].alert.severity == "medium"
    assert events[-1].alert.severity == "high"


def test_a_side_resting_on_an_outlets_own_voice_weighs_less() -> None:
    records = [
        claim("captured", RU_MOD, at=CNN, about=MONDAY),
        claim("contested", UNATTRIBUTED, at=EPOCH_TIMES, where=KURAKHOVE, about=MONDAY),
    ]
    _, events = run(records)
    assert events[0].alert.severity == "low"


def test_a_repeated_claim_changes_nothing_and_emits_nothing() -> None:
    records = kurakhove_in_three_articles()[:2]
    repeat = claim("captured", RU_MOD, at=CNN, actor="RU", about=MONDAY, offset=900)  # repeated paragraph
    state, events = run(records)
    _, again = run([repeat, *records], state)
    assert len(events) == 1
    assert again == []


def test_replaying_the_same_input_yields_the_same_events() -> None:
    records = kurakhove_in_three_articles()
    _, first = run(records)
    _, second = run(records)
    assert first == second
    state, _ = run(records)
    _, replayed = run(records, state)
    assert replayed == []


def test_the_state_survives_serialisation() -> None:
    records = kurakhove_in_three_articles()
    state, events = run(records[:3])
    restored = PlaceState.model_validate_json(state.model_dump_json())
    assert restored == state
    _, rest = run(records[3:], restored)
    _, straight = run(records)
    assert events + rest == straight


def test_the_defender_confirming_the_capture_later_resolves_the_alert() -> None:
    later = article("https://later.example/k", "Later", published=MONDAY + hours(24 * 4))
    admits = claim("captured", UA_MILITARY, actor="RU", at=later, about=MONDAY + hours(24 * 4))
    state, events = run([*kurakhove_in_three_articles()[:2], admits])
    assert [event.event for event in events] == ["opened", "resolved"]
    resolved = events[-1].alert
    assert resolved.status == "resolved"
    assert resolved.version == 2
    assert resolved.resolution is not None
    assert resolved.resolution.startswith("Ukrainian military (Khortytsia grouping) later says captured")
    assert "resolved:" in resolved.summary
    _, nothing = run([admits], state)
    assert nothing == []


def test_the_defender_confirming_the_withdrawal_resolves_the_control_dispute() -> None:
    later = article("https://later.example/w", "Later", published=MONDAY + hours(24 * 3))
    withdrew = claim("withdrawn", UA_MILITARY, actor="UA", at=later, about=MONDAY + hours(24 * 3))
    _, events = run([*kurakhove_in_three_articles()[:2], withdrew])
    assert [(event.event, event.alert.kind) for event in events] == [
        ("opened", "control_dispute"),
        ("resolved", "control_dispute"),
    ]
    assert (
        events[-1].alert.resolution
        == "Ukrainian military (Khortytsia grouping) later says forces withdrew (Later, 2025-01-09)"
    )


def test_a_new_dispute_after_resolution_reopens_the_alert() -> None:
    later = article("https://later.example/k", "Later", published=MONDAY + hours(24 * 4))
    admits = claim("captured", UA_MILITARY, actor="RU", at=later, about=MONDAY + hours(24 * 4))
    week = article("https://week.example/k", "Week", published=MONDAY + hours(24 * 9))
    again = [
        claim("captured", UA_MILITARY, actor="UA", at=week, about=MONDAY + hours(24 * 9)),
        claim("contested", RU_MOD, at=week, about=MONDAY + hours(24 * 9), offset=50),
    ]
    _, events = run([*kurakhove_in_three_articles()[:2], admits, *again])
    assert [(event.event, event.alert.version) for event in events] == [("opened", 1), ("resolved", 2), ("opened", 3)]
    assert events[-1].alert.sides[0].said_by == ("Ukrainian military (Khortytsia grouping)",)


def test_a_status_change_weeks_later_opens_nothing() -> None:
    august = article("https://aug.example/kursk", published=MONDAY - hours(24 * 140))
    march = article("https://mar.example/kursk", published=MONDAY + hours(24 * 66))
    records = [
        claim("captured", UA_MILITARY, actor="UA", at=august, where=KURSK),
        claim("contested", RU_MOD, at=august, where=KURSK, about=MONDAY - hours(24 * 200)),
        claim("captured", RU_MOD, actor="RU", at=march, where=KURSK),
        claim("contested", UA_MILITARY, at=august, where=KURSK, about=MONDAY - hours(24 * 141)),
    ]
    state, events = run(records)
    assert events == []
    assert all(r.article.article_id == march.article_id for r in state.records)  # August fell out of the window


def test_encirclement_claim_and_denial_in_one_article() -> None:
    report = article("https://news.example/kursk", published=MONDAY + hours(24 * 66))
    putin = claim("encircled", PUTIN, at=report, where=KURSK, actor="UA")
    denial = claim("encircled", UA_MILITARY, at=report, where=KURSK, modality="denied", offset=300)
    _, events = run([putin, denial])
    assert [event.event for event in events] == ["opened"]
    alert = events[0].alert
    assert alert.kind == "encirclement_dispute"
    assert [side.predicate for side in alert.sides] == ["encircled", "not_encircled"]
    assert alert.summary.startswith("Kursk Oblast: Vladimir Putin says encircled; Ukrainian military")


def test_a_distance_discrepancy_is_a_low_severity_alert_about_both_places() -> None:
    records = [fact(40.2, at=CNN), fact(32.2, at=EPOCH_TIMES), fact(40.0, at=REWRITE, story_seed=5)]
    _, events = run(records)
    assert [event.event for event in events] == ["opened", "updated"]
    alert = events[-1].alert
    assert alert.kind == "numeric_discrepancy"
    assert alert.severity == "low"
    assert alert.id == alert_id(f"{KURAKHOVE.id}+{POKROVSK.id}", "numeric_discrepancy")
    assert {alert.place.name, *(p.name for p in alert.related_places)} == {"Kurakhove", "Pokrovsk"}
    assert [side.value for side in alert.sides] == [32.2, 40.0]
    assert [len(side.sources) for side in alert.sides] == [1, 2]
    assert "32 km" in alert.summary
    assert "40 km" in alert.summary


def test_agreeing_figures_raise_nothing() -> None:
    _, events = run([fact(40.2, at=CNN), fact(40.0, at=EPOCH_TIMES)])
    assert events == []


def test_the_history_is_bounded() -> None:
    config = RuleConfig(max_records=3, max_seen_ids=4)
    state = empty_state(KURAKHOVE.id)
    for n in range(6):
        state, _ = process(state, claim("struck", RU_MOD, at=article(f"https://x.example/{n}")), config)
    assert len(state.records) == 3
    assert len(state.seen_ids) == 4


def test_record_by_record_finds_the_same_claims_as_the_whole_history_at_once() -> None:
    records = kurakhove_in_three_articles()
    _, events = run(records)
    whole = find_dispute(records, "control_dispute", CONFIG)
    assert whole is not None
    in_alert = {source.claim_id for side in events[-1].alert.sides for source in side.sources}
    assert in_alert == {claim.id for claim in whole.claims}


def test_the_state_keeps_one_story_signature_per_article() -> None:
    state, _ = run(kurakhove_in_three_articles())
    assert all(record.story is None for record in state.records)
    assert {entry.article_id for entry in state.stories} == {CNN.article_id, EPOCH_TIMES.article_id, REWRITE.article_id}


def test_sources_per_side_are_bounded_keeping_the_first_and_the_latest() -> None:
    config = RuleConfig(max_sources_per_side=5)
    state = empty_state(KURAKHOVE.id)
    events: list[AlertEvent] = []
    state, _ = process(state, claim("contested", UA_MILITARY, at=CNN, about=MONDAY), config)
    for n in range(8):
        at = article(f"https://ru.example/{n}", f"Outlet {n}", published=MONDAY + hours(n))
        state, new = process(state, claim("captured", RU_MOD, at=at, about=MONDAY + hours(n)), config)
        events.extend(new)
    sources = events[-1].alert.sides[0].sources
    assert [source.source for source in sources] == ["Outlet 0", "Outlet 4", "Outlet 5", "Outlet 6", "Outlet 7"]


def test_claims_from_before_a_resolution_never_return_to_the_alert() -> None:
    day = [article(f"https://d{n}.example/k", f"Day {n}", published=MONDAY + hours(24 * n)) for n in range(4)]
    before = [
        claim("captured", RU_MOD, actor="RU", at=day[0], about=MONDAY),
        claim("contested", UA_MILITARY, at=day[0], about=MONDAY, offset=50),
    ]
    admits = claim("withdrawn", UA_MILITARY, actor="UA", at=day[1], about=MONDAY + hours(24))
    after = [
        claim("captured", UA_MILITARY, actor="UA", at=day[2], about=MONDAY + hours(48)),
        claim("contested", RU_MOD, at=day[2], about=MONDAY + hours(48), offset=50),
        claim("captured", Attribution(name="ISW", side="US"), actor="UA", at=day[3], about=MONDAY + hours(50)),
    ]
    _, events = run([*before, admits, *after])
    assert [event.event for event in events] == ["opened", "resolved", "opened", "updated"]
    latest = events[-1].alert
    assert {s.article_id for side in latest.sides for s in side.sources} == {day[2].article_id, day[3].article_id}
