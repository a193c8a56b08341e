"""Settings of the alerter: the rules' knobs and the faust worker. Webhook delivery has its own section
(``services/alerter/webhook_settings.py``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, Field

from newsmon.contracts.claims import FactKind
from newsmon.settings import CommonSettings
from newsmon.story import COPY_THRESHOLD
from services.alerter.rules import RuleConfig


class AlerterSection(BaseModel):
    overlap_window_hours: float = Field(
        default=72.0, gt=0, description="Claims further apart than this (by the time they are about) never contradict"
    )
    copy_similarity: float = Field(
        default=COPY_THRESHOLD,
        ge=0,
        le=1,
        description="Story similarity (newsmon.story: MinHash containment) from which two articles are copies",
    )
    numeric_tolerance: float = Field(
        default=0.15, ge=0, description="Relative difference above which two figures about the same places disagree"
    )
    numeric_kinds: tuple[FactKind, ...] = Field(
        default=("distance", "area", "population"),
        description="Kinds of numeric facts compared (casualties and troops are one-sided by nature: left out)",
    )
    history_days: float = Field(default=14.0, gt=0, description="Days of claims kept per place, by about-time")
    max_records: int = Field(default=120, ge=2, description="Most claims and facts kept per place")
    max_story_articles: int = Field(
        default=32, ge=1, description="Articles per place whose story signature is kept for copy detection"
    )
    max_sources_per_side: int = Field(
        default=100, ge=2, description="Sources listed per side of an alert (the first and the latest are kept)"
    )
    max_seen_ids: int = Field(default=2000, ge=1, description="Record ids remembered per place to ignore replays")
    app_id: str = Field(default="newsmon-alerter", description="faust app id: consumer group and changelog prefix")
    web_host: str = Field(default="127.0.0.1", description="Address faust's web server binds to")
    web_port: int = Field(default=0, ge=0, description="Port of faust's web server (0 picks a free one)")
    data_dir: Path = Field(default=Path(".newsmon/alerter"), description="faust's local data directory")
    replication_factor: int = Field(
        default=1, ge=1, description="Replication factor of the topics the alerter creates (changelog included)"
    )
    table_partitions: int = Field(
        default=6, ge=1, description="Partitions of the state table's changelog (must match claims.by-place)"
    )
    compress_state: bool = Field(
        default=False, description="Write each place's state to the changelog zlib-compressed (less disk, more CPU)"
    )
    batch_size: int = Field(
        default=500, ge=1, description="Most claims the worker takes from the stream at once (state written once each)"
    )
    batch_within_seconds: float = Field(
        default=0.05, gt=0, description="Longest the worker waits to fill a batch before processing what it has"
    )

    def rule_config(self) -> RuleConfig:
        return RuleConfig(
            overlap_window=timedelta(hours=self.overlap_window_hours),
            copy_similarity=self.copy_similarity,
            numeric_tolerance=self.numeric_tolerance,
            numeric_kinds=self.numeric_kinds,
            history_window=timedelta(days=self.history_days),
            max_records=self.max_records,
            max_story_articles=self.max_story_articles,
            max_sources_per_side=self.max_sources_per_side,
            max_seen_ids=self.max_seen_ids,
        )


class AlerterSettings(CommonSettings):
    alerter: AlerterSection = Field(default_factory=AlerterSection, description="Contradiction rules and faust worker")
