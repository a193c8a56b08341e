"""Pid files and process control: stop exactly what we started, and nothing that merely reused its pid."""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import signal
import socket
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from newsmon.errors import ConfigurationError


def read_pid(pid_file: Path) -> int | None:
    try:
        text = pid_file.read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def write_pid(pid_file: Path, pid: int) -> None:
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(f"{pid}\n")


def cmdline(pid: int) -> list[str] | None:
    """The argument vector of a live process, or None when it is gone (or a zombie)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError):
        return None
    if state == "Z" or not raw:
        return None
    return [part.decode(errors="replace") for part in raw.rstrip(b"\0").split(b"\0")]


def is_our_process(pid: int, markers: Sequence[str]) -> bool:
    """True when the pid is alive and its command line contains every marker (so a recycled pid is never ours)."""
    args = cmdline(pid)
    if args is None:
        return False
    joined = "\0".join(args)
    return all(marker in joined for marker in markers)


def running_pid(pid_file: Path, markers: Sequence[str]) -> int | None:
    pid = read_pid(pid_file)
    if pid is not None and is_our_process(pid, markers):
        return pid
    return None


def stop_process(pid: int, markers: Sequence[str], *, timeout: float = 60.0) -> bool:
    """SIGTERM, wait for the exit, SIGKILL after the timeout. False when the pid was not ours to stop."""
    if not is_our_process(pid, markers):
        return False
    started = _start_time(pid)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if wait_exited(pid, started, timeout):
        return True
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    wait_exited(pid, started, 10.0)
    return True


def wait_exited(pid: int, started: str | None, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pid)
        if not _alive(pid, started):
            return True
        time.sleep(0.1)
    return False


def _stat_fields(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def _start_time(pid: int) -> str | None:
    fields = _stat_fields(pid)
    return fields[19] if fields else None  # field 22 of stat: start time in clock ticks since boot


def _alive(pid: int, started: str | None) -> bool:
    """Whether any thread of the process still runs.

    A JVM's main thread can exit first: the leader then shows as a zombie (and its cmdline reads empty) while the
    shutdown threads are still at work, so "zombie" alone does not mean the process is gone.
    """
    fields = _stat_fields(pid)
    if fields is None or fields[19] != started:
        return False
    if fields[0] != "Z":
        return True
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    threads = next((line.split()[1] for line in status.splitlines() if line.startswith("Threads:")), "1")
    return int(threads) > 1


def _reap(pid: int) -> None:
    # When this process spawned the server (tests, `infra up` in one go) the exited child must be reaped.
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def require_free_port(host: str, port: int, *, what: str, setting: str) -> None:
    if port_in_use(host, port):
        raise ConfigurationError(
            f"port {port} on {host} is already taken, so {what} cannot listen there. Stop whatever uses it "
            f"(`ss -ltnp 'sport = :{port}'` shows it) or choose another port with {setting}"
        )
    # Kafka and Elasticsearch listen with SO_REUSEADDR, so connections left in TIME_WAIT by a stopped server on the
    # same port do not stop them: check the way they bind.
    if not _bindable(host, port, reuse_address=True):
        raise ConfigurationError(
            f"port {port} on {host} is already taken (by a connection, `ss -tan 'sport = :{port}'` shows it), so "
            f"{what} cannot listen there. Wait a minute for it to close or choose another port with {setting}"
        )


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on, chosen below the kernel's ephemeral range.

    A port the kernel hands out (bind to 0) lies in the range it also uses for the source ports of outgoing
    connections; on a busy machine one of those can occupy it (even in TIME_WAIT) by the time the server binds.
    """
    low, high = _ephemeral_range()
    candidates = range(20_000, min(low, 32_768)) if low > 20_100 else range(high + 1, 65_000)
    for port in random.sample(candidates, k=min(64, len(candidates))):
        if _bindable(host, port):
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32_768, 60_999


def _bindable(host: str, port: int, *, reuse_address: bool = False) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if reuse_address:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def tail(path: Path, lines: int = 20) -> str:
    try:
        content = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(content[-lines:])


@contextlib.contextmanager
def exclusive(lock_file: Path, *, what: str, timeout: float = 600.0) -> Iterator[None]:
    """Hold an advisory lock: two `infra up` (or an `up` and a `down`) on one run folder take turns."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ConfigurationError(
                        f"another newsmon process has held {lock_file} for {timeout:.0f}s while starting or "
                        f"stopping {what}; check `ps` for it"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
