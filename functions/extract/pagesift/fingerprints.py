"""Fingerprints of a document's text: exact (sha256) and near-duplicate (64-bit simhash)."""

from __future__ import annotations

import hashlib
import re

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
    weights = [0] * 64
    for shingle in shingles:
        value = int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if value >> bit & 1 else -1
    fingerprint = sum(1 << bit for bit in range(64) if weights[bit] > 0)
    return f"{fingerprint:016x}"


def hamming_distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
