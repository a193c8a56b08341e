"""``newsmon.story.similarity`` with the same result, fast enough to run against every article of an alert.

The alerter compares each new article with every article already counted in an alert, so one claim can cost a
hundred comparisons. The shared function builds two sets and sorts their union on each call; here each signature
is prepared once (its distinct values as a set and as a sorted list, kept for the latest signatures used), and a
pair costs a set intersection plus, only when the sketches overlap, a few binary searches for the k-th smallest
value of the union. The arithmetic on the counts is the shared function's own, so the floats are identical.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from newsmon.contracts import StorySignature
from newsmon.story import HASH_SPACE, SKETCH_SIZE

CACHE_SIZE = 1024
"""Signatures kept prepared (about 10 kB each at 256 values, so ~10 MB at most): many places' articles."""


@dataclass(frozen=True, slots=True)
class _Prepared:
    signature: StorySignature  # held so that its id() stays unique while the entry lives
    values: frozenset[int]
    ordered: list[int]
    count: float


_prepared: dict[int, _Prepared] = {}


def _estimated_cardinality(values: tuple[int, ...]) -> float:
    if len(values) < SKETCH_SIZE:
        return float(len(values))
    return (SKETCH_SIZE - 1) / (values[-1] / HASH_SPACE)


def prepare(signature: StorySignature) -> _Prepared:
    entry = _prepared.get(id(signature))
    if entry is not None and entry.signature is signature:
        return entry
    while _prepared and len(_prepared) >= CACHE_SIZE:
        del _prepared[next(iter(_prepared))]  # the oldest prepared
    values = frozenset(signature.minhash)
    entry = _Prepared(signature, values, sorted(values), _estimated_cardinality(signature.minhash))
    _prepared[id(signature)] = entry
    return entry


def _kth_smallest_of_union(a: list[int], b: list[int], shared: list[int], k: int) -> int:
    """The k-th smallest (1-based) value of the union of two sorted distinct lists whose common values are
    ``shared`` (sorted). Requires the union to hold at least k values."""

    def rank(value: int) -> int:
        return bisect_right(a, value) + bisect_right(b, value) - bisect_right(shared, value)

    best: int | None = None
    for values in (a, b):
        low, high = 0, len(values)
        while low < high:  # first index whose value has at least k union values at or below it
            middle = (low + high) // 2
            if rank(values[middle]) >= k:
                high = middle
            else:
                low = middle + 1
        if low < len(values) and (best is None or values[low] < best):
            best = values[low]
    assert best is not None
    return best


def similarity(a: StorySignature, b: StorySignature) -> float:
    """Estimated containment of the smaller article's shingles in the other's, exactly as ``newsmon.story``."""
    if not a.minhash or not b.minhash:
        return 0.0
    first, second = prepare(a), prepare(b)
    common = first.values & second.values
    union_size = len(first.values) + len(second.values) - len(common)
    sketched = min(union_size, SKETCH_SIZE)
    if not common:
        shared = 0
    elif union_size <= SKETCH_SIZE:
        shared = len(common)
    else:
        ordered_common = sorted(common)
        threshold = _kth_smallest_of_union(first.ordered, second.ordered, ordered_common, SKETCH_SIZE)
        shared = bisect_right(ordered_common, threshold)
    jaccard = shared / sketched
    count_a, count_b = first.count, second.count
    intersection = jaccard * (count_a + count_b) / (1.0 + jaccard)
    return min(1.0, intersection / min(count_a, count_b))
