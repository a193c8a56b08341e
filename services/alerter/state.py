"""What the alerter remembers about one place: recent claims and facts, the alerts raised, the records already seen.

Serialisable (pydantic), so the faust table stores it through the codec and recovers it from the changelog.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, cast

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from newsmon.contracts import Alert, Claim, NumericFact, StorySignature
from services.alerter.rules import RuleConfig, claim_time

PlaceRecord = Annotated[Claim | NumericFact, Field(discriminator="type")]


class AlertMemory(BaseModel):
    """An alert as last emitted, with the about-time of the claim that resolved it (if it is resolved)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alert: Alert
    resolved_at: datetime | None = Field(default=None, description="About-time of the settling claim")


class ArticleStory(BaseModel):
    """The story signature of one article, kept once however many of its claims the place holds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    article_id: str
    story: StorySignature


class _RecordIndex:
    """What a state derives from its ``records``, computed once per tuple and carried to the next state: each
    record's time and article id (aligned with the records), the oldest known time, the claims and the facts."""

    __slots__ = ("articles", "claims", "facts", "oldest", "records", "times")

    def __init__(
        self,
        records: tuple[Claim | NumericFact, ...],
        times: tuple[datetime | None, ...],
        articles: tuple[str, ...],
        oldest: datetime | None,
    ) -> None:
        self.records = records
        self.times = times
        self.articles = articles
        self.oldest = oldest
        self.claims: tuple[Claim, ...] | None = None
        self.facts: tuple[NumericFact, ...] | None = None

    @classmethod
    def of(cls, records: tuple[Claim | NumericFact, ...]) -> _RecordIndex:
        times = tuple(claim_time(record) for record in records)
        known = [time for time in times if time is not None]
        return cls(records, times, tuple(r.article.article_id for r in records), min(known) if known else None)

    # A cache, not part of the state's value: pydantic compares private attributes, states compare by their fields.
    def __eq__(self, other: object) -> bool:
        return other is None or isinstance(other, _RecordIndex)

    __hash__ = None  # type: ignore[assignment]


class _SeenIndex:
    """The seen ids of one ``seen_ids`` tuple as a set. ``remember`` moves the set on to the next tuple (adding
    the new id, dropping the ids cut off) instead of building it again; the old tuple then has none."""

    __slots__ = ("ids", "members")

    def __init__(self, ids: tuple[str, ...] | None, members: set[str]) -> None:
        self.ids = ids
        self.members = members

    def __eq__(self, other: object) -> bool:  # a cache, as _RecordIndex
        return other is None or isinstance(other, _SeenIndex)

    __hash__ = None  # type: ignore[assignment]


class PlaceState(BaseModel):
    """Bounded history of one place (the key of ``claims.by-place``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    place_id: str
    records: tuple[PlaceRecord, ...] = Field(
        default=(), description="Claims and facts in arrival order, stored without their story signature"
    )
    stories: tuple[ArticleStory, ...] = Field(default=(), description="Signatures of the latest articles, oldest first")
    alerts: tuple[AlertMemory, ...] = ()
    seen_ids: tuple[str, ...] = Field(default=(), description="Record ids already processed, newest last")
    newest_time: datetime | None = Field(default=None, description="Latest about-time seen at this place")

    # Derived from the fields above, never serialised; each checks that it belongs to this state's tuple (a copy
    # made with other records or ids shares the object but not the tuple).
    _record_index: _RecordIndex | None = PrivateAttr(default=None)
    _seen_index: _SeenIndex | None = PrivateAttr(default=None)

    def _private(self) -> dict[str, Any]:
        """The private attributes, read per record: pydantic's attribute access to them goes through a slow
        ``__getattr__``, their own dict does not."""
        return cast("dict[str, Any]", self.__pydantic_private__)

    def has_seen(self, record_id: str) -> bool:
        seen = self._seen_members()
        return record_id in seen if seen is not None else record_id in self.seen_ids

    def _seen_members(self) -> set[str] | None:
        """The seen ids as a set, when they hold no duplicate (``remember`` alone never makes one)."""
        index: _SeenIndex | None = self._private()["_seen_index"]
        if index is not None and index.ids is self.seen_ids:
            return index.members
        members = set(self.seen_ids)
        if len(members) != len(self.seen_ids):
            return None
        self._private()["_seen_index"] = _SeenIndex(self.seen_ids, members)
        return members

    def _records(self) -> _RecordIndex:
        index: _RecordIndex | None = self._private()["_record_index"]
        if index is None or index.records is not self.records:
            index = self._private()["_record_index"] = _RecordIndex.of(self.records)
        return index

    def alert(self, alert_id: str) -> AlertMemory | None:
        for memory in self.alerts:
            if memory.alert.id == alert_id:
                return memory
        return None

    def story_map(self) -> dict[str, StorySignature]:
        return {entry.article_id: entry.story for entry in self.stories}

    @property
    def claims(self) -> tuple[Claim, ...]:
        index = self._records()
        if index.claims is None:
            index.claims = tuple(record for record in self.records if isinstance(record, Claim))
        return index.claims

    @property
    def facts(self) -> tuple[NumericFact, ...]:
        index = self._records()
        if index.facts is None:
            index.facts = tuple(record for record in self.records if isinstance(record, NumericFact))
        return index.facts


def remember(state: PlaceState, record: Claim | NumericFact, config: RuleConfig) -> PlaceState:
    """The state with ``record`` added and everything outside the history window or over the limits dropped.

    The record is kept without its story signature (kilobytes, and the same for every claim of an article): the
    signature is kept once per article, for the ``max_story_articles`` latest articles.
    """
    time = claim_time(record)
    article_id = record.article.article_id
    newest = state.newest_time
    if time is not None and (newest is None or time > newest):
        newest = time
    stories = state.stories
    # an article's records arrive together: its story, if kept, is most likely the last one
    if record.story is not None and not any(entry.article_id == article_id for entry in reversed(stories)):
        stories = (*stories, ArticleStory(article_id=article_id, story=record.story))
    stored = record.model_copy(update={"story": None}) if record.story is not None else record
    known = state._records()
    records = (*state.records, stored)
    times = (*known.times, time)
    articles = (*known.articles, article_id)
    oldest = known.oldest if time is None or (known.oldest is not None and known.oldest <= time) else time
    if newest is not None and oldest is not None and oldest < newest - config.history_window:
        horizon = newest - config.history_window
        kept = [i for i, t in enumerate(times) if t is None or t >= horizon]
        records = tuple(records[i] for i in kept)
        times = tuple(times[i] for i in kept)
        articles = tuple(articles[i] for i in kept)
        oldest = None  # recomputed below
    if len(records) > config.max_records or (config.max_records <= 0 and records):
        cut = len(records) - len(records[-config.max_records :])
        if oldest is not None and not all(t is None or t > oldest for t in times[:cut]):
            oldest = None  # the oldest time may have gone with them
        records, times, articles = records[cut:], times[cut:], articles[cut:]
    if oldest is None:
        remaining = [t for t in times if t is not None]
        oldest = min(remaining) if remaining else None
    kept_articles = set(articles)
    stories = tuple(entry for entry in stories if entry.article_id in kept_articles)[-config.max_story_articles :]
    seen = (*state.seen_ids, record.id)[-config.max_seen_ids :]
    new_state = state.model_copy(
        update={"records": records, "stories": stories, "seen_ids": seen, "newest_time": newest}
    )
    derived = new_state._private()
    derived["_record_index"] = _RecordIndex(records, times, articles, oldest)
    derived["_seen_index"] = _carry_seen(state, record.id, seen)
    return new_state


def _carry_seen(state: PlaceState, record_id: str, seen: tuple[str, ...]) -> _SeenIndex | None:
    """The set of ``state``'s seen ids turned into that of ``seen`` (its ids, ``record_id``, the oldest cut off)."""
    index: _SeenIndex | None = state._private()["_seen_index"]
    if index is None or index.ids is not state.seen_ids or record_id in index.members:
        return None
    cut = len(state.seen_ids) + 1 - len(seen)
    if not 0 <= cut <= len(state.seen_ids) or (seen and seen[-1] != record_id):
        return None
    members = index.members
    index.ids, index.members = None, set()  # the set moves on: the old tuple's states build their own if asked
    members.add(record_id)
    members.difference_update(state.seen_ids[:cut])
    return _SeenIndex(seen, members)


def with_alert(state: PlaceState, memory: AlertMemory, max_alerts: int = 64) -> PlaceState:
    others = tuple(m for m in state.alerts if m.alert.id != memory.alert.id)
    alerts = (*others, memory)[-max_alerts:]
    return state.model_copy(update={"alerts": alerts})
