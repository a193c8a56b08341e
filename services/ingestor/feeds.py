"""The feed list: ``deploy/feeds.yaml`` and OPML import (the format every feed reader exports)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from newsmon.errors import ConfigurationError
from services.ingestor.identity import canonical_url

DEFAULT_INTERVAL = 900.0


class FeedConfig(BaseModel):
    """One feed to poll."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str = Field(description="Feed URL (RSS, Atom or RDF)")
    name: str = Field(default="", description="Display name; the feed's own title is used when empty")
    interval: float = Field(default=DEFAULT_INTERVAL, gt=0, description="Seconds between polls when all is well")
    tags: tuple[str, ...] = Field(default=(), description="Tags copied onto every article of the feed")
    language: str | None = Field(default=None, description="ISO 639-1 code, when the feed does not say")

    @field_validator("url")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("a feed needs a url")
        return value


class FeedList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: dict[str, Any] = Field(default_factory=dict, description="Values applied to every feed")
    feeds: list[FeedConfig] = Field(default_factory=list)


def parse_feed_list(text: str, *, source: str = "feeds.yaml") -> list[FeedConfig]:
    """Read a feed list; ``defaults`` apply to every entry that does not set the field itself."""
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{source}: not valid YAML: {exc}") from exc
    if isinstance(raw, list):
        raw = {"feeds": raw}
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{source}: expected a mapping with a 'feeds' list")
    defaults = raw.get("defaults") or {}
    entries = []
    for index, entry in enumerate(raw.get("feeds") or []):
        if isinstance(entry, str):
            entry = {"url": entry}
        if not isinstance(entry, dict):
            raise ConfigurationError(f"{source}: feeds[{index}] must be a URL or a mapping")
        entries.append({**defaults, **entry})
    try:
        feed_list = FeedList(defaults=defaults, feeds=entries)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigurationError(f"{source}: {exc}") from exc
    return dedupe(feed_list.feeds)


def load_feeds(path: Path) -> list[FeedConfig]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read the feed list {path}: {exc}") from exc
    return parse_feed_list(text, source=str(path))


def dedupe(feeds: Iterable[FeedConfig]) -> list[FeedConfig]:
    """First entry wins among feeds whose URLs are the same once canonicalised."""
    seen: set[str] = set()
    unique = []
    for feed in feeds:
        key = canonical_url(feed.url)
        if key not in seen:
            seen.add(key)
            unique.append(feed)
    return unique


def parse_opml(data: bytes, *, default_interval: float = DEFAULT_INTERVAL) -> list[FeedConfig]:
    """Feeds of an OPML subscription list; the names of enclosing folders become tags."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ConfigurationError(f"not an OPML file: {exc}") from exc
    if root is None or root.find("body") is None:
        raise ConfigurationError("not an OPML file: no <body>")
    feeds: list[FeedConfig] = []

    def walk(element: Any, folders: tuple[str, ...]) -> None:
        for outline in element.iterfind("outline"):
            url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
            label = (outline.get("title") or outline.get("text") or "").strip()
            if url:
                language = (outline.get("language") or "").strip()[:2].lower() or None
                feeds.append(
                    FeedConfig(url=url, name=label, interval=default_interval, tags=folders, language=language)
                )
            walk(outline, (*folders, label) if (label and not url) else folders)

    walk(root.find("body"), ())
    return dedupe(feeds)


def merge(existing: Sequence[FeedConfig], new: Iterable[FeedConfig]) -> tuple[list[FeedConfig], list[FeedConfig]]:
    """The existing list plus the new feeds it lacks; also returns what was added."""
    known = {canonical_url(feed.url) for feed in existing}
    added = [feed for feed in dedupe(new) if canonical_url(feed.url) not in known]
    return [*existing, *added], added


def dump_feed_list(feeds: Sequence[FeedConfig]) -> str:
    entries = []
    for feed in feeds:
        entry: dict[str, Any] = {"url": feed.url}
        if feed.name:
            entry["name"] = feed.name
        if feed.interval != DEFAULT_INTERVAL:
            entry["interval"] = feed.interval
        if feed.tags:
            entry["tags"] = list(feed.tags)
        if feed.language:
            entry["language"] = feed.language
        entries.append(entry)
    header = "# Feeds polled by `newsmon ingest`. Add one with `newsmon feeds import FILE.opml` or by hand.\n"
    return header + yaml.safe_dump({"feeds": entries}, sort_keys=False, allow_unicode=True, width=120)
