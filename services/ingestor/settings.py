"""Settings of the ingestor: the shared sections plus ``ingestor`` (env ``NEWSMON_INGESTOR__*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from newsmon.settings import CommonSettings


class IngestorSection(BaseModel):
    feeds_file: Path = Field(default=Path("deploy/feeds.yaml"), description="The feed list (YAML) to poll")
    transactional_id: str = Field(
        default="newsmon-ingestor",
        description="Kafka transactional.id of this instance (prefixed with the topic prefix); one per instance",
    )
    fetch_pages: bool = Field(
        default=True, description="Fetch each new item's page and extract its text (else keep the feed summary)"
    )
    max_seen_ids: int = Field(default=2000, ge=10, description="Article ids remembered per feed (newest kept)")
    max_concurrent_polls: int = Field(default=64, ge=1, description="Feeds polled at the same time")
    max_concurrent_pages: int = Field(default=16, ge=1, description="Article pages fetched at the same time")
    chunk_size: int = Field(
        default=50, ge=1, description="New articles written per Kafka transaction (the feed's state goes with them)"
    )
    commit_batch: int = Field(
        default=200, ge=1, description="Most poll results (articles + state) committed in one Kafka transaction"
    )
    commit_linger: float = Field(
        default=0.05, ge=0, description="Seconds to wait for more poll results before committing a transaction"
    )
    jitter: float = Field(default=0.1, ge=0, le=0.5, description="Fraction of the poll interval randomised")
    backoff_base: float = Field(default=60.0, gt=0, description="Seconds before re-polling after a first failure")
    max_backoff: float = Field(default=6 * 3600.0, gt=0, description="Longest wait between polls of a failing feed")
    default_interval: float = Field(default=900.0, gt=0, description="Poll interval of feeds that set none")
    run_for: float | None = Field(
        default=None, description="Stop after this many seconds (tests, benchmarks); None runs until SIGTERM"
    )


class IngestorSettings(CommonSettings):
    ingestor: IngestorSection = Field(default_factory=IngestorSection, description="Feed polling")
