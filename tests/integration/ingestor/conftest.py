"""Fixtures for the ingestor's tests against the real Kafka broker and real local HTTP servers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from ingestor_helpers import make_settings

from services.ingestor.settings import IngestorSettings


@pytest.fixture
def prefix(unique_prefix: Any) -> str:
    """A fresh prefix, whether ``unique_prefix`` is a factory or a plain string."""
    value = unique_prefix() if callable(unique_prefix) else unique_prefix
    return str(value)


@pytest.fixture
def settings_for(kafka_bootstrap: str, prefix: str) -> Callable[..., IngestorSettings]:
    def factory(**overrides: Any) -> IngestorSettings:
        return make_settings(kafka_bootstrap, prefix, **overrides)

    return factory
