"""Fixtures for the ingestor's tests against the real Kafka broker and real local HTTP servers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from services.ingestor.settings import IngestorSection, IngestorSettings


@pytest.fixture
def settings_for(kafka_bootstrap: str, common_settings: Callable[..., Any]) -> Callable[..., IngestorSettings]:
    """``settings_for(http={...}, **ingestor_section)``: settings wired to the test broker and prefix.

    127.0.0.1 is allowed past the SSRF guard (the test servers live there); failing feeds back off for an hour
    unless told otherwise, so that a test sees one poll per feed; no jitter.
    """

    def factory(*, http: dict[str, Any] | None = None, **section: Any) -> IngestorSettings:
        settings: IngestorSettings = common_settings(
            IngestorSettings,
            kafka={"client_id": "newsmon-ingestor-test"},
            http={"allowed_private_hosts": ("127.0.0.1",), **(http or {})},
            metrics={"enabled": False},
            ingestor=IngestorSection(**{"backoff_base": 3600.0, "jitter": 0.0, **section}),
        )
        return settings

    return factory
