"""Settings of the enricher: the shared sections plus ``enricher`` (env ``NEWSMON_ENRICHER__*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from newsmon.settings import CommonSettings


class EnricherSection(BaseModel):
    group: str = Field(default="newsmon-enricher", description="Kafka consumer group reading articles.raw")
    batch_max_records: int = Field(default=200, ge=1, description="Most raw articles taken (and committed) at once")
    batch_max_wait_ms: int = Field(default=500, ge=1, description="Longest wait for a batch to fill, in milliseconds")
    gazetteer_cache_dir: Path | None = Field(
        default=None, description="Where the built gazetteer is cached (None: the gazetteer's default cache directory)"
    )
    run_for: float | None = Field(
        default=None, description="Stop after this many seconds (tests, benchmarks); None runs until SIGTERM"
    )


class EnricherSettings(CommonSettings):
    enricher: EnricherSection = Field(default_factory=EnricherSection, description="Extraction service")
