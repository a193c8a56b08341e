"""What the webhook dispatcher remembers: delivery outcomes and muted places, both in compacted topics."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from newsmon.contracts.base import AwareDatetime, Contract
from newsmon.contracts.claims import SCHEMA_VERSION

DeliveryOutcome = Literal["delivered", "dead_lettered", "silenced"]


def delivery_key(subscriber: str, event_id: str) -> str:
    """Kafka key of a delivery record: one per subscriber and alert event, so compaction keeps the last word."""
    return f"{subscriber}:{event_id}"


class WebhookDelivery(Contract):
    """The settled outcome of one alert event for one subscriber: a restart skips what is settled here."""

    schema_version: Literal[1] = SCHEMA_VERSION
    subscriber: str = Field(description="Subscriber name from the webhook configuration")
    event_id: str = Field(description="AlertEvent id, sent as the webhook-id header")
    alert_id: str
    event: str = Field(description="Webhook event type, e.g. alert.opened")
    outcome: DeliveryOutcome
    attempts: int = Field(default=0, ge=0, description="HTTP requests made (0 when silenced)")
    status_code: int | None = Field(default=None, description="Last HTTP status received, if any")
    reason: str | None = Field(default=None, description="Why it was not delivered, or the silence that muted it")
    settled_at: AwareDatetime
    replayed: bool = Field(default=False, description="True when delivered by `newsmon webhooks replay`")

    @property
    def key(self) -> str:
        return delivery_key(self.subscriber, self.event_id)


class PlaceSilence(Contract):
    """A muted place: alert events about it are not delivered until ``until``. Keyed by ``key``."""

    schema_version: Literal[1] = SCHEMA_VERSION
    place_id: str | None = Field(default=None, description="Geonames id as text, when the place was resolved")
    place_name: str = Field(description="Name as resolved (or as typed, when no gazetteer was available)")
    until: AwareDatetime
    reason: str = ""
    created_at: AwareDatetime
    created_by: str | None = Field(default=None, description="Who muted it (user name), for the list")

    @property
    def key(self) -> str:
        return silence_key(self.place_id, self.place_name)


def silence_key(place_id: str | None, place_name: str) -> str:
    """The geonames id when known, else the case-folded name prefixed with ``name:``."""
    return place_id if place_id else f"name:{place_name.strip().casefold()}"
