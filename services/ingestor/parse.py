"""Feed parsing with feedparser: items with stable ids, and a report of every problem met on the way.

feedparser recovers items from many ill-formed feeds (it then sets ``bozo``); those items are kept and the
problem is reported, never hidden. Nothing here does I/O.
"""

from __future__ import annotations

import calendar
import codecs
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
import lxml.html  # type: ignore[import-untyped]  # lxml ships no type information
from lxml import etree

from services.ingestor.identity import article_id, canonical_url, item_identity

logger = logging.getLogger(__name__)

_PROLOG_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")
_DROP_TAGS = ("script", "style", "noscript", "iframe", "object", "embed", "applet", "meta", "template")
_PARAGRAPH_TAGS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section", "article")
_LINE_TAGS = ("br", "li", "tr")
_HTML_HINT = re.compile(r"<[A-Za-z!/][^>]*>|&[#A-Za-z0-9]+;")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_UNSAFE_TEXT = re.compile(r"<\s*/?\s*(script|iframe|object|embed|applet|meta)\b[^>]*>?|javascript:", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    kind: str
    """ill_formed, encoding_mismatch, content_type, not_a_feed, no_items, missing_date, unparsed_date,
    no_link, duplicate_item, parser_error"""
    message: str
    item: int | None = None
    """Index of the item concerned (0-based), None for the feed as a whole."""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "item": self.item}


@dataclass(frozen=True)
class FeedItem:
    identity: str
    id: str
    guid: str | None
    link: str | None
    """Absolute link as the feed gives it (fetch this); ``url`` is its canonical form (store this)."""
    url: str | None
    title: str
    summary: str
    """Plain text of the richest body the feed carries (content, else summary)."""
    published: datetime | None
    published_raw: str | None
    author: str | None
    tags: tuple[str, ...]
    language: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "identity": self.identity,
            "guid": self.guid,
            "link": self.link,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "published_raw": self.published_raw,
            "author": self.author,
            "language": self.language,
        }


@dataclass(frozen=True)
class ParsedFeed:
    url: str
    title: str
    version: str
    encoding: str
    language: str | None
    items: tuple[FeedItem, ...]
    problems: tuple[Problem, ...] = field(default=())

    @property
    def usable(self) -> bool:
        return bool(self.items)

    def failure(self) -> Problem | None:
        """The problem that made the feed yield nothing, when it did."""
        if self.items:
            return None
        for kind in ("not_a_feed", "parser_error", "no_items"):
            for problem in self.problems:
                if problem.kind == kind:
                    return problem
        return Problem("no_items", "the feed has no items")


def html_to_text(value: str) -> str:
    """Plain text of an HTML fragment: scripts and styles dropped, blocks on their own lines."""
    if not value:
        return ""
    if not _HTML_HINT.search(value):
        return _tidy(value)
    try:
        root = lxml.html.fragment_fromstring(value, create_parent="div")
    except (etree.ParserError, ValueError):
        return _tidy(_UNSAFE_TEXT.sub("", value))
    for element in root.iter(*_DROP_TAGS):
        element.drop_tree()
    for element in root.iter(*_PARAGRAPH_TAGS):
        element.tail = "\n\n" + (element.tail or "")
    for element in root.iter(*_LINE_TAGS):
        element.tail = "\n" + (element.tail or "")
    text = root.text_content()
    # An escaped tag inside the text (``&lt;script&gt;``) decodes to markup: never let it through.
    return _tidy(_UNSAFE_TEXT.sub("", text))


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\xa0", " ").splitlines())
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def language_code(value: str | None) -> str | None:
    """ISO 639-1 code from ``en-US``, ``en_gb``, ``EN``; None when it does not look like one."""
    if not value:
        return None
    code = re.split(r"[-_]", value.strip())[0].lower()
    return code if re.fullmatch(r"[a-z]{2}", code) else None


def _declared_encoding(body: bytes) -> str | None:
    match = _PROLOG_ENCODING.match(body[:512])
    return match.group(1).decode("ascii") if match else None


def _same_encoding(a: str, b: str) -> bool:
    try:
        return codecs.lookup(a).name == codecs.lookup(b).name
    except LookupError:
        return a.lower() == b.lower()


def _struct_to_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None


_MERIDIEM = re.compile(r"\b(\d{1,2}):\d{2}(?::\d{2})?\s*([AaPp])\.?[Mm]\b")
_ZONE = re.compile(r"(?:[+-]\d{2}:?\d{2}|\b(?:GMT|UTC|UT|Z|[ECMP][SD]T)\b)\s*$")


def _twelve_hour_clock(parsed: datetime, raw: str, index: int, problems: list[Problem]) -> datetime:
    """feedparser reads ``02:02:33 PM`` as 02:02: fix the hour, and say when the date names no time zone."""
    match = _MERIDIEM.search(raw)
    if not match:
        return parsed
    hour, meridiem = int(match.group(1)), match.group(2).lower()
    if meridiem == "p" and hour < 12 and parsed.hour == hour:
        parsed = parsed.replace(hour=hour + 12)
    elif meridiem == "a" and hour == 12 and parsed.hour == 12:
        parsed = parsed.replace(hour=0)
    if not _ZONE.search(raw):
        problems.append(Problem("date_without_zone", f"date {raw!r} names no time zone: read as UTC", index))
    return parsed


_LOCAL_NAMES = {
    # Portuguese, Spanish, French, German and Italian day and month abbreviations that differ from English.
    "seg": "Mon",
    "ter": "Tue",
    "qua": "Wed",
    "qui": "Thu",
    "sex": "Fri",
    "sáb": "Sat",
    "sab": "Sat",
    "dom": "Sun",
    "lun": "Mon",
    "mar": "Tue",
    "mié": "Wed",
    "mie": "Wed",
    "jue": "Thu",
    "vie": "Fri",
    "mer": "Wed",
    "jeu": "Thu",
    "ven": "Fri",
    "sam": "Sat",
    "dim": "Sun",
    "mo": "Mon",
    "di": "Tue",
    "mi": "Wed",
    "do": "Thu",
    "fr": "Fri",
    "sa": "Sat",
    "so": "Sun",
    "gio": "Thu",
    "fev": "Feb",
    "abr": "Apr",
    "mai": "May",
    "ago": "Aug",
    "set": "Sep",
    "out": "Oct",
    "dez": "Dec",
    "ene": "Jan",
    "dic": "Dec",
    "janv": "Jan",
    "févr": "Feb",
    "mars": "Mar",
    "avr": "Apr",
    "juin": "Jun",
    "juil": "Jul",
    "août": "Aug",
    "sept": "Sep",
    "déc": "Dec",
    "mär": "Mar",
    "okt": "Oct",
    "gen": "Jan",
    "mag": "May",
    "giu": "Jun",
    "lug": "Jul",
    "ott": "Oct",
}
_WORD = re.compile(r"[^\W\d_]+\.?", re.UNICODE)


def _localized_rfc822(raw: str) -> datetime | None:
    """An RFC 822 date written with day and month names of another language (``Seg, 24 Set 2018 …``)."""

    def english(match: re.Match[str]) -> str:
        word = match.group(0).rstrip(".")
        return _LOCAL_NAMES.get(word.lower(), word)

    try:
        parsed = parsedate_to_datetime(_WORD.sub(english, raw.strip()))
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _bozo_problem(exception: BaseException | None) -> Problem:
    name = type(exception).__name__ if exception is not None else "unknown"
    message = str(exception) if exception is not None else "feedparser flagged the feed as ill-formed"
    if name == "CharacterEncodingOverride":
        return Problem("encoding_mismatch", f"declared encoding was wrong, feedparser used another: {message}")
    if name == "CharacterEncodingUnknown":
        return Problem("encoding_mismatch", f"unknown character encoding: {message}")
    if name == "NonXMLContentType":
        return Problem("content_type", f"served with a non-XML Content-Type: {message}")
    return Problem("ill_formed", f"ill-formed XML, items recovered by the lenient parser: {name}: {message}")


def parse_feed(
    body: bytes,
    *,
    url: str,
    headers: dict[str, str] | None = None,
) -> ParsedFeed:
    """Parse one feed document fetched from ``url`` (the final URL, after redirects)."""
    response_headers = {name.lower(): value for name, value in (headers or {}).items()}
    # Relative links resolve against the document's address unless the server named another one.
    response_headers["content-location"] = urljoin(url, response_headers.get("content-location", "")) or url
    response_headers.setdefault("content-type", "application/xml")
    problems: list[Problem] = []
    try:
        document = feedparser.parse(body, response_headers=response_headers, sanitize_html=True)
    except Exception as exc:  # feedparser is lenient; a crash inside it must not take the ingestor down
        logger.warning("feedparser failed on %s: %s", url, exc, exc_info=True)
        return ParsedFeed(url, "", "", "", None, (), (Problem("parser_error", f"{type(exc).__name__}: {exc}"),))
    entries = document.get("entries") or []
    version = document.get("version") or ""
    if document.get("bozo"):
        problems.append(_bozo_problem(document.get("bozo_exception")))
    used = document.get("encoding") or ""
    declared = _declared_encoding(body)
    already = any(p.kind == "encoding_mismatch" for p in problems)
    if declared and used and not already and not _same_encoding(declared, used):
        problems.append(
            Problem("encoding_mismatch", f"the XML prolog declares {declared} but the text was read as {used}")
        )
    channel = document.get("feed") or {}
    if not entries:
        if not version and not channel.get("title"):
            problems.append(Problem("not_a_feed", _not_a_feed_reason(body, response_headers)))
        else:
            problems.append(Problem("no_items", "the feed parsed but contains no items"))
    feed_language = language_code(channel.get("language"))
    items: list[FeedItem] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        item = _item(url, entry, index, feed_language, problems)
        if item.id in seen:
            problems.append(Problem("duplicate_item", f"another item has the same identity {item.identity}", index))
            continue
        seen.add(item.id)
        items.append(item)
    return ParsedFeed(
        url=url,
        title=html_to_text(channel.get("title") or ""),
        version=version,
        encoding=used,
        language=feed_language,
        items=tuple(items),
        problems=tuple(problems),
    )


def _not_a_feed_reason(body: bytes, headers: dict[str, str]) -> str:
    content_type = headers.get("content-type", "?")
    head = body[:512].lstrip().lower()
    if not body.strip():
        return "empty response body"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return f"an HTML page, not a feed (Content-Type {content_type})"
    return f"no RSS, Atom or RDF document found (Content-Type {content_type})"


def _item(feed_url: str, entry: Any, index: int, feed_language: str | None, problems: list[Problem]) -> FeedItem:
    guid = (entry.get("id") or "").strip() or None
    link = (entry.get("link") or "").strip() or None
    if link and not link.lower().startswith(("http://", "https://")):
        link = urljoin(feed_url, link) if "://" not in link else None
        if link and not link.lower().startswith(("http://", "https://")):
            link = None
    title = html_to_text(entry.get("title") or "")
    contents = [c.get("value", "") for c in entry.get("content") or [] if c.get("value")]
    summary_html = max([entry.get("summary") or "", *contents], key=len)
    summary = html_to_text(summary_html)
    published = _struct_to_datetime(entry.get("published_parsed") or entry.get("updated_parsed"))
    published_raw = entry.get("published") or entry.get("updated") or None
    if published is not None and published_raw:
        published = _twelve_hour_clock(published, published_raw, index, problems)
    if published is None and published_raw:
        published = _localized_rfc822(published_raw)
    if published is None:
        if published_raw:
            problems.append(Problem("unparsed_date", f"date {published_raw!r} could not be parsed", index))
        else:
            problems.append(Problem("missing_date", "item has no date", index))
    if link is None and guid is None:
        problems.append(Problem("no_link", "item has neither guid nor link: identified by its content", index))
    identity = item_identity(feed_url, guid=guid, link=link, title=title, summary=summary, published=published_raw)
    terms = (html_to_text(t.get("term") or "") for t in entry.get("tags") or [])
    tags = tuple(dict.fromkeys(term for term in terms if term))
    author = html_to_text(entry.get("author") or "") or None
    language = language_code((entry.get("title_detail") or {}).get("language")) or feed_language
    return FeedItem(
        identity=identity,
        id=article_id(identity),
        guid=guid,
        link=link,
        url=canonical_url(link) if link else None,
        title=title,
        summary=summary,
        published=published,
        published_raw=published_raw,
        author=author,
        tags=tags,
        language=language,
    )
