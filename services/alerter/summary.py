"""One line a person reads first: who says what about where."""

from __future__ import annotations

from collections import Counter

from newsmon.contracts import Alert, Side

PHRASES: dict[str, str] = {
    "captured": "captured",
    "contested": "fighting continues",
    "not_captured": "not captured",
    "withdrawn": "forces withdrew",
    "encircled": "encircled",
    "not_encircled": "not encircled",
    "advancing_toward": "advancing",
    "struck": "struck",
    "evacuating": "evacuating",
}
MAX_SPEAKERS = 2


def _ranked(side: Side) -> list[str]:
    """Named voices before outlets' own, then the voices with the most sources, then the first heard."""
    counts = Counter(source.attributed_to for source in side.sources)
    order = {name: index for index, name in enumerate(side.said_by)}
    return sorted(side.said_by, key=lambda name: (name.lower() == "unattributed", -counts[name], order[name]))


def speakers(side: Side) -> str:
    ranked = _ranked(side)
    names = ranked[:MAX_SPEAKERS]
    extra = len(ranked) - len(names)
    text = ", ".join(names) if names else "unnamed sources"
    return f"{text} +{extra} more" if extra > 0 else text


def _figure(side: Side) -> str:
    value = side.value if side.value is not None else 0.0
    number = f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}"
    return f"{number} {side.unit or ''}".strip()


def summarise(alert: Alert) -> str:
    """E.g. ``Kurakhove: Russia's Defense Ministry says captured; Ukrainian military says fighting continues``."""
    if alert.kind == "numeric_discrepancy":
        names = "–".join(place.name for place in (alert.place, *alert.related_places))
        figures = " vs ".join(f"{_figure(side)} ({speakers(side)})" for side in alert.sides)
        return f"{names}: {figures}"
    parts = [
        f"{speakers(side)} says {PHRASES.get(side.predicate or '', side.predicate or 'something else')}"
        for side in alert.sides
    ]
    line = f"{alert.place.name}: " + "; ".join(parts)
    if alert.status == "resolved" and alert.resolution:
        line += f" — resolved: {alert.resolution}"
    return line
