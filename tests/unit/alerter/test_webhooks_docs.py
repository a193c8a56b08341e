"""The examples in docs/webhooks.md are true, and `newsmon webhooks verify|new-secret` do what the docs say."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import typer
from typer.testing import CliRunner

from services.alerter import webhooks_cli
from services.alerter.silence import parse_duration
from services.alerter.webhook_samples import TEST_SECRET, alert_event
from services.alerter.webhook_settings import decode_secret, load_subscribers_file
from services.alerter.webhooks import sign_request, webhook_body

DOC = (Path(__file__).parents[3] / "docs" / "webhooks.md").read_text(encoding="utf-8")


def cli() -> typer.Typer:
    app = typer.Typer()
    webhooks_cli.register(app)
    return app


def test_the_yaml_example_loads(tmp_path: Path) -> None:
    (block,) = re.findall(r"```yaml\n(.*?)```", DOC, flags=re.DOTALL)
    path = tmp_path / "webhooks.yaml"
    path.write_text(block)
    (ops,) = load_subscribers_file(path, {"NEWSMON_WEBHOOK_OPS_CHAT_SECRET": TEST_SECRET})
    assert (ops.name, ops.filters.min_severity, ops.max_attempts) == ("ops-chat", "medium", 5)


def test_the_http_example_carries_the_real_signature_of_the_sample_event() -> None:
    event = alert_event()
    request = sign_request(
        TEST_SECRET, event.id, webhook_body(event), datetime.fromtimestamp(1736242260, UTC), alert_id=event.alert.id
    )
    for name in ("webhook-id", "webhook-timestamp", "webhook-signature", "newsmon-alert-id"):
        assert f"{name}: {request.headers[name]}\n" in DOC


def test_the_durations_in_the_docs_parse() -> None:
    for duration in re.findall(r"--for (\S+)", DOC):
        assert parse_duration(duration).total_seconds() > 0


def test_verify_accepts_a_signed_body_and_rejects_a_changed_one(tmp_path: Path) -> None:
    event = alert_event()
    body = webhook_body(event)
    request = sign_request(TEST_SECRET, event.id, body, datetime.now(UTC))
    args = ["webhooks", "verify", "--id", event.id, "--timestamp", request.headers["webhook-timestamp"]]
    args += ["--signature", request.headers["webhook-signature"], "--secret", TEST_SECRET]
    (tmp_path / "body.json").write_bytes(body)
    ok = CliRunner().invoke(cli(), [*args, str(tmp_path / "body.json")])
    assert ok.exit_code == 0, ok.output
    assert f"verified: alert.opened {event.id}" in ok.output
    (tmp_path / "changed.json").write_bytes(body.replace(b"captured", b"liberated"))
    changed = CliRunner().invoke(cli(), [*args, str(tmp_path / "changed.json")])
    assert changed.exit_code == 1


def test_new_secret_prints_a_usable_secret() -> None:
    result = CliRunner().invoke(cli(), ["webhooks", "new-secret"])
    assert result.exit_code == 0
    assert len(decode_secret(result.output.strip())) == 32


def test_list_shows_subscribers_without_secrets_or_query_tokens(tmp_path: Path) -> None:
    path = tmp_path / "webhooks.yaml"
    path.write_text(
        f"subscribers:\n  - {{name: ops, url: 'https://hooks.example/x?token=abc', secret: '{TEST_SECRET}'}}\n"
    )
    result = CliRunner().invoke(cli(), ["webhooks", "list", "--config", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert '"name": "ops"' in result.output
    assert TEST_SECRET not in result.output
    assert "token" not in result.output
