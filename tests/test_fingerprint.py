"""Fingerprints of repeated paragraphs (search/fingerprint.py)."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from search.ingest import fingerprint
from search.ingest.fingerprint import exact_fingerprint, is_near, jaccard, minhash_bands, word_pairs

BASE = (
    "Russian forces recently advanced in Kursk Oblast and near Toretsk, Pokrovsk, "
    "Kurakhove, and Robotyne, according to geolocated footage."
)
MIRRORED = (
    "Russian forces recently advanced in Kursk Oblast and near Toretsk, Pokrovsk, Kurakhove "
    "and Robotyne according to geolocated footage published on December 14."
)
OTHER = "Ukrainian forces struck a Russian oil depot in Bryansk Oblast overnight, the General Staff said."


def test_exact_fingerprint_ignores_case_punctuation_markers_and_spacing():
    assert exact_fingerprint(BASE) == exact_fingerprint(BASE.upper().replace(",", " ,") + "[12]")
    assert exact_fingerprint(BASE) != exact_fingerprint(MIRRORED)


def test_near_duplicates_share_a_band_and_pass_the_jaccard_check():
    assert set(minhash_bands(BASE)) & set(minhash_bands(MIRRORED))
    assert is_near(BASE, MIRRORED)
    assert not is_near(BASE, OTHER)
    assert not set(minhash_bands(BASE)) & set(minhash_bands(OTHER))


def test_bands_are_stable_and_ten():
    bands = minhash_bands(BASE)
    assert bands == minhash_bands(BASE) and len(bands) == 10
    assert [band >> 48 for band in bands] == list(range(10))
    assert minhash_bands("") == []


def test_jaccard_of_word_pairs():
    assert word_pairs("a b c") == {"a b", "b c"}
    assert jaccard({"x"}, {"x"}) == 1.0 and jaccard(set(), set()) == 1.0
    assert jaccard({"a b"}, {"b c"}) == 0.0


@pytest.mark.parametrize("text", [BASE, MIRRORED, "", "One.", "[3] two words", "a b a b a"])
def test_signature_is_the_minhash_of_the_word_pairs(text):
    pairs = word_pairs(text)
    hashed = [int.from_bytes(hashlib.blake2b(p.encode(), digest_size=4).digest(), "big") % fingerprint._PRIME
              for p in pairs]
    permuted = (np.outer(np.array(hashed, dtype=np.uint64), fingerprint._A) + fingerprint._B) % fingerprint._PRIME
    expected = tuple(int(v) for v in permuted.min(axis=0)) if pairs else ()
    assert fingerprint.minhash_signature(text) == expected
    assert fingerprint.fingerprints(text) == (exact_fingerprint(text), expected)
