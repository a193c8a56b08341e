"""The root fixtures, as other tests use them: prefixes are fresh and valid, settings are built by keyword."""

from __future__ import annotations

import re
from typing import Any

from newsmon.settings import CommonSettings, KafkaSettings


def test_unique_prefix_is_valid_for_topics_groups_and_indices(unique_prefix: str) -> None:
    assert re.fullmatch(r"t[0-9a-f]{8}-", unique_prefix)


def test_common_settings_outside_the_server_tiers_start_no_server(common_settings: Any, unique_prefix: str) -> None:
    settings = common_settings()
    assert isinstance(settings, CommonSettings)
    assert settings.kafka.topic_prefix == unique_prefix
    assert settings.elasticsearch.index_prefix == unique_prefix
    assert settings.kafka.topic("alerts") == f"{unique_prefix}alerts"


def test_sections_given_as_dicts_update_and_models_replace(common_settings: Any, unique_prefix: str) -> None:
    updated = common_settings(kafka={"client_id": "probe"}, logging={"level": "DEBUG"})
    assert updated.kafka.client_id == "probe"
    assert updated.kafka.topic_prefix == unique_prefix
    assert updated.logging.level == "DEBUG"
    replaced = common_settings(kafka=KafkaSettings(bootstrap="elsewhere:9092"))
    assert replaced.kafka.bootstrap == "elsewhere:9092"
    assert replaced.kafka.topic_prefix == ""


def test_a_service_settings_class_can_be_built(common_settings: Any) -> None:
    class ProbeSettings(CommonSettings):
        pass

    assert isinstance(common_settings(ProbeSettings), ProbeSettings)
