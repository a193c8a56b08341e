"""``newsmon demo`` end to end in one process: local feed → ingest → enrich → alert, no Kafka."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsmon.cli import app
from newsmon.contracts import AlertEvent

pytestmark = pytest.mark.slow


def test_the_demo_prints_and_writes_the_three_findings(tmp_path: Path) -> None:
    out = tmp_path / "alerts.jsonl"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    events = [AlertEvent.model_validate_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    latest = {event.alert.id: event.alert for event in events}
    assert sorted(alert.kind for alert in latest.values()) == [
        "control_dispute",
        "encirclement_dispute",
        "numeric_discrepancy",
    ]
    control = next(alert for alert in latest.values() if alert.kind == "control_dispute")
    assert {source.source for side in control.sides for source in side.sources} >= {"CNN", "The Epoch Times"}
    assert all(source.url.startswith("http://127.0.0.1:") for side in control.sides for source in side.sources)
    assert "Kurakhove: " in result.output
    assert "numeric discrepancy" in result.output
    assert str(out.resolve()) in result.output.replace("\n", "")
