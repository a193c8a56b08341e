"""Records that could not be processed, kept with the reason instead of being lost."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from newsmon.contracts.base import AwareDatetime, Contract
from newsmon.contracts.claims import SCHEMA_VERSION

Service = Literal["ingestor", "enricher", "indexer", "alerter", "dispatcher"]


class DeadLetter(Contract):
    schema_version: Literal[1] = SCHEMA_VERSION
    id: str = Field(description="hash(service, stage, source key or URL, reason kind)")
    service: Service
    stage: str = Field(
        description="Where it failed: fetch_feed, parse_feed, fetch_article, decode, index, deliver, ..."
    )
    error_kind: str = Field(description="Short machine-readable category, e.g. timeout, too_large, http_404")
    reason: str = Field(description="Human-readable explanation")
    occurred_at: AwareDatetime
    feed: str | None = None
    url: str | None = None
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    payload: str | None = Field(default=None, description="The original record, as text (base64 if not UTF-8)")
    payload_encoding: Literal["utf-8", "base64"] | None = None
    subscriber: str | None = Field(default=None, description="Webhook subscriber name, for delivery failures")
    attempts: int = 1
