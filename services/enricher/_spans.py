"""Containment of one span in any of many, by bisection: the pipeline asks it for every place of an article."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate


class Cover:
    """Answers ``any(s <= start and end <= e for s, e in spans)`` without going through all the spans."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [start for start, _ in ordered]
        # the furthest end among the spans that start at or before each one: one of them covers [start, end)
        # exactly when that furthest end reaches ``end``
        self._reach = list(accumulate((end for _, end in ordered), max))

    def covers(self, start: int, end: int) -> bool:
        index = bisect_right(self._starts, start)
        return index > 0 and self._reach[index - 1] >= end
