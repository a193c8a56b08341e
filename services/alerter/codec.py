"""The one place pydantic meets faust: a codec that writes a contract as its JSON and reads it back by shape.

Registered under the name ``newsmon-contract``; the alerter's table (PlaceState) and its output topics (AlertEvent,
DeadLetter) use it. The input topic is read as raw bytes on purpose: a record that does not match the contract
must reach the dead-letter topic with its original bytes, which a failing codec would hide inside faust.
"""

from __future__ import annotations

from typing import Annotated, Any

import faust
from faust.serializers import codecs
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from newsmon.contracts import AlertEvent, Claim, DeadLetter, NumericFact
from services.alerter.state import PlaceState

CODEC_NAME = "newsmon-contract"

Known = Annotated[Claim | NumericFact, Field(discriminator="type")] | AlertEvent | DeadLetter | PlaceState
_known: TypeAdapter[Any] = TypeAdapter(Known)


class ContractCodec(faust.Codec):
    """JSON by the model's own serializer; on the way back, the one contract the document matches.

    Every contract forbids unknown fields, so a document validates against exactly one of them.
    """

    def _dumps(self, obj: Any) -> bytes:
        if not isinstance(obj, BaseModel):
            raise TypeError(f"{CODEC_NAME} encodes pydantic contracts, not {type(obj).__name__}")
        return obj.model_dump_json().encode("utf-8")

    def _loads(self, data: bytes) -> Any:
        try:
            return _known.validate_json(data)
        except ValidationError as exc:
            raise ValueError(f"not a newsmon contract: {exc.error_count()} validation errors") from exc


def register() -> str:
    """Register the codec (idempotent) and return its name for ``value_serializer=``."""
    if CODEC_NAME not in codecs.codecs:
        codecs.register(CODEC_NAME, ContractCodec())
    return CODEC_NAME
