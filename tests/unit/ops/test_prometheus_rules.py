"""The Prometheus configuration and alert rules, checked by Prometheus' own promtool."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

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


def dashboard_expressions() -> list[str]:
    dashboard = json.loads((DEPLOY.parent / "grafana" / "dashboards" / "newsmon.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


@needs_promtool
def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    # promtool parses recording rules, so each panel query becomes one
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [{"record": f"dashboard:query_{n}", "expr": e} for n, e in enumerate(dashboard_expressions())],
            }
        ]
    }
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump(rules))
    result = run_promtool("check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_dashboard_and_rules_use_only_documented_series() -> None:
    from test_operations_doc import documented_series

    documented = set(documented_series()) | {"up"}
    used = set()
    sources = [*dashboard_expressions(), (DEPLOY / "rules" / "newsmon.yml").read_text()]
    for text in sources:
        used |= set(re.findall(r"\b(newsmon_[a-z_]+|up)\b(?=[{\[\s)])", text))
    histogram_parts = re.compile(r"_(bucket|sum|count)$")
    unknown = {name for name in used if name not in documented and histogram_parts.sub("", name) not in documented}
    assert unknown == set()
    assert len(used) >= 15


def test_grafana_provisioning_points_at_the_dashboard_and_prometheus() -> None:
    grafana = DEPLOY.parent / "grafana"
    datasource = yaml.safe_load((grafana / "provisioning" / "datasources" / "prometheus.yml").read_text())
    [source] = datasource["datasources"]
    dashboard = json.loads((grafana / "dashboards" / "newsmon.json").read_text())
    uids = {target["datasource"]["uid"] for panel in dashboard["panels"] for target in panel.get("targets", [])}
    assert uids == {source["uid"]}
    assert dashboard["uid"] == "newsmon-overview"
    assert all(panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24 for panel in dashboard["panels"])


def test_scrape_targets_match_the_compose_services_and_ports() -> None:
    compose = yaml.safe_load((DEPLOY.parents[1] / "docker-compose.yml").read_text())
    services = compose["services"]
    config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    targets = {
        target for job in config["scrape_configs"] for group in job["static_configs"] for target in group["targets"]
    }
    for target in targets:
        host, port = target.rsplit(":", 1)
        assert host in services, f"{target}: no service {host} in docker-compose.yml"
        environment = services[host].get("environment", {})
        command = [str(part) for part in services[host].get("command", [])]
        # `lag-exporter --port` wins over the settings every service shares
        served = command[command.index("--port") + 1] if "--port" in command else environment["NEWSMON_METRICS__PORT"]
        assert str(served) == port, f"{target}: {host} serves metrics on {served}"
    long_running = {name for name, service in services.items() if service.get("command", [""])[0] in
                    {"ingest", "enrich", "alert", "index", "webhooks"}}  # fmt: skip
    assert long_running <= {target.rsplit(":", 1)[0] for target in targets}
