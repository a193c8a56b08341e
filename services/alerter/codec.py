"""The one place pydantic meets faust: a codec that writes a contract as its JSON and reads it back by shape.

Registered under the name ``newsmon-contract``; the alerter's table (PlaceState) and its output topics (AlertEvent,
DeadLetter) use it. The input topic is read as raw bytes on purpose: a record that does not match the contract
must reach the dead-letter topic with its original bytes, which a failing codec would hide inside faust.

A place's state is written to the changelog after every batch that touches it. ``newsmon-contract-zlib`` (the
setting ``alerter.compress_state``) writes it zlib-compressed, three to six times smaller for 4–7 ms per write
when story signatures were JSON lists of integers (since packed in base64, they hardly compress, so the gain is
less): worth it when the broker's disk or network is short, not when CPU is (off by default). Either codec reads
both forms; what other services read is plain JSON.

Most of a state is the same from one write to the next: a new claim adds one record, the rest are the same
(immutable) objects. ``state_json`` keeps the JSON of each record, story and alert memory while the object lives
and joins the pieces, so a write serialises only what is new.
"""

from __future__ import annotations

import zlib
from typing import Annotated, Any

import faust
from faust.serializers import codecs
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from newsmon.contracts import AlertEvent, Claim, DeadLetter, NumericFact
from services.alerter.state import PlaceState

CODEC_NAME = "newsmon-contract"
COMPRESSING_CODEC_NAME = "newsmon-contract-zlib"
COMPRESSED = b"\x00zlib:"
"""Prefix of a compressed document (JSON never starts with a NUL byte, so plain documents still read)."""

Known = Annotated[Claim | NumericFact, Field(discriminator="type")] | AlertEvent | DeadLetter | PlaceState
_known: TypeAdapter[Any] = TypeAdapter(Known)


FRAGMENT_BYTES = 64 * 1024 * 1024
"""JSON kept for reuse, at most (oldest dropped first): the pieces of the busiest places' states."""
_fragments: dict[int, tuple[BaseModel, bytes]] = {}
_kept_bytes = 0


def _fragment(part: BaseModel) -> bytes:
    global _kept_bytes
    kept = _fragments.get(id(part))
    if kept is not None and kept[0] is part:  # the object is held by the entry, so its id was not reused
        return kept[1]
    document = part.model_dump_json().encode("utf-8")
    if len(document) > FRAGMENT_BYTES:
        return document
    while _fragments and _kept_bytes + len(document) > FRAGMENT_BYTES:
        _, dropped = _fragments.pop(next(iter(_fragments)))
        _kept_bytes -= len(dropped)
    if kept is not None:  # an entry of an object that no longer lives under this id
        _kept_bytes -= len(_fragments.pop(id(part), (None, b""))[1])
    _fragments[id(part)] = (part, document)
    _kept_bytes += len(document)
    return document


def state_json(state: PlaceState) -> bytes:
    """The JSON of ``state`` (equal to its ``model_dump_json`` once parsed), reusing the pieces written before."""
    scalars = state.model_dump_json(exclude={"records", "stories", "alerts"}).encode("utf-8")
    pieces = [scalars[:-1]]  # without its closing brace
    for name, parts in (("records", state.records), ("stories", state.stories), ("alerts", state.alerts)):
        documents = []
        for part in parts:  # _fragment's first lines, inline: hundreds of parts per write, nearly all kept
            kept = _fragments.get(id(part))
            documents.append(kept[1] if kept is not None and kept[0] is part else _fragment(part))
        pieces.append(b',"' + name.encode() + b'":[' + b",".join(documents) + b"]")
    pieces.append(b"}")
    return b"".join(pieces)


class ContractCodec(faust.Codec):
    """JSON by the model's own serializer; on the way back, the one contract the document matches.

    Every contract forbids unknown fields, so a document validates against exactly one of them.
    """

    compress_state = False

    def _dumps(self, obj: Any) -> bytes:
        if not isinstance(obj, BaseModel):
            raise TypeError(f"{CODEC_NAME} encodes pydantic contracts, not {type(obj).__name__}")
        if isinstance(obj, PlaceState):
            document = state_json(obj)
            return COMPRESSED + zlib.compress(document, 1) if self.compress_state else document
        return obj.model_dump_json().encode("utf-8")

    def _loads(self, data: bytes) -> Any:
        if data.startswith(COMPRESSED):
            try:
                data = zlib.decompress(data[len(COMPRESSED) :])
            except zlib.error as exc:
                raise ValueError(f"not a newsmon contract: bad compressed document ({exc})") from exc
        try:
            return _known.validate_json(data)
        except ValidationError as exc:
            raise ValueError(f"not a newsmon contract: {exc.error_count()} validation errors") from exc


class CompressingContractCodec(ContractCodec):
    """The same, with a place's state written compressed."""

    compress_state = True


def register(*, compress_state: bool = False) -> str:
    """Register the codecs (idempotent) and return the name of the one asked for, for ``value_serializer=``."""
    if CODEC_NAME not in codecs.codecs:
        codecs.register(CODEC_NAME, ContractCodec())
    if COMPRESSING_CODEC_NAME not in codecs.codecs:
        codecs.register(COMPRESSING_CODEC_NAME, CompressingContractCodec())
    return COMPRESSING_CODEC_NAME if compress_state else CODEC_NAME
