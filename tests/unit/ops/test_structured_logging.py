"""JSON log lines with correlation fields, and the fields carried across Kafka and HTTP headers."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from newsmon.logging import (
    bind_context,
    configure_logging,
    context_from_headers,
    context_from_http_headers,
    correlation_headers,
    correlation_http_headers,
    current_context,
)
from newsmon.settings import LoggingSettings


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    level = logging.getLogger().level
    configure_logging("enricher", LoggingSettings(level="INFO"), stream=stream)
    yield stream
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == "newsmon":
            root.removeHandler(handler)
    root.setLevel(level)
    structlog.reset_defaults()


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_stdlib_records_become_json_with_service_level_time_and_context(log_stream: io.StringIO) -> None:
    log = logging.getLogger("services.enricher.app")
    with bind_context(article_id="a1b2", feed="https://a.example/rss"):
        log.info("enriched %d claims", 3, extra={"places": 2})
    log.debug("not shown at INFO")

    [line] = lines(log_stream)
    assert line["event"] == "enriched 3 claims"
    assert line["service"] == "enricher"
    assert line["level"] == "info"
    assert line["article_id"] == "a1b2"
    assert line["feed"] == "https://a.example/rss"
    assert line["places"] == 2
    assert str(line["timestamp"]).endswith("Z")


def test_structlog_loggers_share_the_output(log_stream: io.StringIO) -> None:
    with bind_context(alert_id="al-9"):
        structlog.get_logger("services.alerter.rules").warning("contradiction", place="2643743")
    [line] = lines(log_stream)
    assert line == line | {"event": "contradiction", "alert_id": "al-9", "place": "2643743", "level": "warning"}


def test_context_ends_with_the_block_and_nests() -> None:
    with bind_context(feed="f"):
        with bind_context(article_id="a", alert_id=None):
            assert current_context() == {"feed": "f", "article_id": "a"}
        assert current_context() == {"feed": "f"}
    assert current_context() == {}


async def test_context_follows_into_tasks_created_inside_the_block() -> None:
    async def seen() -> dict[str, object]:
        return current_context()

    with bind_context(article_id="a7"):
        task = asyncio.create_task(seen())
    assert await task == {"article_id": "a7"}


def test_kafka_headers_round_trip() -> None:
    with bind_context(article_id="a1", feed="https://a.example/rss", alert_id="x"):
        headers = correlation_headers()
    assert headers == [
        ("newsmon-article-id", b"a1"),
        ("newsmon-feed", b"https://a.example/rss"),
        ("newsmon-alert-id", b"x"),
    ]
    foreign = [("traceparent", b"00-abc"), ("newsmon-unknown", b"1"), ("newsmon-feed", None)]
    assert context_from_headers(headers + foreign) == {
        "article_id": "a1",
        "feed": "https://a.example/rss",
        "alert_id": "x",
    }
    assert context_from_headers(None) == {}
    assert correlation_headers() == []


def test_http_headers_round_trip() -> None:
    with bind_context(alert_id="al-1"):
        headers = correlation_http_headers()
    assert headers == {"Newsmon-Alert-Id": "al-1"}
    assert context_from_http_headers({"newsmon-alert-id": "al-1", "content-type": "x"}) == {"alert_id": "al-1"}


def test_configuring_twice_does_not_duplicate_lines(log_stream: io.StringIO) -> None:
    configure_logging("enricher", LoggingSettings(), stream=log_stream)
    logging.getLogger("x").warning("once")
    assert len(lines(log_stream)) == 1


def test_console_format_for_humans_keeps_the_fields() -> None:
    stream = io.StringIO()
    level = logging.getLogger().level
    configure_logging("ingestor", LoggingSettings(format="console", level="DEBUG"), stream=stream)
    try:
        with bind_context(feed="https://a.example/rss"):
            logging.getLogger("services.ingestor.poll").debug("polled")
    finally:
        for handler in list(logging.getLogger().handlers):
            if handler.get_name() == "newsmon":
                logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
        structlog.reset_defaults()
    line = stream.getvalue()
    assert "polled" in line
    assert "feed=https://a.example/rss" in line
    assert "service=ingestor" in line
