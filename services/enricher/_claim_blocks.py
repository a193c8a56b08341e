"""Why a cue makes no claim where it stands: its clause hedges it, negates it after it, makes it an intention, says
it was not confirmed, or puts it in the past (the patterns are in ``filters``)."""

from __future__ import annotations

import re
from datetime import datetime

from services.enricher.cues import Cue
from services.enricher.filters import ABLE_TO, BACKGROUND, HEDGE, INFINITIVE_CUE, NEGATED_AFTER, NON_CONFIRMATION
from services.enricher.sentences import Sentence
from services.enricher.timeexpr import TimeExpression, is_background

_OTHER_EVENT = re.compile(r"\b(?:that|which|who|whose|after|following|when)\b", re.IGNORECASE)
_RELATIVE_OPEN = re.compile(r",\s+(?:which|who)\b", re.IGNORECASE)
_COORDINATED = re.compile(r",\s+and\b")
_DESIRE_EXEMPT = re.compile(
    # evacuations are ordered and urged (events); planned, prepared and rumoured ones are not
    r"\b(?:could|might|may|would|will|if|unless|whether|plans?\s+to|planning\s+to|prepar(?:e|es|ed|ing)\s+to|"
    r"rumou?rs?|talk\s+of)\b",
    re.IGNORECASE,
)


def blocking_reason(
    text: str,
    anchor: datetime | None,
    cue: Cue,
    before: str,
    clause_before: str,
    clause_after: str,
    sentence: Sentence,
    clause_start: int,
    clause_end: int,
    times: list[TimeExpression],
) -> str | None:
    # words between the last comma and the cue: an appositive ("Kurakhove, crucial for further advances toward
    # Pokrovsk, was captured") does not hedge the verb after it
    window = " ".join(before.rsplit(",", 1)[-1].split()[-6:])
    hedge = HEDGE.search(window)
    if cue.predicate == "evacuating":
        hedge = _DESIRE_EXEMPT.search(window)
    if hedge:
        return f"hedge: «{hedge.group(0)}»"
    negated = NEGATED_AFTER.match(clause_after)
    if negated:
        return f"negated after the cue: «{negated.group(0).strip()}»"
    around = window + " " + clause_after[:25]
    infinitive = INFINITIVE_CUE.search(around)
    if (
        infinitive
        and cue.predicate != "evacuating"
        and infinitive.start() >= len(window) - 20
        # "continue to hold X": the verb before the infinitive may be inside the cue itself
        and not ABLE_TO.search(around[: infinitive.start()])
    ):
        return f"infinitive (intention, not event): «{infinitive.group(0)}»"
    unconfirmed = NON_CONFIRMATION.search(text[sentence.start : clause_start + len(clause_before)])
    if unconfirmed:
        return f"not confirmed: «{unconfirmed.group(0)}»"
    background = BACKGROUND.search(clause_before) or BACKGROUND.search(clause_after[:60])
    if background:
        return f"background: «{background.group(0)}»"
    cue_start = clause_end - len(clause_after)
    for expression in times:
        if clause_start <= expression.start < clause_end and is_background(expression, anchor):
            if expression.start > cue_start and _OTHER_EVENT.search(text, cue_start, expression.start):
                continue  # "liberated X after an offensive that began in the autumn": another event's time
            if (
                expression.start < cue_start
                and _OTHER_EVENT.search(text, clause_start, expression.start)
                and _COORDINATED.search(text, expression.start, cue_start)
            ):
                continue  # "... after an offensive that began in the autumn, and had also taken X"
            if (
                expression.start < cue_start
                and _RELATIVE_OPEN.search(text, clause_start, expression.start)
                and "," in text[expression.end : cue_start]
            ):
                continue  # "The TNLA, which captured X in August 2024, said its fighters had withdrawn"
            return f"background: «{expression.text}»"
    return None
