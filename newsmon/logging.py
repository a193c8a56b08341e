"""Structured logs: JSON lines with the service, level, time and the correlation ids of the current work.

Configure once, at the entry point::

    configure_logging("enricher", settings.logging)

Modules keep using ``logging.getLogger(__name__)``; their records come out as JSON with the fields below added.

Correlation fields (``article_id``, ``feed``, ``alert_id``, and any other keyword) live in a context variable, so
they follow the work through ``await`` and into tasks created inside the block::

    with bind_context(article_id=article.id, feed=article.feed):
        log.info("enriched article")           # → {"event": "enriched article", "article_id": "…", "feed": "…"}

They cross process boundaries as Kafka headers (``newsmon-article-id``, ``newsmon-feed``, ``newsmon-alert-id``)::

    await producer.send(topic, value, key=key, headers=correlation_headers())
    with bind_context(**context_from_headers(record.headers)):
        ...

``correlation_http_headers()`` gives the same fields as HTTP headers (``Newsmon-Article-Id``…) for webhooks.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TextIO

import structlog
from structlog.contextvars import bound_contextvars, get_contextvars
from structlog.typing import EventDict, Processor, WrappedLogger

from newsmon.settings import LoggingSettings

CORRELATION_FIELDS: tuple[str, ...] = ("article_id", "feed", "alert_id")
HEADER_PREFIX = "newsmon-"

# Libraries that log every connection or retry at INFO; their warnings still come through.
_NOISY_LOGGERS = ("aiokafka", "kafka", "elastic_transport", "httpx", "httpcore", "faust", "mode")


def _header_name(field: str) -> str:
    return HEADER_PREFIX + field.replace("_", "-")


def _field_name(header: str) -> str | None:
    if not header.lower().startswith(HEADER_PREFIX):
        return None
    field = header[len(HEADER_PREFIX) :].lower().replace("-", "_")
    return field if field in CORRELATION_FIELDS else None


@contextmanager
def bind_context(**fields: str | None) -> Iterator[None]:
    """Attach correlation fields to every log line (and outgoing header) inside the block. ``None`` is skipped."""
    present = {name: value for name, value in fields.items() if value is not None}
    with bound_contextvars(**present):
        yield


def current_context() -> dict[str, Any]:
    """The correlation fields bound right now."""
    return dict(get_contextvars())


def correlation_headers() -> list[tuple[str, bytes]]:
    """The bound correlation fields as Kafka headers (aiokafka's ``[(name, bytes)]`` form)."""
    context = get_contextvars()
    return [
        (_header_name(name), str(context[name]).encode("utf-8"))
        for name in CORRELATION_FIELDS
        if context.get(name) is not None
    ]


def context_from_headers(headers: Iterable[tuple[str, bytes | None]] | None) -> dict[str, str]:
    """Correlation fields found in Kafka headers; unknown headers are ignored, so this is safe on any record."""
    found: dict[str, str] = {}
    for name, value in headers or ():
        field = _field_name(name)
        if field is not None and value is not None:
            found[field] = value.decode("utf-8", errors="replace")
    return found


def correlation_http_headers() -> dict[str, str]:
    """The bound correlation fields as HTTP headers, e.g. ``Newsmon-Alert-Id``."""
    return {name.title(): value.decode("utf-8") for name, value in correlation_headers()}


def context_from_http_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Correlation fields found in HTTP headers (case-insensitive)."""
    return context_from_headers((name, value.encode("utf-8")) for name, value in headers.items())


def _add_service(service: str) -> Processor:
    def add(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    return add


def configure_logging(service: str, settings: LoggingSettings | None = None, *, stream: TextIO | None = None) -> None:
    """Route stdlib logging and structlog through one JSON (or console) renderer. Call once per process.

    Calling it again replaces the previous configuration (tests do this), it never stacks handlers.
    """
    settings = settings or LoggingSettings()
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        _add_service(service),
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
        structlog.stdlib.ExtraAdder(),
    ]
    renderer: Processor
    if settings.format == "json":
        renderer = structlog.processors.JSONRenderer()
        shared.append(structlog.processors.format_exc_info)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(formatter)
    handler.set_name("newsmon")
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == "newsmon":
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(settings.level)
    quiet_level = logging.WARNING if settings.level != "DEBUG" else logging.INFO
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(quiet_level)
