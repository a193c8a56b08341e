"""Contradiction alerts and the events of their lifecycle."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from newsmon.contracts.base import AwareDatetime, Contract
from newsmon.contracts.claims import SCHEMA_VERSION, Predicate
from newsmon.contracts.places import Place

AlertKind = Literal["control_dispute", "withdrawal_dispute", "encirclement_dispute", "numeric_discrepancy"]
AlertStatus = Literal["open", "resolved"]
AlertEventType = Literal["opened", "updated", "resolved"]
Severity = Literal["low", "medium", "high"]


class SideSource(Contract):
    """One article supporting one side of a dispute."""

    claim_id: str
    article_id: str
    url: str
    source: str
    attributed_to: str
    evidence: str
    published: AwareDatetime | None = None
    about: AwareDatetime | None = None
    value: float | None = Field(default=None, description="For numeric discrepancies: the figure this source gives")


class Side(Contract):
    """One position in a dispute: what is claimed, by whom, on which evidence."""

    predicate: Predicate | None = Field(default=None, description="None for numeric discrepancies")
    actor: str | None = Field(default=None, description="Side that holds / does it")
    said_by: tuple[str, ...] = Field(description="Speakers and institutions making this claim")
    sides_of_speakers: tuple[str, ...] = ()
    value: float | None = None
    unit: str | None = None
    sources: tuple[SideSource, ...]


class Alert(Contract):
    """One dispute about one place, updated as more articles arrive."""

    schema_version: Literal[1] = SCHEMA_VERSION
    id: str = Field(description="hash(place id, kind): one alert per dispute")
    kind: AlertKind
    status: AlertStatus
    severity: Severity
    place: Place
    related_places: tuple[Place, ...] = Field(default=(), description="Other places of a numeric fact (distance)")
    sides: tuple[Side, ...]
    summary: str = Field(description="One line for a human")
    first_seen: AwareDatetime
    last_updated: AwareDatetime
    version: int = Field(ge=1, description="Increments with every event")
    resolution: str | None = None
    article_ids: tuple[str, ...] = ()
    independent_sources: int = Field(ge=0, description="Distinct stories behind the alert, copies counted once")


class AlertEvent(Contract):
    """What the alerts topic carries: an alert at one moment of its life."""

    schema_version: Literal[1] = SCHEMA_VERSION
    id: str = Field(description="hash(alert id, version): the webhook-id and dedupe key of this event")
    event: AlertEventType
    alert: Alert
    emitted_at: AwareDatetime
    cause_article_id: str | None = Field(default=None, description="The article whose claim caused this event")
