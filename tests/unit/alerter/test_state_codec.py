"""The changelog's encoding of a place's state: the pieces reused from earlier writes make the same document."""

from __future__ import annotations

import json

import pytest

from services.alerter import codec
from services.alerter.bench import workload
from services.alerter.embedded import EmbeddedAlerter


def test_the_state_written_from_kept_pieces_is_the_state_written_whole() -> None:
    alerter = EmbeddedAlerter()
    the_codec = codec.ContractCodec()
    for record in workload(300, 7, quiet_share=0.3):
        alerter.process(record)
        state = alerter.states[record.place.id]
        assert json.loads(codec.state_json(state)) == json.loads(state.model_dump_json())
        assert the_codec.loads(the_codec.dumps(state)) == state
    assert any(state.alerts for state in alerter.states.values())


def test_the_compressing_codec_writes_the_state_compressed_and_either_codec_reads_both_forms() -> None:
    alerter = EmbeddedAlerter()
    for record in workload(40, 2):
        alerter.process(record)
    state = next(iter(alerter.states.values()))
    assert codec.register(compress_state=True) == codec.COMPRESSING_CODEC_NAME
    assert codec.register() == codec.CODEC_NAME
    compressing, plain = codec.CompressingContractCodec(), codec.ContractCodec()
    compressed, written = compressing.dumps(state), plain.dumps(state)
    assert compressed.startswith(codec.COMPRESSED)
    assert len(compressed) * 3 < len(written)
    for reader in (compressing, plain):
        assert reader.loads(compressed) == state
        assert reader.loads(written) == state


def test_the_kept_pieces_stay_within_their_byte_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codec, "FRAGMENT_BYTES", 20_000)
    alerter = EmbeddedAlerter()
    for record in workload(200, 3):
        alerter.process(record)
        state = alerter.states[record.place.id]
        assert json.loads(codec.state_json(state)) == json.loads(state.model_dump_json())
        assert codec._kept_bytes == sum(len(document) for _, document in codec._fragments.values())
        assert codec._kept_bytes <= 20_000
