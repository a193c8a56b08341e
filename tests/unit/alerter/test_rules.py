"""What counts as a contradiction, stated as examples. Each test is one sentence of docs/alerter.md."""

from __future__ import annotations

from typing import get_args

import pytest

from newsmon.contracts import Attribution
from newsmon.contracts.claims import PREDICATES, Modality, Predicate
from services.alerter.rules import (
    DISPUTE_KINDS,
    RuleConfig,
    attribution_key,
    comparable,
    concession,
    contradicts,
    find_discrepancy,
    find_dispute,
    position,
)
from services.alerter.samples import (
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
    place,
)

CONFIG = RuleConfig()
CNN = article("https://cnn.example/kurakhove", "CNN")
EPOCH_TIMES = article("https://epoch.example/kurakhove", "The Epoch Times")


# -- the table of incompatible predicates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claimed", "contradicting", "kind"),
    [
        ("captured", "contested", "control_dispute"),
        ("captured", "not_captured", "control_dispute"),
        ("withdrawn", "contested", "withdrawal_dispute"),
        ("withdrawn", "not_captured", "withdrawal_dispute"),
        ("encircled", "not_encircled", "encirclement_dispute"),
    ],
)
def test_each_incompatible_pair_from_two_sides_is_a_dispute(claimed: str, contradicting: str, kind: str) -> None:
    ru = claim(claimed, RU_MOD, at=CNN, actor="UA" if claimed == "withdrawn" else "RU")  # type: ignore[arg-type]
    ua = claim(contradicting, UA_MILITARY, at=EPOCH_TIMES)  # type: ignore[arg-type]
    assert contradicts(ru, ua, kind, CONFIG)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("claimed", "kind"),
    [("captured", "control_dispute"), ("withdrawn", "withdrawal_dispute"), ("encircled", "encirclement_dispute")],
)
def test_a_denial_of_the_claim_contradicts_it(claimed: str, kind: str) -> None:
    ru = claim(claimed, RU_MOD, at=CNN)  # type: ignore[arg-type]
    denial = claim(claimed, UA_MILITARY, at=CNN, modality="denied", offset=100)  # type: ignore[arg-type]
    assert position(denial, kind) == "against"  # type: ignore[arg-type]
    assert contradicts(ru, denial, kind, CONFIG)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("captured", "withdrawn"),  # both say the defender lost it
        ("captured", "advancing_toward"),
        ("contested", "not_captured"),  # both say it still holds
        ("encircled", "contested"),
        ("struck", "evacuating"),
    ],
)
def test_compatible_predicates_never_dispute(first: str, second: str) -> None:
    a = claim(first, RU_MOD, at=CNN)  # type: ignore[arg-type]
    b = claim(second, UA_MILITARY, at=EPOCH_TIMES)  # type: ignore[arg-type]
    for kind in DISPUTE_KINDS:
        assert find_dispute([a, b], kind, CONFIG) is None


def test_a_claim_the_reporter_could_not_verify_is_still_the_speakers_claim() -> None:
    hedged = claim("captured", RU_MOD, modality="unverified")
    assert position(hedged, "control_dispute") == "for"
    assert contradicts(hedged, claim("contested", UA_MILITARY, at=CNN), "control_dispute", CONFIG)


@pytest.mark.parametrize(
    ("negation", "kind"), [("not_captured", "control_dispute"), ("not_encircled", "encirclement_dispute")]
)
def test_a_denial_cue_on_a_negation_rejects_the_claim(negation: str, kind: str) -> None:
    dismissed = claim(negation, UA_MILITARY, modality="denied")  # type: ignore[arg-type]
    assert position(dismissed, kind) == "against"  # type: ignore[arg-type]


def test_denying_that_fighting_continues_takes_no_position() -> None:
    assert all(position(claim("contested", RU_MOD, modality="denied"), kind) is None for kind in DISPUTE_KINDS)


# -- who says it -------------------------------------------------------------------------------------------------


def test_the_same_side_does_not_contradict_itself() -> None:
    mod = claim("captured", RU_MOD, at=CNN)
    state_media = claim("contested", Attribution(name="Russian state media", side="RU"), at=EPOCH_TIMES)
    assert not contradicts(mod, state_media, "control_dispute", CONFIG)


def test_two_speakers_in_one_article_are_a_dispute() -> None:
    ru = claim("captured", RU_MOD, at=CNN, offset=0)
    ua = claim("contested", UA_MILITARY, at=CNN, offset=200)
    dispute = find_dispute([ru, ua], "control_dispute", CONFIG)
    assert dispute is not None
    assert dispute.for_claims == (ru,)
    assert dispute.against_claims == (ua,)


def test_speakers_without_a_known_side_are_told_apart_by_name() -> None:
    blogger = Attribution(name="Yuriy Butusov")
    other = Attribution(name="Bohdan Miroshnikov")
    assert attribution_key(claim("captured", blogger)) != attribution_key(claim("contested", other))


def test_an_outlet_in_its_own_voice_is_a_weak_side_of_its_own() -> None:
    outlet = claim("contested", UNATTRIBUTED, at=EPOCH_TIMES)
    assert attribution_key(outlet) == "outlet:the epoch times"
    assert contradicts(claim("captured", RU_MOD, at=CNN), outlet, "control_dispute", CONFIG)


def test_two_outlets_in_their_own_voice_are_not_a_dispute() -> None:
    one = claim("captured", UNATTRIBUTED, at=CNN)
    other = claim("contested", UNATTRIBUTED, at=EPOCH_TIMES)
    assert not contradicts(one, other, "control_dispute", CONFIG)


def test_still_holding_must_come_from_the_side_said_to_have_withdrawn() -> None:
    withdrew = claim("withdrawn", RU_MOD, actor="UA", at=CNN)
    ukraine_holds = claim("contested", UA_MILITARY, at=EPOCH_TIMES)
    third_party = claim("contested", Attribution(name="ISW analysts", side="US"), at=EPOCH_TIMES)
    assert contradicts(withdrew, ukraine_holds, "withdrawal_dispute", CONFIG)
    assert not contradicts(withdrew, third_party, "withdrawal_dispute", CONFIG)


def test_not_captured_by_another_actor_is_no_answer_to_a_capture() -> None:
    ru_took_it = claim("captured", RU_MOD, actor="RU", at=CNN)
    ua_did_not = claim("not_captured", UA_MILITARY, actor="UA", at=EPOCH_TIMES)
    assert not contradicts(ru_took_it, ua_did_not, "control_dispute", CONFIG)


# -- time --------------------------------------------------------------------------------------------------------


def test_claims_about_overlapping_time_dispute() -> None:
    ru = claim("captured", RU_MOD, at=CNN, about=MONDAY)
    ua = claim("contested", UA_MILITARY, at=EPOCH_TIMES, about=MONDAY + hours(30))
    assert contradicts(ru, ua, "control_dispute", CONFIG)


def test_claims_further_apart_than_the_window_are_a_change_not_a_dispute() -> None:
    ru = claim("captured", RU_MOD, at=CNN, about=MONDAY)
    ua = claim("contested", UA_MILITARY, at=EPOCH_TIMES, about=MONDAY + hours(73))
    assert not contradicts(ru, ua, "control_dispute", CONFIG)
    assert contradicts(ru, ua, "control_dispute", RuleConfig(overlap_window=hours(96)))


def test_time_is_what_the_claim_is_about_before_when_it_was_published() -> None:
    late_article = article("https://late.example/a", published=MONDAY + hours(24 * 10))
    ua = claim("contested", UA_MILITARY, at=late_article, about=MONDAY + hours(12))
    assert contradicts(claim("captured", RU_MOD, at=CNN, about=MONDAY), ua, "control_dispute", CONFIG)


def test_gains_in_august_and_recapture_in_march_are_a_change() -> None:
    august = article("https://aug.example/kursk", published=MONDAY - hours(24 * 140))
    march = article("https://mar.example/kursk", published=MONDAY + hours(24 * 66))
    gains = claim("captured", UA_MILITARY, actor="UA", at=august, where=KURSK)
    recapture = claim("captured", RU_MOD, actor="RU", at=march, where=KURSK)
    assert find_dispute([gains, recapture], "control_dispute", CONFIG) is None
    assert not contradicts(gains, claim("contested", RU_MOD, at=march, where=KURSK), "control_dispute", CONFIG)


# -- copies ------------------------------------------------------------------------------------------------------


def test_copies_of_one_story_are_not_two_sources_disagreeing() -> None:
    original = article("https://cnn.example/x", "CNN")
    rewrite = article("https://rewrite.example/x", "Rewrite Daily")
    ru = claim("captured", RU_MOD, at=original, story_seed=7)
    ua = claim("contested", UA_MILITARY, at=rewrite, story_seed=7)
    assert not contradicts(ru, ua, "control_dispute", CONFIG)
    assert contradicts(ru, claim("contested", UA_MILITARY, at=rewrite, story_seed=8), "control_dispute", CONFIG)


def test_the_copy_threshold_is_configurable() -> None:
    ru = claim("captured", RU_MOD, at=CNN, story_seed=7)
    ua = claim("contested", UA_MILITARY, at=EPOCH_TIMES, story_seed=7)
    strict = RuleConfig(similarity=lambda a, b: 0.4, copy_similarity=0.5)
    lenient = RuleConfig(similarity=lambda a, b: 0.4, copy_similarity=0.3)
    assert contradicts(ru, ua, "control_dispute", strict)
    assert not contradicts(ru, ua, "control_dispute", lenient)


# -- resolution --------------------------------------------------------------------------------------------------


def test_the_defending_side_confirming_later_settles_the_dispute() -> None:
    ru = claim("captured", RU_MOD, at=CNN, about=MONDAY)
    ua = claim("contested", UA_MILITARY, at=CNN, about=MONDAY + hours(24), offset=99)
    confirms = claim("withdrawn", UA_MILITARY, actor="UA", about=MONDAY + hours(24 * 5))
    admits = claim("captured", UA_MILITARY, actor="RU", about=MONDAY + hours(24 * 5))
    assert concession(confirms, [ru, ua], "control_dispute")  # confirming the withdrawal concedes the capture
    assert concession(admits, [ru, ua], "control_dispute")
    denies_withdrawal = claim("withdrawn", UA_MILITARY, modality="denied", about=MONDAY + hours(24 * 5))
    assert not concession(denies_withdrawal, [ru, ua], "control_dispute")


def test_repeating_ones_own_position_settles_nothing() -> None:
    ru = claim("captured", RU_MOD, at=CNN, about=MONDAY)
    ua = claim("contested", UA_MILITARY, at=CNN, about=MONDAY, offset=99)
    again = claim("contested", UA_MILITARY, at=EPOCH_TIMES, about=MONDAY + hours(48))
    assert not concession(again, [ru, ua], "control_dispute")


def test_a_change_of_account_about_the_same_moment_settles_nothing() -> None:
    ru = claim("captured", RU_MOD, at=CNN, about=MONDAY)
    ua = claim("contested", UA_MILITARY, at=CNN, about=MONDAY, offset=99)
    same_time = claim("captured", UA_MILITARY, at=EPOCH_TIMES, about=MONDAY)
    assert not concession(same_time, [ru, ua], "control_dispute")


# -- numbers -----------------------------------------------------------------------------------------------------


def test_distances_beyond_the_tolerance_disagree() -> None:
    twenty_miles = fact(32.2, at=EPOCH_TIMES)
    twenty_five_miles = fact(40.2, at=CNN)
    groups = find_discrepancy([twenty_miles, twenty_five_miles], CONFIG)
    assert groups is not None
    assert [[f.value for f in g] for g in groups] == [[32.2], [40.2]]


def test_distances_within_the_tolerance_agree() -> None:
    assert find_discrepancy([fact(40.2, at=CNN), fact(40.0, at=EPOCH_TIMES)], CONFIG) is None
    assert find_discrepancy([fact(36.0, at=CNN), fact(40.0, at=EPOCH_TIMES)], CONFIG) is None


def test_figures_from_copies_of_one_story_do_not_disagree() -> None:
    assert (
        find_discrepancy([fact(32.2, at=CNN, story_seed=3), fact(40.2, at=EPOCH_TIMES, story_seed=3)], CONFIG) is None
    )


def test_only_figures_about_the_same_places_and_kind_are_compared() -> None:
    dachenske = place("Dachenske", 709000)
    assert not comparable(fact(32.2), fact(8.0, places=(dachenske, POKROVSK)), CONFIG)
    assert comparable(fact(32.2), fact(40.0, places=(POKROVSK, fact(1).places[0])), CONFIG)


def test_casualty_figures_are_not_compared() -> None:
    killed = fact(12_000, RU_MOD, kind="casualties", unit="people", places=(place("Kurakhove", 704508),))
    losses = fact(38_000, UA_MILITARY, kind="casualties", unit="people", places=(place("Kurakhove", 704508),))
    assert not comparable(killed, losses, CONFIG)


def test_a_distance_needs_two_places() -> None:
    within_ten = fact(10.0, places=(POKROVSK,), at=CNN)
    assert not comparable(within_ten, fact(6.0, places=(POKROVSK,), at=EPOCH_TIMES), CONFIG)


def test_putin_and_the_denial_make_an_encirclement_dispute() -> None:
    ukraine = article("https://news.example/kursk", published=MONDAY + hours(24 * 66))
    putin = claim("encircled", PUTIN, at=ukraine, where=KURSK, actor="UA")
    denial = claim("encircled", UA_MILITARY, at=ukraine, where=KURSK, modality="denied", offset=300)
    dispute = find_dispute([putin, denial], "encirclement_dispute", CONFIG)
    assert dispute is not None
    assert find_dispute([putin, denial], "control_dispute", CONFIG) is None


def test_every_predicate_and_modality_has_a_position_or_none_for_every_kind() -> None:
    assert set(get_args(Predicate)) == set(PREDICATES)
    for kind in DISPUTE_KINDS:
        for predicate in PREDICATES:
            for modality in get_args(Modality):
                assert position(claim(predicate, RU_MOD, modality=modality), kind) in ("for", "against", None)
