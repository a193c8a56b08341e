"""Story signatures: tell a rewrite of the same story from an independent report.

A signature is a bottom-k MinHash sketch (one hash function, the k smallest values) over the set of adjacent
content-word pairs of an article, each word cut to its first letters so that inflections ("captured"/"capture")
meet. Rewrites keep many such pairs ("precis strike", "comman post", "russia milita") even when the sentences are
reworded; independent reports of the same events share far fewer. Bottom-k sketches of two articles let one estimate
*containment* (how much of the shorter article is found in the longer one), which is what a shortened rewrite keeps
high, where plain Jaccard similarity is dragged down by the longer original.

This module is shared: the enricher computes signatures, the alerter compares them. It has no dependencies.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from itertools import pairwise

from newsmon.contracts.claims import HASH_BITS, StorySignature

SKETCH_SIZE = 256
STEM_LENGTH = 6
SHINGLE_SIZE = 2
COPY_THRESHOLD = 0.14
"""Containment above which two articles count as copies of one story (seeds: rewrite 0.19, independent <= 0.09)."""

HASH_SPACE = float(1 << HASH_BITS)
# words (runs of [a-z0-9]) longer than two characters: a run too short cannot hold a match, a longer one is matched
# whole, so this is the same as filtering the runs by length
_LONG_WORD = re.compile(r"[a-z0-9]{3,}")
_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "during",
        "each",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "however",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "may",
        "more",
        "most",
        "much",
        "not",
        "of",
        "on",
        "one",
        "or",
        "other",
        "our",
        "over",
        "said",
        "says",
        "she",
        "should",
        "since",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "there",
        "these",
        "they",
        "this",
        "those",
        "three",
        "through",
        "to",
        "two",
        "under",
        "until",
        "up",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "will",
        "with",
        "would",
        "yet",
        "you",
        "your",
    ]
)


def content_words(text: str) -> list[str]:
    """Lower-cased words of the text without stop words and very short words, cut to ``STEM_LENGTH`` letters."""
    return [word[:STEM_LENGTH] for word in _LONG_WORD.findall(text.lower()) if word not in _STOPWORDS]


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[str]:
    words = content_words(text)
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def sketch(items: Iterable[str], size: int = SKETCH_SIZE) -> tuple[int, ...]:
    """The ``size`` smallest distinct hash values of the items, ascending."""
    # the hash: CRC-32, stable across processes and Python versions, unlike hash(), and several times faster than a
    # cryptographic digest; 32 bits keep a signature small (a thousand shingles collide with odds of about 1e-4).
    crc32 = zlib.crc32
    return tuple(sorted({crc32(item.encode("utf-8")) for item in items})[:size])


# content_words over the UTF-8 bytes of the lower-cased text: a character outside ASCII is encoded in bytes that
# are not [a-z0-9] either, so the words are the same, and ready to hash without encoding each shingle
_LONG_WORD_BYTES = re.compile(rb"[a-z0-9]{3,}")
_STOPWORDS_BYTES = frozenset(word.encode("ascii") for word in _STOPWORDS)


def signature(text: str, *, size: int = SKETCH_SIZE) -> StorySignature:
    """Story signature of an article text (title and body joined by the caller).

    The same as ``sketch(shingles(text), size)``, computed on bytes (``tests/unit/enricher/test_fast_paths.py``).
    """
    encoded = text.lower().encode("utf-8", "surrogatepass")
    words = [word[:STEM_LENGTH] for word in _LONG_WORD_BYTES.findall(encoded) if word not in _STOPWORDS_BYTES]
    crc32 = zlib.crc32
    if len(words) < SHINGLE_SIZE:
        hashes = {crc32(b" ".join(words))} if words else set()
    elif SHINGLE_SIZE == 2:
        hashes = {crc32(first + b" " + second) for first, second in pairwise(words)}
    else:
        hashes = {crc32(b" ".join(words[i : i + SHINGLE_SIZE])) for i in range(len(words) - SHINGLE_SIZE + 1)}
    # the values are CRC-32s, sorted and distinct: valid as they are, and validating 256 of them is not free
    return StorySignature.model_construct(minhash=tuple(sorted(hashes)[:size]), shingle_size=SHINGLE_SIZE)


def _estimated_cardinality(values: Sequence[int], size: int) -> float:
    if len(values) < size:
        return float(len(values))  # the sketch holds the whole set
    return (size - 1) / (values[-1] / HASH_SPACE)


def similarity(a: StorySignature, b: StorySignature) -> float:
    """Estimated containment of the smaller article's shingles in the other's, 0..1.

    ``>= COPY_THRESHOLD`` means the two texts are one story (a copy or rewrite), not independent reports.
    """
    if not a.minhash or not b.minhash:
        return 0.0
    set_a, set_b = set(a.minhash), set(b.minhash)
    # Each sketch holds its set's smallest values, so the smallest of their union sketch the union of the sets.
    union_sketch = sorted(set_a | set_b)[:SKETCH_SIZE]
    shared = sum(1 for value in union_sketch if value in set_a and value in set_b)
    jaccard = shared / len(union_sketch)
    count_a = _estimated_cardinality(a.minhash, SKETCH_SIZE)
    count_b = _estimated_cardinality(b.minhash, SKETCH_SIZE)
    intersection = jaccard * (count_a + count_b) / (1.0 + jaccard)
    return min(1.0, intersection / min(count_a, count_b))


def is_copy(a: StorySignature, b: StorySignature, threshold: float = COPY_THRESHOLD) -> bool:
    return similarity(a, b) >= threshold
