"""Fingerprints of a document's text: exact (sha256) and near-duplicate (64-bit simhash)."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

_TOKEN = re.compile(r"\w+")
_SHINGLE = 3  # words per feature: short enough to survive small edits, long enough to carry order


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def simhash(text: str) -> str:
    """Charikar's simhash over word 3-shingles, as 16 hex digits.

    Pages that differ by a few words (a changed timestamp, a new comment) get hashes a few
    bits apart, so an index can find near-duplicates by Hamming distance.
    """
    tokens = _TOKEN.findall(text.lower())
    if not tokens:
        return "0" * 16
    shingles = [" ".join(tokens[i : i + _SHINGLE]) for i in range(max(len(tokens) - _SHINGLE + 1, 1))]
    # The per-bit tally runs in C: the digests are laid end to end, each of their 8 byte
    # positions is counted by value, and only the 8 × 256 value counts are split into bits
    # (a Python loop over 64 bits of every shingle took a fifth of the extraction time).
    digests = b"".join(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest() for shingle in shingles)
    ones = [0] * 64  # per bit (0 = least significant), how many shingle hashes have it set
    for position in range(8):  # digest byte 0 is the most significant (big-endian value)
        low_bit = 8 * (7 - position)
        for value, count in Counter(digests[position::8]).items():
            for k in range(8):
                if value >> k & 1:
                    ones[low_bit + k] += count
    # A bit of the fingerprint is set when more shingles have it set than not.
    fingerprint = sum(1 << bit for bit in range(64) if 2 * ones[bit] > len(shingles))
    return f"{fingerprint:016x}"


def hamming_distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
