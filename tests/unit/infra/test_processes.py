"""Process control stops exactly the process a pid file names, and only when its command line is ours."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsmon.errors import ConfigurationError
from newsmon.infra import processes

SLEEPER = "import time; print('ready', flush=True); time.sleep(120)"


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, "-c", SLEEPER, "newsmon-test-marker"], stdout=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stdout.readline() == b"ready\n"  # exec done: the command line is the sleeper's
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()
    process.stdout.close()


def test_running_pid_needs_a_live_process_with_our_markers(sleeper: subprocess.Popen[bytes], tmp_path: Path) -> None:
    pid_file = tmp_path / "x.pid"
    processes.write_pid(pid_file, sleeper.pid)
    assert processes.running_pid(pid_file, ["newsmon-test-marker"]) == sleeper.pid
    assert processes.running_pid(pid_file, ["newsmon-test-marker", "something-else"]) is None
    assert processes.running_pid(tmp_path / "missing.pid", ["newsmon-test-marker"]) is None


def test_stop_refuses_a_process_that_is_not_ours(sleeper: subprocess.Popen[bytes]) -> None:
    assert processes.stop_process(sleeper.pid, ["kafka.Kafka"]) is False
    assert sleeper.poll() is None


def test_stop_ends_our_process_and_waits_for_it(sleeper: subprocess.Popen[bytes]) -> None:
    assert processes.stop_process(sleeper.pid, ["newsmon-test-marker"], timeout=10) is True
    assert sleeper.wait(timeout=1) is not None
    assert processes.cmdline(sleeper.pid) is None


def test_a_stubborn_process_is_killed_after_the_timeout(tmp_path: Path) -> None:
    stubborn = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(120)",
            "newsmon-stubborn",
        ],
        stdout=subprocess.PIPE,
    )
    assert stubborn.stdout is not None
    assert stubborn.stdout.readline() == b"ready\n"
    assert processes.stop_process(stubborn.pid, ["newsmon-stubborn"], timeout=0.5) is True
    # stop_process reaps its own children, so Popen cannot see the signal any more: check the pid is gone.
    assert stubborn.wait(timeout=5) is not None
    assert processes.cmdline(stubborn.pid) is None
    stubborn.stdout.close()


def test_a_taken_port_is_reported_with_the_setting_to_change() -> None:
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(Exception, match="NEWSMON_INFRA__KAFKA_PORT"):
            processes.require_free_port("127.0.0.1", port, what="Kafka", setting="NEWSMON_INFRA__KAFKA_PORT")
    processes.require_free_port("127.0.0.1", port, what="Kafka", setting="NEWSMON_INFRA__KAFKA_PORT")


def test_a_run_folder_lock_makes_a_second_caller_wait_then_give_up(tmp_path: Path) -> None:
    lock = tmp_path / ".lock"
    with (
        processes.exclusive(lock, what="kafka"),
        pytest.raises(ConfigurationError, match="another newsmon process"),
        processes.exclusive(lock, what="kafka", timeout=0.3),
    ):
        pass
    with processes.exclusive(lock, what="kafka", timeout=0.3):
        pass  # released: the next caller gets it at once
