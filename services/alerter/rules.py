"""What counts as a contradiction: the table of incompatible predicates and the tests a pair of claims must pass.

Pure functions over the message contracts: no I/O, no clock, no faust. ``docs/alerter.md`` explains every rule in
prose; ``tests/unit/alerter/test_rules.py`` states them as examples.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from newsmon.contracts import Claim, NumericFact, StorySignature
from newsmon.contracts.alerts import AlertKind
from newsmon.contracts.claims import PREDICATES, FactKind, Predicate
from newsmon.story import COPY_THRESHOLD
from services.alerter.similarity import similarity

Position = Literal["for", "against"]
DisputeKind = Literal["control_dispute", "withdrawal_dispute", "encirclement_dispute"]
Similarity = Callable[[StorySignature, StorySignature], float]

UNATTRIBUTED = "unattributed"


@dataclass(frozen=True)
class Incompatibility:
    """One row of the table: the claim of a dispute, the predicates that contradict it, and the predicates that,
    said later by a voice of the other side, concede it (the defender confirming a withdrawal concedes a capture)."""

    kind: DisputeKind
    claim: Predicate
    contradicted_by: tuple[Predicate, ...]
    conceded_by: tuple[Predicate, ...] = ()


# The one table of incompatible predicates. The denial of ``claim`` (modality "denied") contradicts it as well.
INCOMPATIBLE: tuple[Incompatibility, ...] = (
    Incompatibility("control_dispute", "captured", ("contested", "not_captured"), conceded_by=("withdrawn",)),
    Incompatibility("withdrawal_dispute", "withdrawn", ("contested", "not_captured")),
    Incompatibility("encirclement_dispute", "encircled", ("not_encircled",)),
)
DISPUTE_KINDS: tuple[DisputeKind, ...] = tuple(row.kind for row in INCOMPATIBLE)


@dataclass(frozen=True)
class RuleConfig:
    """The knobs of the rules. ``services.alerter.settings.AlerterSection.rule_config()`` builds it from settings."""

    overlap_window: timedelta = timedelta(hours=72)
    copy_similarity: float = COPY_THRESHOLD
    numeric_tolerance: float = 0.15
    numeric_kinds: tuple[FactKind, ...] = ("distance", "area", "population")
    history_window: timedelta = timedelta(days=14)
    max_records: int = 120
    max_story_articles: int = 32
    max_sources_per_side: int = 100
    max_seen_ids: int = 2000
    similarity: Similarity = field(default=similarity, compare=False)


_ROWS: dict[DisputeKind, Incompatibility] = {candidate.kind: candidate for candidate in INCOMPATIBLE}


def row(kind: DisputeKind) -> Incompatibility:
    return _ROWS[kind]


# Negations whose "denied" reading is a rejection of the claim ("dismissed the encirclement as false"), never a
# double negative: extractors attach the denial cue to the negated predicate.
NEGATIONS: frozenset[Predicate] = frozenset({"not_captured", "not_encircled"})


def position(claim: Claim, kind: DisputeKind) -> Position | None:
    """Which side of a dispute of ``kind`` the claim takes, if any.

    ``unverified`` is the reporter's hedge ("could not independently verify"), not the speaker's: the speaker
    still says it, so it counts as asserted. ``denied`` turns the claim into its rejection.
    """
    return _POSITIONS[kind, claim.predicate, claim.modality == "denied"]


def _position(kind: DisputeKind, predicate: Predicate, denied: bool) -> Position | None:
    table = row(kind)
    if predicate == table.claim:
        return "against" if denied else "for"
    if predicate in table.contradicted_by and (not denied or predicate in NEGATIONS):
        return "against"
    return None


# Asked for every pair of claims at a place: looked up rather than worked out each time.
_POSITIONS: dict[tuple[DisputeKind, Predicate, bool], Position | None] = {
    (kind, predicate, denied): _position(kind, predicate, denied)
    for kind in DISPUTE_KINDS
    for predicate in PREDICATES
    for denied in (False, True)
}


def attribution_key(claim: Claim | NumericFact) -> str:
    """Who speaks, coarse enough that allies agreeing with each other are one voice: the side, else the speaker.

    An outlet asserting something in its own voice is a weak side of its own, named after the outlet.
    """
    who = claim.attributed_to
    if who.side:
        return f"side:{who.side.upper()}"
    if is_unattributed(claim):
        return f"outlet:{claim.article.source.strip().lower()}"
    return f"speaker:{(who.actor_id or who.name).strip().lower()}"


def is_unattributed(claim: Claim | NumericFact) -> bool:
    return claim.attributed_to.name.strip().lower() in {UNATTRIBUTED, ""} and not claim.attributed_to.side


def claim_time(claim: Claim | NumericFact) -> datetime | None:
    """The time a record is about: ``about`` when the text gives one, else when the article was published."""
    if isinstance(claim, Claim):
        return claim.effective_time
    return claim.article.published or claim.article.fetched_at


def within(a: datetime | None, b: datetime | None, window: timedelta) -> bool:
    """Whether two times are close enough to describe the same moment. Unknown times are given the benefit."""
    if a is None or b is None:
        return True
    return abs(a - b) <= window


Stories = Mapping[str, StorySignature]
"""Story signatures by article id: the state keeps one per article instead of one per claim."""


def story_of(record: Claim | NumericFact, stories: Stories | None = None) -> StorySignature | None:
    if record.story is not None:
        return record.story
    return stories.get(record.article.article_id) if stories else None


def same_story(
    a: Claim | NumericFact, b: Claim | NumericFact, config: RuleConfig, stories: Stories | None = None
) -> bool:
    """Copies: different articles whose story signatures are similar beyond the threshold."""
    if a.article.article_id == b.article.article_id:
        return True
    story_a, story_b = story_of(a, stories), story_of(b, stories)
    if story_a is None or story_b is None:
        return False
    return config.similarity(story_a, story_b) >= config.copy_similarity


def _actors_compatible(for_claim: Claim, against: Claim, kind: DisputeKind) -> bool:
    if against.predicate == row(kind).claim:  # an explicit denial of the very claim
        return True
    if kind == "withdrawal_dispute":
        # "still holding" must come from the side said to have withdrawn (the defender), when that side is known
        return for_claim.actor is None or against.attributed_to.side in (None, for_claim.actor)
    if kind == "control_dispute" and against.predicate == "not_captured":
        return for_claim.actor is None or against.actor is None or for_claim.actor == against.actor
    return True


def contradicts(
    for_claim: Claim, against: Claim, kind: DisputeKind, config: RuleConfig, stories: Stories | None = None
) -> bool:
    """Whether two claims holding opposite positions of ``kind`` make a dispute.

    They must come from different attributions (not both the outlet's own voice), be about overlapping time, and
    be either in one article (two speakers reported side by side) or in independent stories, not copies of one.
    """
    if position(for_claim, kind) != "for" or position(against, kind) != "against":
        return False
    if attribution_key(for_claim) == attribution_key(against):
        return False
    if is_unattributed(for_claim) and is_unattributed(against):
        return False
    if not within(claim_time(for_claim), claim_time(against), config.overlap_window):
        return False
    if for_claim.article.article_id != against.article.article_id and same_story(for_claim, against, config, stories):
        return False
    return _actors_compatible(for_claim, against, kind)


@dataclass(frozen=True)
class Dispute:
    """The claims on each side of one dispute at one place, in arrival order."""

    kind: DisputeKind
    for_claims: tuple[Claim, ...]
    against_claims: tuple[Claim, ...]

    @property
    def claims(self) -> tuple[Claim, ...]:
        return self.for_claims + self.against_claims


def find_dispute(claims: Sequence[Claim], kind: DisputeKind, config: RuleConfig) -> Dispute | None:
    """Every claim that contradicts at least one claim on the other side; None when there is no such pair."""
    fors = [claim for claim in claims if position(claim, kind) == "for"]
    againsts = [claim for claim in claims if position(claim, kind) == "against"]
    paired_for = [f for f in fors if any(contradicts(f, a, kind, config) for a in againsts)]
    if not paired_for:
        return None
    paired_against = [a for a in againsts if any(contradicts(f, a, kind, config) for f in fors)]
    return Dispute(kind, tuple(paired_for), tuple(paired_against))


def dispute_with(
    new: Claim,
    claims: Sequence[Claim],
    kind: DisputeKind,
    config: RuleConfig,
    already: Collection[str] = (),
    stories: Stories | None = None,
) -> Dispute | None:
    """The dispute ``new`` completes: it and the earlier claims it contradicts (linear in the history).

    Used record by record: a pair among earlier claims would already have raised the alert, so any new pair
    includes the new claim. Claims whose ids are in ``already`` (the alert's sources) only need to confirm that
    ``new`` belongs; they are not returned again. ``find_dispute`` is the same rule over a whole history at once.
    """
    taken = position(new, kind)
    if taken is None:
        return None

    def pairs(other: Claim) -> bool:
        if taken == "for":
            return contradicts(new, other, kind, config, stories)
        return contradicts(other, new, kind, config, stories)

    opposite = "against" if taken == "for" else "for"  # no other claim can pair with it
    others = [claim for claim in claims if position(claim, kind) == opposite and claim.id != new.id]
    fresh = tuple(claim for claim in others if claim.id not in already and pairs(claim))
    if not fresh and not any(pairs(claim) for claim in others if claim.id in already):
        return None
    return Dispute(kind, (new,), fresh) if taken == "for" else Dispute(kind, fresh, (new,))


def settling_position(claim: Claim, kind: DisputeKind) -> Position | None:
    """The position a claim takes when it may settle a dispute: its ordinary one, or "for" when it concedes."""
    taken = position(claim, kind)
    if taken is None and claim.predicate in row(kind).conceded_by and claim.modality != "denied":
        return "for"
    return taken


def concession(new: Claim, disputed: Iterable[Claim], kind: DisputeKind) -> bool:
    """Whether ``new`` settles a dispute: a voice that held one position now holds the other, later in time.

    For example the defending side confirming the withdrawal or the capture it had denied, or the side that
    claimed a capture saying fighting goes on after all. Unknown times never settle anything.
    """
    taken = settling_position(new, kind)
    new_time = claim_time(new)
    if taken is None or new_time is None:
        return False
    key = attribution_key(new)
    earlier = [claim for claim in disputed if attribution_key(claim) == key and claim.id != new.id]
    if not earlier or any(position(claim, kind) == taken for claim in earlier):
        return False
    times = [claim_time(claim) for claim in earlier]
    return all(time is not None and new_time > time for time in times)


# -- numeric facts --------------------------------------------------------------------------------------------------


def comparable(a: NumericFact, b: NumericFact, config: RuleConfig) -> bool:
    """Facts are compared only when they measure the same thing: same kind, same places, same unit.

    Casualty and troop figures are left out by default: one side's count of the enemy's losses and the other
    side's count of its own measure different things even when the places match.
    """
    return (
        a.kind == b.kind
        and a.kind in config.numeric_kinds
        and a.subject_id == b.subject_id
        and a.unit == b.unit
        and len(a.places) >= (2 if a.kind == "distance" else 1)
    )


def differs(a: float, b: float, tolerance: float) -> bool:
    largest = max(abs(a), abs(b))
    return largest > 0 and abs(a - b) / largest > tolerance


def value_groups(facts: Sequence[NumericFact], config: RuleConfig) -> list[list[NumericFact]]:
    """Facts grouped by agreeing values (each group within the tolerance of its smallest value), smallest first."""
    groups: list[list[NumericFact]] = []
    for fact in sorted(facts, key=lambda f: (f.value, f.id)):
        if groups and not differs(groups[-1][0].value, fact.value, config.numeric_tolerance):
            groups[-1].append(fact)
        else:
            groups.append([fact])
    return groups


def find_discrepancy(
    facts: Sequence[NumericFact], config: RuleConfig, stories: Stories | None = None
) -> list[list[NumericFact]] | None:
    """Groups of disagreeing figures about one subject, when at least two independent stories disagree."""
    if not facts:
        return None
    groups = value_groups(facts, config)
    if len(groups) < 2:
        return None
    low, high = groups[0], groups[-1]
    independent = any(not same_story(a, b, config, stories) for a in low for b in high)
    return groups if independent else None


NUMERIC_KIND: AlertKind = "numeric_discrepancy"
