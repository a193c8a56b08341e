"""Deterministic identifiers: the same input always yields the same id, so replays overwrite instead of duplicating."""

from __future__ import annotations

import hashlib


def stable_id(*parts: object, length: int = 16) -> str:
    """Hex digest of the parts joined by an unambiguous separator."""
    joined = "\x1f".join(str(part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:length]


def article_id(identity: str) -> str:
    """Article id from its stable identity (canonical URL, else guid, else content hash)."""
    return stable_id("article", identity)


def claim_id(article: str, place: str, predicate: str, start: int, end: int) -> str:
    return stable_id("claim", article, place, predicate, start, end)


def fact_id(article: str, kind: str, start: int, end: int) -> str:
    return stable_id("fact", article, kind, start, end)


def alert_id(place: str, kind: str) -> str:
    """One alert per dispute: the place and the kind of disagreement."""
    return stable_id("alert", place, kind)


def alert_event_id(alert: str, version: int) -> str:
    return stable_id("alert-event", alert, version)
