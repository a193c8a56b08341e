"""What every family of cues is built from: the ``Cue`` type, ``cue`` that compiles one and registers its trigger
words (``TRIGGERS_OF``) with the fast first pass, and the number and distance patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from newsmon.contracts import Predicate
from services.enricher._scan import TRIGGERS, lower_twin, starting_characters, with_first_characters

Orientation = Literal["object", "subject", "either", "locative", "antecedent"]

_NUMBER_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
NUMBER = rf"(?:\d+(?:[.,]\d+)?|{_NUMBER_WORDS})"
NUMBER_STARTS = rf"(?=[\d{starting_characters(_NUMBER_WORDS)}])"
"""Where a ``NUMBER`` can start: put before a pattern that begins with one (see ``_scan.first_characters``)."""
UNIT = r"(?:kilometers?|kilometres?|km|miles?|mi)"

ALL_KINDS = frozenset({"populated_place", "area", "region"})
TOWN_KINDS = frozenset({"populated_place", "area"})


@dataclass(frozen=True, slots=True)
class Cue:
    name: str
    predicate: Predicate
    pattern: re.Pattern[str]
    orientation: Orientation
    kinds: frozenset[str] = ALL_KINDS
    nominal: bool = False
    passive: bool = False
    needs_forces: bool = False
    """Only when armed forces are the subject ("Russian troops within 10 km of ...")."""
    salient: bool = False
    """May fall back to the place the text is about when the sentence names none ("fighting was still underway")."""
    triggers: tuple[str, ...] = ()
    """Word prefixes without which the pattern cannot match (a fast first pass, see ``_scan``)."""
    lower_pattern: re.Pattern[str] | None = None
    """``pattern`` for lower-cased text without IGNORECASE (several times faster); None when the pattern has
    case-sensitive parts. Only valid on text whose letters are all ASCII: see ``_scan.caseless_lowered``."""


_CAPTURE_VERBS = ("captur", "recaptur", "seiz", "reseiz", "liberat", "reliberat", "overr", "conquer", "reconquer")
_FIGHT_WORDS = ("fight", "clash", "battle", "combat", "hostilit", "street", "skirmish")
TRIGGERS_OF: dict[str, tuple[str, ...]] = {
    "not_captured.not_fallen": ("fall", "been"),
    "not_captured.remains_held": ("control", "hands"),
    "not_captured.still_holding": ("hold", "held", "control"),
    "not_captured.holding_positions": ("hold", "held"),
    "not_captured.did_not_take": ("captur", "seiz", "take", "taken", "enter"),
    "not_captured.not_occupied": ("occupied", "captured", "taken", "seized", "lost", "overrun", "surrendered"),
    "not_captured.not_under": ("control", "hands"),
    "not_captured.our_control": ("our",),
    "not_captured.repelled": (
        "repel",
        "repuls",
        "beat",
        "fought",
        "thwart",
        "fend",
        "fended",
        "held",
        "hold",
        "stop",
        "halt",
        "foil",
        "rebuff",
    ),
    "not_encircled.negated": ("encircl", "surround", "cauldron", "besieg", "blockad"),
    "captured.fell_to": ("fell", "falls", "fallen", "passed"),
    "captured.fell": ("fell", "fallen"),
    "captured.passive": (*_CAPTURE_VERBS, "taken", "retaken"),
    "captured.headline": (*_CAPTURE_VERBS, "taken", "retaken"),
    "captured.took_control": ("control",),
    "captured.lost_control": ("lost", "losing", "lose"),
    "captured.back_under": ("return", "back", "came", "come", "brought", "restored"),
    "captured.under_control": ("control", "hands"),
    "captured.flag": ("flag",),
    "captured.verb": _CAPTURE_VERBS,
    "captured.took": ("took", "taken", "retook", "retaken", "take", "retake"),
    "captured.cleared": ("cleared", "clearing", "clears", "purged"),
    "captured.nominal": ("capture", "fall", "liberation", "seizure", "loss", "takeover"),
    "captured.possessive": ("capture", "fall", "liberation", "seizure", "loss"),
    "contested.fighting_continues": _FIGHT_WORDS,
    "contested.still_fighting": (*_FIGHT_WORDS, "engag"),
    "contested.fighting_in": ("fighting", "battling"),
    "contested.mopping_up": ("mopping", "mop", "mopped", "clearing", "sweep"),
    "contested.contested": ("contested",),
    "contested.foothold": ("foothold",),
    "contested.centre": ("reach", "entered", "broke", "pushed", "advanced", "made"),
    "contested.partial_control": ("control", "hold", "held"),
    "contested.entrenched": ("entrench", "dug", "holed", "holding", "held", "hanging", "clinging"),
    "contested.street_fighting": ("street", "house", "urban", "fought", "fighting"),
    "withdrawn.verb": ("withdr", "pull", "retreat", "abandon", "push", "driven", "forced", "ousted"),
    "withdrawn.ordered_out": ("order", "sent", "moved", "took", "taken", "led", "brought"),
    "withdrawn.forced_to_leave": ("forced", "compelled", "had", "obliged", "fled"),
    "withdrawn.nominal": ("withdrawal", "retreat", "pullout", "pull"),
    "encircled.state": (
        "encircl",
        "surround",
        "besieg",
        "trapped",
        "cut",
        "cauldron",
        "pocket",
        "kettle",
        "blockad",
        "fire",
    ),
    "advancing_toward.partly_encircled": ("semi", "half", "partial", "partly", "nearly", "almost", "virtually", "all"),
    "advancing_toward.nominal": ("march", "push", "drive", "offensive", "thrust", "advance"),
    "advancing_toward.toward": (
        "advanc",
        "push",
        "mov",
        "march",
        "progress",
        "driv",
        "offensive",
        "thrust",
        "inching",
        "edging",
        "creeping",
    ),
    "advancing_toward.closing_in": (
        "clos",
        "circl",
        "encircling",
        "bearing",
        "approach",
        "near",
        "moved",
        "moving",
        "drawing",
        "drew",
        "edged",
        "edging",
        "inched",
        "inching",
        "getting",
        "got",
    ),
    "advancing_toward.toward_which": ("toward",),
    "advancing_toward.within": ("km", "kilomet", "mile", "mi"),
    "advancing_toward.outskirts": ("reach", "got", "arriv", "entered", "broke", "break"),
    "advancing_toward.gains_near": ("advanc", "gain", "made", "making"),
    "struck.strike": ("struck", "strike", "striking"),
    "struck.attack": (
        "attack",
        "shell",
        "bomb",
        "pummel",
        "pound",
        "target",
        "air",
        "hammer",
        "batter",
        "rain",
        "assault",
    ),
    "struck.launched_at": ("launch", "fire"),
    "struck.hit": (
        "hit",
        "wreck",
        "damaged",
        "destroyed",
        "struck",
        "slam",
        "crash",
        "smash",
        "plough",
        "plow",
        "land",
        "tore",
        "ripped",
        "explod",
        "fell",
    ),
    "struck.under_attack": ("under",),
    "evacuating.evacuation": ("evacuat",),
    "evacuating.told_to_leave": ("order", "told", "tell", "urg", "warn", "call", "ask", "advis", "instruct"),
    "evacuating.moved_out": ("moved", "moving", "relocat", "bus", "ferr", "took", "taking", "brought", "bringing"),
}


def cue(name: str, predicate: Predicate, pattern: str, orientation: Orientation, **options: object) -> Cue:
    compiled = re.compile(with_first_characters(pattern), re.IGNORECASE)
    lower = lower_twin(compiled)
    TRIGGERS.add(name, TRIGGERS_OF[name])
    return Cue(
        name,
        predicate,
        compiled,
        orientation,
        triggers=TRIGGERS_OF[name],
        lower_pattern=lower,
        **options,  # type: ignore[arg-type]
    )
