"""Standard Webhooks messages: body, signed headers, subscriber filters and settings."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from newsmon.contracts.alerts import AlertEvent
from newsmon.errors import ConfigurationError
from services.alerter.webhook_samples import KURAKHOVE, KURSK, POKROVSK, TEST_SECRET, alert_event, subscriber
from services.alerter.webhook_settings import (
    SubscriberFilters,
    WebhookSettings,
    decode_secret,
    generate_secret,
    load_subscribers_file,
)
from services.alerter.webhooks import event_type, matches, sign_request, subscribers_for, verify, webhook_body


class TestBody:
    def test_the_body_is_the_event_wrapped_in_type_timestamp_and_data(self) -> None:
        event = alert_event(event="updated", version=2)
        body = json.loads(webhook_body(event))
        assert body["type"] == "alert.updated"
        assert body["timestamp"] == "2025-01-07T09:32:00Z"
        assert AlertEvent.model_validate(body["data"]) == event

    @pytest.mark.parametrize("kind", ["opened", "updated", "resolved"])
    def test_event_types_are_namespaced_under_alert(self, kind: str) -> None:
        assert event_type(alert_event(event=kind)) == f"alert.{kind}"  # type: ignore[arg-type]

    def test_the_same_event_always_gives_the_same_bytes(self) -> None:
        assert webhook_body(alert_event()) == webhook_body(alert_event())


class TestSignature:
    def test_a_standardwebhooks_receiver_verifies_what_we_sign(self) -> None:
        event = alert_event()
        body = webhook_body(event)
        request = sign_request(TEST_SECRET, event.id, body, datetime.now(UTC), alert_id=event.alert.id)
        received = Webhook(TEST_SECRET).verify(body, request.headers)
        assert received["data"]["id"] == event.id
        assert request.headers["webhook-id"] == event.id
        assert request.headers["newsmon-alert-id"] == event.alert.id

    def test_the_signature_is_hmac_sha256_over_id_timestamp_and_body(self) -> None:
        body = b'{"type":"alert.opened"}'
        now = datetime(2025, 1, 7, 9, 30, 15, 999_000, tzinfo=UTC)
        request = sign_request(TEST_SECRET, "evt-1", body, now)
        expected = hmac.new(decode_secret(TEST_SECRET), b"evt-1.1736242215." + body, hashlib.sha256).digest()
        assert request.headers["webhook-timestamp"] == "1736242215"
        assert request.headers["webhook-signature"] == "v1," + base64.b64encode(expected).decode()

    def test_a_changed_body_fails_verification(self) -> None:
        body = webhook_body(alert_event())
        request = sign_request(TEST_SECRET, "evt-1", body, datetime.now(UTC))
        with pytest.raises(WebhookVerificationError):
            verify(TEST_SECRET, body.replace(b"Kurakhove", b"Pokrovsk"), request.headers)

    def test_another_secret_fails_verification(self) -> None:
        body = webhook_body(alert_event())
        request = sign_request(TEST_SECRET, "evt-1", body, datetime.now(UTC))
        with pytest.raises(WebhookVerificationError):
            verify(generate_secret(), body, request.headers)

    def test_an_old_timestamp_fails_verification(self) -> None:
        body = webhook_body(alert_event())
        request = sign_request(TEST_SECRET, "evt-1", body, datetime(2025, 1, 7, tzinfo=UTC))
        with pytest.raises(WebhookVerificationError, match="too old"):
            verify(TEST_SECRET, body, request.headers)


class TestFilters:
    def test_empty_filters_accept_everything(self) -> None:
        assert matches(SubscriberFilters(), alert_event())

    @pytest.mark.parametrize("wanted", ["Kurakhove", "kurakhove", "704508"])
    def test_a_place_matches_by_name_or_geonames_id(self, wanted: str) -> None:
        assert matches(SubscriberFilters(places=(wanted,)), alert_event(place=KURAKHOVE))
        assert not matches(SubscriberFilters(places=(wanted,)), alert_event(place=KURSK))

    def test_a_place_matches_the_related_places_of_a_numeric_discrepancy(self) -> None:
        event = alert_event(place=KURAKHOVE, kind="numeric_discrepancy", severity="low", related=(POKROVSK,))
        assert matches(SubscriberFilters(places=("Pokrovsk",)), event)

    def test_country_kind_and_event_filters(self) -> None:
        event = alert_event(place=KURSK, kind="encirclement_dispute", event="updated", version=2)
        assert matches(
            SubscriberFilters(countries=("ru",), kinds=("encirclement_dispute",), events=("updated",)), event
        )
        assert not matches(SubscriberFilters(countries=("UA",)), event)
        assert not matches(SubscriberFilters(kinds=("control_dispute",)), event)
        assert not matches(SubscriberFilters(events=("opened", "resolved")), event)

    @pytest.mark.parametrize(
        ("severity", "minimum", "delivered"),
        [("low", "medium", False), ("medium", "medium", True), ("high", "medium", True), ("low", "low", True)],
    )
    def test_min_severity(self, severity: str, minimum: str, delivered: bool) -> None:
        event = alert_event(severity=severity)  # type: ignore[arg-type]
        assert matches(SubscriberFilters(min_severity=minimum), event) is delivered  # type: ignore[arg-type]

    def test_subscribers_for_keeps_configuration_order_and_skips_disabled(self) -> None:
        a = subscriber("a")
        b = subscriber("b", countries=["RU"])
        c = subscriber("c").model_copy(update={"enabled": False})
        assert [s.name for s in subscribers_for((a, b, c), alert_event(place=KURAKHOVE))] == ["a"]
        assert [s.name for s in subscribers_for((a, b, c), alert_event(place=KURSK))] == ["a", "b"]


class TestSettings:
    def test_secrets_must_be_whsec_base64_of_24_to_64_bytes(self) -> None:
        assert len(decode_secret(generate_secret())) == 32
        for bad in ("whsec_", "whsec_!!notbase64!!", "whsec_" + base64.b64encode(b"short").decode()):
            with pytest.raises(ValueError, match="webhook secret"):
                decode_secret(bad)

    def test_subscriber_names_cannot_hold_colons(self) -> None:
        with pytest.raises(ValueError, match="subscriber name"):
            subscriber("ops:chat")

    def test_the_yaml_file_reads_secrets_from_the_environment(self, tmp_path: Path) -> None:
        path = tmp_path / "webhooks.yaml"
        path.write_text(
            "subscribers:\n"
            "  - name: ops\n"
            "    url: https://hooks.example.org/x\n"
            "    secret_env: OPS_SECRET\n"
            "    filters: {countries: [ua], kinds: [control_dispute], min_severity: medium}\n"
            "    max_attempts: 3\n"
        )
        (ops,) = load_subscribers_file(path, {"OPS_SECRET": TEST_SECRET})
        assert ops.secret.get_secret_value() == TEST_SECRET
        assert ops.filters.countries == ("UA",)
        assert ops.max_attempts == 3
        assert TEST_SECRET not in repr(ops)

    def test_a_missing_secret_variable_is_a_configuration_error(self, tmp_path: Path) -> None:
        path = tmp_path / "webhooks.yaml"
        path.write_text("subscribers:\n  - {name: ops, url: 'https://x.example', secret_env: NOPE}\n")
        with pytest.raises(ConfigurationError, match="NOPE is not set"):
            load_subscribers_file(path, {})

    def test_file_and_direct_subscribers_combine_but_names_are_unique(self, tmp_path: Path) -> None:
        path = tmp_path / "webhooks.yaml"
        path.write_text(f"subscribers:\n  - {{name: ops, url: 'https://x.example', secret: '{TEST_SECRET}'}}\n")
        settings = WebhookSettings(config_file=path, subscribers=(subscriber("chat"),))
        assert [s.name for s in settings.load_subscribers({})] == ["ops", "chat"]
        clash = WebhookSettings(config_file=path, subscribers=(subscriber("ops"),))
        with pytest.raises(ConfigurationError, match="repeated: ops"):
            clash.load_subscribers({})

    def test_an_absent_file_means_no_file_subscribers(self, tmp_path: Path) -> None:
        assert WebhookSettings(config_file=tmp_path / "none.yaml").load_subscribers({}) == ()

    def test_the_shipped_example_file_loads(self) -> None:
        shipped = Path(__file__).parents[3] / "deploy" / "webhooks.yaml"
        assert load_subscribers_file(shipped, {}) == ()
