"""Standard Webhooks messages: the JSON body, the signed headers, and which subscriber wants which alert event.

The body is ``{"type": "alert.opened", "timestamp": ..., "data": <AlertEvent>}``. The headers are ``webhook-id``
(the AlertEvent id, stable across retries and replays so receivers can dedupe), ``webhook-timestamp`` (the time of
this attempt, in seconds) and ``webhook-signature`` (``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``), computed
by the ``standardwebhooks`` package so that any of its libraries verifies them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

from newsmon.contracts.alerts import AlertEvent, Severity
from newsmon.contracts.places import Place
from services.alerter.webhook_settings import Subscriber, SubscriberFilters

__all__ = [
    "SignedRequest",
    "WebhookVerificationError",
    "event_type",
    "matches",
    "sign_request",
    "verify",
    "webhook_body",
]

SEVERITY_RANK: dict[Severity, int] = {"low": 0, "medium": 1, "high": 2}
CONTENT_TYPE = "application/json"


def event_type(event: AlertEvent) -> str:
    """The Standard Webhooks event type: ``alert.opened``, ``alert.updated`` or ``alert.resolved``."""
    return f"alert.{event.event}"


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def webhook_body(event: AlertEvent) -> bytes:
    """The exact bytes POSTed (and signed): compact JSON, the same for every attempt of the event."""
    envelope = {
        "type": event_type(event),
        "timestamp": _utc_text(event.emitted_at),
        "data": event.model_dump(mode="json"),
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class SignedRequest:
    """One ready-to-send attempt: the body and the headers signed for this moment."""

    webhook_id: str
    timestamp: int
    body: bytes
    headers: dict[str, str]


def sign_request(
    secret: str, webhook_id: str, body: bytes, now: datetime, *, alert_id: str | None = None
) -> SignedRequest:
    """Sign ``body`` for ``now``; retries sign again so the timestamp stays within receivers' tolerance."""
    moment = now.astimezone(UTC).replace(microsecond=0)
    signature = Webhook(secret).sign(webhook_id, moment, body.decode("utf-8"))
    headers = {
        "content-type": CONTENT_TYPE,
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
    }
    if alert_id:
        headers["newsmon-alert-id"] = alert_id
    return SignedRequest(webhook_id, int(moment.timestamp()), body, headers)


def verify(secret: str, body: bytes | str, headers: Mapping[str, str]) -> Any:
    """Check a received webhook as a receiver would; returns the parsed body or raises WebhookVerificationError."""
    return Webhook(secret).verify(body, dict(headers))


def _place_matches(wanted: str, place: Place) -> bool:
    wanted = wanted.strip()
    if wanted in (place.id, str(place.geonames_id)):
        return True
    folded = wanted.casefold()
    return folded == place.name.casefold() or any(form.casefold() == folded for form in place.surface_forms)


def matches(filters: SubscriberFilters, event: AlertEvent) -> bool:
    """True when every non-empty filter accepts the event."""
    alert = event.alert
    if filters.events and event.event not in filters.events:
        return False
    if filters.kinds and alert.kind not in filters.kinds:
        return False
    if filters.min_severity and SEVERITY_RANK[alert.severity] < SEVERITY_RANK[filters.min_severity]:
        return False
    places = (alert.place, *alert.related_places)
    if filters.countries and not any((place.country_code or "").upper() in filters.countries for place in places):
        return False
    return not filters.places or any(_place_matches(wanted, place) for wanted in filters.places for place in places)


def subscribers_for(subscribers: tuple[Subscriber, ...], event: AlertEvent) -> tuple[Subscriber, ...]:
    """The enabled subscribers whose filters accept the event, in configuration order."""
    return tuple(sub for sub in subscribers if sub.enabled and matches(sub.filters, event))
