"""The lexical cues of each predicate: general English patterns, never phrases of particular articles.

A cue says which predicate a phrase expresses and where the place it is about sits relative to it:
``object`` (after it: "captured Kurakhove", "the fall of Avdiivka"), ``subject`` (before it: "Kurakhove has
fallen", "Pokrovsk is surrounded"), ``either`` (after, else before) or ``locative`` (a place phrase after it,
else before: "fighting in the town continued", "a strike near Belaya").

The cues live by family in ``_cues_control`` (who holds a place), ``_cues_front`` (the fighting over it) and
``_cues_strikes`` (strikes and evacuations); ``_cue_parts`` has the ``Cue`` type, its trigger words and the number and
distance patterns.
"""

from __future__ import annotations

from services.enricher._cue_parts import NUMBER, NUMBER_STARTS, UNIT, Cue
from services.enricher._cues_control import CONTROL_CUES
from services.enricher._cues_front import FRONT_CUES
from services.enricher._cues_strikes import STRIKE_CUES

__all__ = ["CUES", "NUMBER", "NUMBER_STARTS", "UNIT", "Cue"]

CUES: tuple[Cue, ...] = (*CONTROL_CUES, *FRONT_CUES, *STRIKE_CUES)
"""Every cue, in the order a sentence is searched: where two cues match overlapping text, the earlier one takes it."""
