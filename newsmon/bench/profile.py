"""Where each service spends its CPU during a benchmark: py-spy samples the processes, this sums the samples.

``newsmon bench run --profile DIR`` records every service for the measured window (py-spy's raw format, one file per
process, also loadable in speedscope) and prints the functions with the most samples, inclusive and own.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Recording:
    name: str
    output: Path
    process: subprocess.Popen[bytes]


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def record(name: str, pid: int, directory: Path, seconds: float, rate: int = 50) -> Recording | None:
    """Start sampling ``pid`` for ``seconds`` (None when py-spy is not installed: it is in the dev extra)."""
    executable = py_spy()
    if executable is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    output = directory / f"{name}.txt"
    command = [executable, "record", "--pid", str(pid), "--duration", str(max(1, round(seconds)))]
    command += ["--rate", str(rate), "--format", "raw", "--output", str(output), "--nonblocking"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Recording(name, output, process)


def finish(recordings: list[Recording], timeout: float = 60.0) -> None:
    for recording in recordings:
        try:
            recording.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            recording.process.terminate()
            recording.process.wait(timeout=10)


def _function(frame: str) -> str:
    # py-spy raw frames read "function (path/to/module.py:line)"; keep the function and the module's short path
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/newsmon/", "/services/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})"


def summarize(raw: Path, top: int = 12) -> tuple[int, list[tuple[str, float, float]]]:
    """(samples, [(function, inclusive share, own share)]) from a py-spy raw file, the heaviest first."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_function(frame) for frame in stack.split(";") if frame and not frame.startswith("process ")]
        frames = [frame for frame in frames if not frame.startswith("<module>")]
        if not frames:
            continue
        total += count
        for function in set(frames):
            inclusive[function] += count
        own[frames[-1]] += count
    if total == 0:
        return 0, []
    ranked = sorted(inclusive, key=lambda f: (own[f], inclusive[f]), reverse=True)[:top]
    return total, [(function, inclusive[function] / total, own[function] / total) for function in ranked]
