"""Decisions of `topics apply` that need no broker: partitions only grow, configs are compared key by key."""

from __future__ import annotations

from pydantic import SecretStr

from newsmon.infra.topics import admin_client_options, config_changes, plan_partitions
from newsmon.settings import KafkaSettings


def test_equal_partitions_need_nothing() -> None:
    assert plan_partitions("t", 6, 6) is None


def test_more_partitions_are_added() -> None:
    outcome = plan_partitions("t", 6, 3)
    assert outcome is not None
    assert (outcome.action, outcome.detail) == ("updated", "partitions 3 → 6")


def test_fewer_partitions_are_refused_with_the_way_out() -> None:
    outcome = plan_partitions("t", 3, 6)
    assert outcome is not None
    assert outcome.action == "refused"
    assert "cannot remove partitions" in outcome.detail
    assert "delete the topic" in outcome.detail


def test_only_differing_config_keys_are_changes() -> None:
    wanted = {"retention.ms": "100", "cleanup.policy": "compact"}
    current = {"retention.ms": "100", "cleanup.policy": "delete", "segment.bytes": "1"}
    assert config_changes(wanted, current) == {"cleanup.policy": ("delete", "compact")}
    assert config_changes(wanted, {**current, "cleanup.policy": "compact"}) == {}


def test_admin_options_carry_sasl_credentials() -> None:
    settings = KafkaSettings(
        bootstrap="b:9093",
        security_protocol="SASL_SSL",
        sasl_mechanism="PLAIN",
        sasl_username="u",
        sasl_password=SecretStr("p"),
    )
    options = admin_client_options(settings)
    assert options["bootstrap_servers"] == "b:9093"
    assert (options["sasl_mechanism"], options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "PLAIN",
        "u",
        "p",
    )
    assert "sasl_mechanism" not in admin_client_options(KafkaSettings())
