"""Debian's kcat, a client that is not ours, sees the broker: the listener is advertised correctly."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.integration


def test_kcat_lists_the_broker(kafka_bootstrap: str) -> None:
    kcat = shutil.which("kcat")
    if kcat is None:
        message = "kcat is not installed (apt-get install -y kcat)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    host, port = kafka_bootstrap.split(",")[0].rsplit(":", 1)
    result = subprocess.run(
        [kcat, "-L", "-b", kafka_bootstrap, "-m", "10"], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "1 brokers:" in result.stdout
    assert f"at {host}:{port}" in result.stdout
