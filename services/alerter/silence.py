"""Muted places: ``newsmon alerts silence PLACE --for 6h`` and what the dispatcher checks before delivering.

Silences live in the compacted topic ``alerts.silences`` keyed by place id (or ``name:<name>`` when no gazetteer
could resolve the name); lifting one writes a tombstone. :class:`SilenceBook` is the dispatcher's in-memory view.
"""

from __future__ import annotations

import importlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from newsmon.contracts.alerts import Alert
from newsmon.contracts.deliveries import PlaceSilence, silence_key
from newsmon.errors import ConfigurationError

log = logging.getLogger(__name__)

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> timedelta:
    """``90s``, ``30m``, ``6h``, ``2d``, ``1w`` or combinations such as ``1h30m``."""
    cleaned = text.strip().replace(" ", "")
    parts = _DURATION_PART.findall(cleaned)
    if not cleaned or "".join(f"{number}{unit}" for number, unit in parts).lower() != cleaned.lower():
        raise ValueError(f"cannot read duration {text!r}; use e.g. 30m, 6h, 2d or 1h30m")
    seconds = sum(float(number) * _UNIT_SECONDS[unit.lower()] for number, unit in parts)
    if seconds <= 0:
        raise ValueError("duration must be positive")
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class ResolvedPlace:
    place_id: str | None
    name: str
    how: str  # "gazetteer", "geonames id" or "name only": shown to the user so they know what was muted

    @property
    def key(self) -> str:
        return silence_key(self.place_id, self.name)


def resolve_place(text: str) -> ResolvedPlace:
    """A geonames id as given, else the enricher's gazetteer reading of the name, else the name itself.

    The name-only form still mutes alerts whose place has that name (case-insensitive).
    """
    text = text.strip()
    if not text:
        raise ConfigurationError("a place name or geonames id is required")
    if text.isdigit():
        return ResolvedPlace(text, text, "geonames id")
    place = _gazetteer_lookup(text)
    if place:
        return ResolvedPlace(place[0], place[1], "gazetteer")
    return ResolvedPlace(None, text, "name only")


def _gazetteer_lookup(text: str) -> tuple[str, str] | None:
    # The enricher's gazetteer is optional here (the dispatcher runs without it), hence the dynamic import.
    try:
        places = importlib.import_module("services.enricher.places")
        load_gazetteer = getattr(places, "load_gazetteer", None)
        if load_gazetteer is None:
            load_gazetteer = importlib.import_module("services.enricher.gazetteer").load_gazetteer
        finder = places.PlaceFinder(load_gazetteer())
    except (ImportError, AttributeError):
        log.debug("enricher gazetteer not available; place %r taken as given", text)
        return None
    except Exception:  # a convenience must never stop an operator muting a place
        log.warning("cannot load the gazetteer; place %r taken as given", text, exc_info=True)
        return None
    try:
        found = finder.resolve_name(text)
    except Exception:
        log.warning("gazetteer lookup of %r failed; taking the place as given", text, exc_info=True)
        return None
    place_id = getattr(found, "id", None)
    name = getattr(found, "name", None)
    if isinstance(place_id, str) and isinstance(name, str):
        return place_id, name
    return None


def new_silence(
    place: ResolvedPlace, duration: timedelta, now: datetime, *, reason: str = "", by: str | None = None
) -> PlaceSilence:
    return PlaceSilence(
        place_id=place.place_id,
        place_name=place.name,
        until=now + duration,
        reason=reason,
        created_at=now,
        created_by=by,
    )


class SilenceBook:
    """The silences in force, fed from the compacted topic (a ``None`` value lifts one)."""

    def __init__(self) -> None:
        self._by_key: dict[str, PlaceSilence] = {}

    def apply(self, key: str, silence: PlaceSilence | None) -> None:
        if silence is None:
            self._by_key.pop(key, None)
        else:
            self._by_key[key] = silence

    def all(self) -> list[PlaceSilence]:
        return sorted(self._by_key.values(), key=lambda s: s.until)

    def keys_for(self, place_id: str | None, name: str) -> set[str]:
        """Keys of the silences on this place, whether made by id or by name."""
        folded = name.strip().casefold()
        return {
            key
            for key, s in self._by_key.items()
            if (place_id and s.place_id == place_id) or s.place_name.casefold() == folded or key == place_id
        }

    def active(self, now: datetime) -> list[PlaceSilence]:
        return sorted((s for s in self._by_key.values() if s.until > now), key=lambda s: s.until)

    def silencing(self, alert: Alert, now: datetime) -> PlaceSilence | None:
        """The silence that mutes this alert now: one on its place or on a related place, by id or by name."""
        places = (alert.place, *alert.related_places)
        keys = {place.id for place in places} | {silence_key(None, place.name) for place in places}
        matching = [self._by_key[key] for key in keys if key in self._by_key and self._by_key[key].until > now]
        return max(matching, key=lambda s: s.until) if matching else None
