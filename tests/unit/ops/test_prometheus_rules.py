"""The Prometheus configuration and alert rules, checked by Prometheus' own promtool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[3] / "deploy" / "prometheus"

promtool = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(promtool is None, reason="promtool not installed (apt-get install prometheus)")


def run_promtool(*args: str) -> subprocess.CompletedProcess[str]:
    assert promtool is not None
    return subprocess.run([promtool, *args], capture_output=True, text=True, timeout=60, check=False)


@needs_promtool
def test_scrape_config_is_valid() -> None:
    result = run_promtool("check", "config", "--syntax-only", str(DEPLOY / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_alert_rules_are_valid() -> None:
    result = run_promtool("check", "rules", str(DEPLOY / "rules" / "newsmon.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 rules found" in result.stdout


@needs_promtool
def test_alert_rules_fire_when_and_only_when_they_should() -> None:
    result = run_promtool("test", "rules", str(DEPLOY / "tests" / "rules_test.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
