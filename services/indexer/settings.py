"""Settings of the indexer: the shared sections plus how it batches, retries and names its indices."""

from __future__ import annotations

from pydantic import BaseModel, Field

from newsmon.settings import CommonSettings


class IndexerSection(BaseModel):
    group: str = Field(default="newsmon-indexer", description="Kafka consumer group of the indexer")
    batch_max_records: int = Field(default=1000, ge=1, description="Records taken from Kafka per bulk request")
    batch_max_wait_ms: int = Field(default=500, ge=1, description="Longest wait for a batch to fill")
    bulk_max_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, description="Largest bulk request body; bigger batches are split"
    )
    retry_initial_backoff: float = Field(default=0.2, gt=0, description="Seconds before the first retry")
    retry_max_backoff: float = Field(default=10.0, gt=0, description="Longest pause between retries")
    shards: int = Field(default=1, ge=1, description="Primary shards of each newly created index")
    replicas: int = Field(default=0, ge=0, description="Replicas of each index (0 on a single node)")
    apply_on_start: bool = Field(
        default=True, description="Install index templates and aliases (like `newsmon es apply`) when starting"
    )
    refresh: bool = Field(
        default=False, description="Refresh after each bulk request (tests and demos; slows indexing down)"
    )


class IndexerSettings(CommonSettings):
    indexer: IndexerSection = Field(default_factory=IndexerSection, description="Indexer")
