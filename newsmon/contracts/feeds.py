"""The ingestor's memory of each feed, kept in a compacted topic so it survives restarts and moves."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from newsmon.contracts.base import AwareDatetime, Contract
from newsmon.contracts.claims import SCHEMA_VERSION


class FeedState(Contract):
    schema_version: Literal[1] = SCHEMA_VERSION
    feed: str = Field(description="Feed URL: the key in feeds.state")
    etag: str | None = None
    last_modified: str | None = None
    seen_ids: tuple[str, ...] = Field(default=(), description="Article ids already produced, newest last, bounded")
    failures: int = Field(default=0, ge=0, description="Consecutive failed polls")
    last_error: str | None = None
    last_polled: AwareDatetime | None = None
    next_poll: AwareDatetime | None = None
