"""Common base for every message on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


def _require_timezone(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_require_timezone)]


class Contract(BaseModel):
    """Frozen, strict about unknown fields: a message either matches the contract or is rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=False).encode("utf-8")
