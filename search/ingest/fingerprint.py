"""Fingerprints that tell repeated paragraphs apart from new ones.

Reports repeat themselves: a daily disclaimer, takeaways restated in the
body, one update mirrored on two sites.  Two fingerprints catch that:

* :func:`exact_fingerprint` hashes the text after normalisation (case,
  punctuation, footnote markers and spacing do not count);
* :func:`minhash_bands` gives each paragraph ten band keys from a MinHash
  of its word pairs; paragraphs that share a band are candidates, and
  :func:`is_near` confirms a candidate when the word-pair Jaccard
  similarity is at least :data:`NEAR_JACCARD`.  Banding finds the
  candidates by sorted key lookups instead of comparing every pair of
  paragraphs.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

NEAR_JACCARD = 0.6
BANDS, ROWS = 10, 3
_PRIME = (1 << 31) - 1
# Fixed permutations h -> (a*h + b) mod p, so fingerprints are stable across
# runs; with p < 2**31 the products fit in unsigned 64-bit arithmetic.
_A = np.array(
    [int.from_bytes(hashlib.blake2b(f"a{i}".encode(), digest_size=4).digest(), "big") % (_PRIME - 1) + 1
     for i in range(BANDS * ROWS)],
    dtype=np.uint64,
)
_B = np.array(
    [int.from_bytes(hashlib.blake2b(f"b{i}".encode(), digest_size=4).digest(), "big") % _PRIME
     for i in range(BANDS * ROWS)],
    dtype=np.uint64,
)
_WORD = re.compile(r"\w+")
_MARKER = re.compile(r"\[\d{1,4}\]")


def normalised_words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, without footnote markers or punctuation."""
    return _WORD.findall(_MARKER.sub(" ", text).casefold())


def exact_fingerprint(text: str) -> str:
    """Equal for paragraphs that differ only in case, punctuation or spacing."""
    return hashlib.sha1(" ".join(normalised_words(text)).encode("utf-8")).hexdigest()[:16]


def word_pairs(text: str) -> set[str]:
    """The set of adjacent word pairs (2-shingles) of ``text``."""
    words = normalised_words(text)
    if len(words) < 2:
        return set(words)
    return {f"{words[i]} {words[i + 1]}" for i in range(len(words) - 1)}


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=4).digest(), "big") % _PRIME


class _PairHashes(dict):
    """(word, word) -> the hash of ``"word word"``, computed once per pair: pairs repeat across paragraphs."""

    LIMIT = 500_000  # pairs remembered; then it starts afresh

    def __missing__(self, pair: tuple[str, str]) -> int:
        value = self[pair] = _hash(" ".join(pair))
        return value


_PAIR_HASHES = _PairHashes()


def minhash_signature(text: str) -> tuple[int, ...]:
    """The MinHash signature (``BANDS * ROWS`` values) of ``text``'s word pairs; () for no words."""
    return _signature(normalised_words(text))


def _signature(words: list[str]) -> tuple[int, ...]:
    # The word pairs of word_pairs(), as tuples: words hold no spaces.  A
    # pair that occurs twice is hashed twice, not made unique first: the
    # minimum below is the same, and building a set costs more than the
    # few extra rows.
    if len(words) < 2:
        hashes = [_hash(word) for word in words]
    else:
        if len(_PAIR_HASHES) > _PairHashes.LIMIT:
            _PAIR_HASHES.clear()
        hashes = list(map(_PAIR_HASHES.__getitem__, zip(words, words[1:])))
    if not hashes:
        return ()
    hashed = np.array(hashes, dtype=np.uint64)
    return tuple(((np.outer(hashed, _A) + _B) % _PRIME).min(axis=0).tolist())


def fingerprints(text: str) -> tuple[str, tuple[int, ...]]:
    """``(exact_fingerprint(text), minhash_signature(text))``, the words found once."""
    words = normalised_words(text)
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()[:16], _signature(words)


# Odd 64-bit multipliers for the rows of a band, and one to mix the sum:
# band keys are computed for whole arrays of signatures at once (numpy's
# uint64 arithmetic wraps), so the index keeps signatures, not band terms (#17).
_ROW_MULTIPLIERS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_BAND_NUMBERS = np.arange(BANDS, dtype=np.uint64) << np.uint64(48)
_LOW_48 = np.uint64((1 << 48) - 1)


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """The band keys of MinHash signatures: an ``(n, BANDS)`` uint64 array for ``(n, BANDS * ROWS)`` values.

    A key is the band's number in the top 16 bits and a 48-bit hash of its
    ``ROWS`` values below: paragraphs that share a key are candidates.

    >>> band_keys(np.zeros((1, BANDS * ROWS), dtype=np.uint32)).shape
    (1, 10)
    """
    rows = np.asarray(signatures, dtype=np.uint64).reshape(-1, BANDS, ROWS)
    mixed = (rows * _ROW_MULTIPLIERS).sum(axis=2, dtype=np.uint64)
    mixed ^= mixed >> np.uint64(31)
    mixed *= _MIX
    mixed ^= mixed >> np.uint64(29)
    return _BAND_NUMBERS | (mixed & _LOW_48)


def signature_bands(signature: tuple[int, ...]) -> list[int]:
    """The band keys (see :func:`band_keys`) of one MinHash signature; [] for no words."""
    if not signature:
        return []
    return band_keys(np.array([signature], dtype=np.uint32))[0].tolist()


def minhash_bands(text: str) -> list[int]:
    """Band keys of ``text`` (see :func:`signature_bands`)."""
    return signature_bands(minhash_signature(text))


def may_be_near(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """A cheap first test on signatures: do they agree in at least half their values?

    The share of equal MinHash values estimates the Jaccard similarity; half
    leaves room for the estimate's noise below :data:`NEAR_JACCARD`, and
    :func:`is_near` then decides on the words themselves.
    """
    if not a or not b:
        return False
    return sum(x == y for x, y in zip(a, b)) * 2 >= len(a)


def jaccard(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / |a ∪ b|, 1.0 for two empty sets."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def is_near(text_a: str, text_b: str) -> bool:
    """True when two paragraphs are near-duplicates (word-pair Jaccard ≥ NEAR_JACCARD)."""
    return jaccard(word_pairs(text_a), word_pairs(text_b)) >= NEAR_JACCARD
