"""Settings of the webhook dispatcher: subscribers (from ``deploy/webhooks.yaml`` and the environment) and policies.

A subscriber's secret can stay out of the YAML file: ``secret_env: NAME`` reads it from the environment when the file
is loaded. Subscribers can also come whole from the environment as JSON, e.g.
``NEWSMON_WEBHOOKS__SUBSCRIBERS='[{"name": "ops", "url": "https://...", "secret": "whsec_..."}]'``.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator

from newsmon.contracts.alerts import AlertEventType, AlertKind, Severity
from newsmon.errors import ConfigurationError
from newsmon.settings import CommonSettings

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format prefix of secrets, not a secret
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def decode_secret(secret: str) -> bytes:
    """The key bytes of a Standard Webhooks secret (``whsec_`` + base64); raises ValueError when malformed."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("webhook secret must be 'whsec_' followed by base64") from exc
    if not 24 <= len(key) <= 64:
        raise ValueError(f"webhook secret must decode to 24..64 bytes, got {len(key)}")
    return key


def generate_secret() -> str:
    """A fresh random secret in the form Standard Webhooks libraries expect."""
    return SECRET_PREFIX + base64.b64encode(os.urandom(32)).decode("ascii")


class SubscriberFilters(BaseModel):
    """Which alert events a subscriber wants. Empty lists mean 'all'; every non-empty filter must match."""

    places: tuple[str, ...] = Field(
        default=(), description="Place names (case-insensitive) or geonames ids; matches the alert's place or related"
    )
    countries: tuple[str, ...] = Field(default=(), description="ISO 3166-1 alpha-2 codes of the alert's place")
    kinds: tuple[AlertKind, ...] = Field(default=(), description="Alert kinds, e.g. control_dispute")
    min_severity: Severity | None = Field(default=None, description="Lowest severity delivered (low < medium < high)")
    events: tuple[AlertEventType, ...] = Field(default=(), description="Event types: opened, updated, resolved")

    @field_validator("countries")
    @classmethod
    def _upper_countries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(code.strip().upper() for code in value)


class Subscriber(BaseModel):
    """One webhook endpoint."""

    name: str = Field(description="Unique name, used in delivery records, dead letters and metrics")
    url: str = Field(description="HTTPS (or HTTP) endpoint that receives the POSTs")
    secret: SecretStr = Field(description="Signing secret, 'whsec_' + base64 of 24..64 random bytes")
    filters: SubscriberFilters = Field(default_factory=SubscriberFilters, description="Which events to deliver")
    timeout: float = Field(default=10.0, gt=0, description="Seconds for one request, connect to last byte")
    max_attempts: int = Field(default=5, ge=1, le=20, description="Requests before the event is dead-lettered")
    enabled: bool = Field(default=True, description="Disabled subscribers receive nothing")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("subscriber name: letters, digits, '_', '.', '-' (at most 64), no ':'")
        return value

    @field_validator("url")
    @classmethod
    def _valid_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"subscriber url must be http(s)://host/...; got {value!r}")
        return value

    @field_validator("secret")
    @classmethod
    def _valid_secret(cls, value: SecretStr) -> SecretStr:
        decode_secret(value.get_secret_value())
        return value


class WebhookSettings(BaseModel):
    """Webhook delivery: where subscribers are configured and how hard to try."""

    config_file: Path | None = Field(
        default=Path("deploy/webhooks.yaml"), description="YAML file listing subscribers; skipped when absent"
    )
    subscribers: tuple[Subscriber, ...] = Field(
        default=(), description="Subscribers given directly (env JSON or overrides), added to the file's"
    )
    group: str = Field(default="newsmon-webhooks", description="Consumer group of the dispatcher on the alerts topic")
    retry_base_delay: float = Field(default=1.0, gt=0, description="Seconds: first backoff ceiling, doubled per try")
    retry_max_delay: float = Field(default=30.0, gt=0, description="Seconds: largest backoff ceiling (full jitter)")
    max_retry_after: float = Field(
        default=120.0, ge=0, description="Seconds: the longest Retry-After honoured; longer ones are capped"
    )
    breaker_failure_threshold: int = Field(
        default=5, ge=1, description="Consecutive failed requests that open a subscriber's circuit"
    )
    breaker_cool_down: float = Field(
        default=60.0, gt=0, description="Seconds an open circuit waits before one probe request (half-open)"
    )
    concurrency: int = Field(
        default=8, ge=1, description="Alerts delivered at once (events of one alert stay in order)"
    )
    batch_size: int = Field(default=100, ge=1, description="Alert events fetched per poll")

    def load_subscribers(self, environ: Mapping[str, str] | None = None) -> tuple[Subscriber, ...]:
        """The file's subscribers plus the directly given ones; duplicate names are a configuration error."""
        from_file = load_subscribers_file(self.config_file, environ) if self.config_file else ()
        combined = (*from_file, *self.subscribers)
        names = [subscriber.name for subscriber in combined]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ConfigurationError(f"webhook subscriber names must be unique; repeated: {', '.join(duplicates)}")
        return tuple(subscriber for subscriber in combined if subscriber.enabled)


def load_subscribers_file(path: Path, environ: Mapping[str, str] | None = None) -> tuple[Subscriber, ...]:
    """Parse the YAML subscriber list; ``secret_env`` entries read the secret from ``environ`` (os.environ)."""
    if not path.exists():
        return ()
    environ = os.environ if environ is None else environ
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from exc
    entries = (document.get("subscribers") or []) if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ConfigurationError(f"{path}: expected a mapping with a 'subscribers' list")
    subscribers = []
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ConfigurationError(f"{path}: subscriber #{position} must be a mapping")
        subscribers.append(_subscriber_from_entry(path, position, dict(entry), environ))
    return tuple(subscribers)


def _subscriber_from_entry(path: Path, position: int, entry: dict[str, Any], environ: Mapping[str, str]) -> Subscriber:
    label = entry.get("name", f"#{position}")
    secret_env = entry.pop("secret_env", None)
    if secret_env is not None:
        if "secret" in entry:
            raise ConfigurationError(f"{path}: subscriber {label}: give 'secret' or 'secret_env', not both")
        if secret_env not in environ:
            raise ConfigurationError(f"{path}: subscriber {label}: environment variable {secret_env} is not set")
        entry["secret"] = environ[secret_env]
    try:
        return Subscriber.model_validate(entry)
    except ValidationError as exc:
        raise ConfigurationError(f"{path}: subscriber {label}: {exc}") from exc


class DispatcherSettings(CommonSettings):
    """Settings of ``newsmon webhooks dispatch``: the common sections plus the webhook section."""

    webhooks: WebhookSettings = Field(default_factory=WebhookSettings, description="Webhook delivery")
