"""SIGTERM in the middle of a run: the enricher (as a process) loses nothing and duplicates nothing."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from newsmon.contracts import RawArticle
from newsmon.kafka import encode
from newsmon.ops.shutdown_check import check_graceful_shutdown
from services.enricher.app import ensure_topics
from services.enricher.settings import EnricherSettings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"
NEWSMON = Path(sys.executable).with_name("newsmon")


def _articles(count: int) -> list[RawArticle]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    return [
        RawArticle(id=f"shutdown-{n}", url=f"https://seeds.example/{n}", source="seed",
                   published=datetime.fromisoformat("2025-01-07T12:00:00+00:00"), text=texts[n % len(texts)])
        for n in range(count)
    ]  # fmt: skip


async def test_sigterm_mid_run_loses_and_duplicates_nothing(
    kafka_bootstrap: str, common_settings: Callable[..., Any]
) -> None:
    settings: EnricherSettings = common_settings(EnricherSettings)
    prefix = settings.kafka.topic_prefix
    await ensure_topics(settings.kafka)
    articles = _articles(60)

    result = await check_graceful_shutdown(
        kafka=settings.kafka.model_copy(update={"topic_prefix": ""}),
        command=[str(NEWSMON), "enrich"],
        env={
            "NEWSMON_KAFKA__BOOTSTRAP": kafka_bootstrap,
            "NEWSMON_KAFKA__TOPIC_PREFIX": prefix,
            "NEWSMON_ENRICHER__BATCH_MAX_RECORDS": "4",
            "NEWSMON_METRICS__ENABLED": "false",
        },
        input_topic=f"{prefix}articles.raw",
        output_topic=f"{prefix}articles.enriched",
        group=settings.enricher.group,
        records=[(a.id.encode(), encode(a)) for a in articles],
        output_identity=lambda record: record.key.decode() if record.key else "",
        stop_after=8,
        time_limit=180.0,
    )

    result.assert_exactly_once()
    stop = result.first_stop_seconds
    print(f"\nfirst stop after {result.outputs_at_first_stop} of {result.inputs} articles, in {stop:.2f} s")
    assert result.outputs_at_first_stop < result.inputs, "the stop should land mid-run"
    assert result.committed_at_first_stop == result.outputs_at_first_stop
    assert "stopped cleanly" in result.logs[0]
