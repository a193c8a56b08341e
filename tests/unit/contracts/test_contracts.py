"""The message contracts: frozen, strict, timezone-aware, deterministic ids, lossless JSON on the wire."""

from __future__ import annotations

from datetime import datetime

import pytest
from contract_samples import ARTICLE_ID, CLAIM, FACT, RAW, SAMPLES, URL
from pydantic import BaseModel, ValidationError

from newsmon.contracts import TOPICS, place_record_adapter
from newsmon.contracts.ids import alert_event_id, alert_id, article_id, claim_id, stable_id
from newsmon.schemas import payload_models

PAYLOADS = sorted({model for topic in TOPICS for model in payload_models(topic)}, key=lambda m: m.__name__)


def test_every_topic_payload_has_a_sample() -> None:
    assert set(PAYLOADS) <= set(SAMPLES), "add a sample for the new payload in contract_samples.py"


@pytest.mark.parametrize("model", PAYLOADS, ids=lambda m: m.__name__)
def test_json_round_trip_is_lossless(model: type[BaseModel]) -> None:
    sample = SAMPLES[model]
    wire = sample.model_dump_json().encode()
    assert model.model_validate_json(wire) == sample


@pytest.mark.parametrize("model", PAYLOADS, ids=lambda m: m.__name__)
def test_payloads_are_frozen(model: type[BaseModel]) -> None:
    sample = SAMPLES[model]
    first_field = next(iter(model.model_fields))
    with pytest.raises(ValidationError, match="frozen"):
        setattr(sample, first_field, getattr(sample, first_field))


@pytest.mark.parametrize("model", PAYLOADS, ids=lambda m: m.__name__)
def test_unknown_fields_are_rejected(model: type[BaseModel]) -> None:
    data = SAMPLES[model].model_dump(mode="json")
    data["surprise"] = 1
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        model.model_validate(data)


@pytest.mark.parametrize("model", PAYLOADS, ids=lambda m: m.__name__)
def test_payloads_carry_a_schema_version(model: type[BaseModel]) -> None:
    assert SAMPLES[model].model_dump()["schema_version"] == 1


def test_naive_timestamps_are_rejected() -> None:
    data = RAW.model_dump(mode="json")
    data["published"] = "2026-03-01T08:30:00"
    with pytest.raises(ValidationError, match="timezone-aware"):
        type(RAW).model_validate(data)


def test_aware_timestamps_in_other_zones_are_kept() -> None:
    data = RAW.model_dump(mode="json")
    data["published"] = "2026-03-01T10:30:00+02:00"
    article = type(RAW).model_validate(data)
    assert article.published == RAW.published
    assert isinstance(article.published, datetime)
    assert article.published.utcoffset() is not None


def test_ids_are_deterministic_and_distinct() -> None:
    assert article_id(URL) == ARTICLE_ID == article_id(URL)
    assert article_id(URL) != article_id(URL + "?x")
    assert claim_id("a", "p", "captured", 0, 5) == claim_id("a", "p", "captured", 0, 5)
    assert claim_id("a", "p", "captured", 0, 5) != claim_id("a", "p", "captured", 0, 6)
    assert alert_id("704147", "control_dispute") != alert_id("704147", "numeric_discrepancy")
    assert alert_event_id("x", 1) != alert_event_id("x", 2)
    # the separator keeps ("ab", "c") and ("a", "bc") apart
    assert stable_id("ab", "c") != stable_id("a", "bc")
    assert len(ARTICLE_ID) == 16
    assert int(ARTICLE_ID, 16) >= 0


def test_place_records_are_told_apart_by_their_type() -> None:
    assert place_record_adapter.validate_json(CLAIM.model_dump_json()) == CLAIM
    assert place_record_adapter.validate_json(FACT.model_dump_json()) == FACT


def test_topic_table_is_consistent() -> None:
    names = [topic.name for topic in TOPICS]
    assert len(names) == len(set(names))
    for topic in TOPICS:
        assert topic.partitions >= 1
        assert topic.config["cleanup.policy"] == ("compact" if topic.compacted else "delete")
        assert topic.retention_ms == -1 or topic.retention_ms > 0
