"""Benchmark of the places part: cold build, cache load, matching throughput (figures for docs/benchmarks.md).

Run ``python -m services.enricher._gazetteer_bench [--seeds DIR] [--rounds N]``. Each phase runs in a fresh process
so that its peak memory is its own: a cold build into a temporary cache directory, a warm load of that cache, and
``PlaceFinder.find`` over the seed articles (CPU time of one process, so the figure is per core).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _phase_build(cache_dir: Path) -> dict[str, Any]:
    from services.enricher.gazetteer import cache_path, load_gazetteer

    started, cpu_started = time.perf_counter(), time.process_time()
    gazetteer = load_gazetteer(cache_dir, rebuild=True)
    return {
        "build_s": round(time.perf_counter() - started, 2),
        "build_cpu_s": round(time.process_time() - cpu_started, 2),
        "peak_rss_mb": round(_peak_rss_mb()),
        "records": len(gazetteer),
        "keys": len(gazetteer.key_lengths),
        "cache_mb": round(cache_path(cache_dir).stat().st_size / 2**20),
    }


def _phase_load(cache_dir: Path) -> dict[str, Any]:
    before = _peak_rss_mb()
    from services.enricher.gazetteer import load_gazetteer

    started, cpu_started = time.perf_counter(), time.process_time()
    load_gazetteer(cache_dir)
    return {
        "load_s": round(time.perf_counter() - started, 2),
        "load_cpu_s": round(time.process_time() - cpu_started, 2),
        "peak_rss_mb": round(_peak_rss_mb()),
        "rss_added_mb": round(_peak_rss_mb() - before),
    }


def _phase_match(cache_dir: Path, seeds: Path, rounds: int) -> dict[str, Any]:
    from services.enricher.gazetteer import load_gazetteer
    from services.enricher.places import PlaceFinder

    finder = PlaceFinder(load_gazetteer(cache_dir))
    texts = [path.read_text(encoding="utf-8") for path in sorted(seeds.glob("*.txt"))]
    mentions = sum(len(finder.find(text)) for text in texts)  # warm-up, and the count
    kilobytes = sum(len(text.encode("utf-8")) for text in texts) / 1000
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for _ in range(rounds):
            for text in texts:
                finder.find(text)
        best = min(best, (time.process_time() - started) / rounds)
    return {
        "articles": len(texts),
        "kilobytes": round(kilobytes, 1),
        "mentions": mentions,
        "articles_per_s": round(len(texts) / best),
        "ms_per_article": round(best / len(texts) * 1000, 3),
        "ms_per_kb": round(best / kilobytes * 1000, 3),
    }


def _run_phase(name: str, cache_dir: Path, seeds: Path, rounds: int) -> dict[str, Any]:
    command = [sys.executable, "-m", __name__.replace("__main__", "services.enricher._gazetteer_bench")]
    command += ["--phase", name, "--cache-dir", str(cache_dir), "--seeds", str(seeds), "--rounds", str(rounds)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phase", choices=("build", "load", "match"))
    parser.add_argument("--cache-dir", type=Path)
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args(argv)
    if args.phase is not None:
        phases = {
            "build": lambda: _phase_build(args.cache_dir),
            "load": lambda: _phase_load(args.cache_dir),
            "match": lambda: _phase_match(args.cache_dir, args.seeds, args.rounds),
        }
        print(json.dumps(phases[args.phase]()))
        return
    with tempfile.TemporaryDirectory(prefix="newsmon-gazetteer-bench-") as directory:
        cache_dir = Path(directory)
        report: dict[str, Any] = {
            name: _run_phase(name, cache_dir, args.seeds, args.rounds) for name in ("build", "load", "match")
        }
    report["load_average"] = [round(value, 1) for value in os.getloadavg()]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
