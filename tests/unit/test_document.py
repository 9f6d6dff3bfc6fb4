import pytest

from pagesift.contracts.document import MAX_S3_KEY_BYTES, document_key
from pagesift.extraction.fingerprints import hamming_distance, simhash


@pytest.mark.parametrize(
    ("source_key", "expected"),
    [
        ("news/a.html", "documents/news/a.html.json"),
        ("a b+c.html", "documents/a b+c.html.json"),
        ("noticias/leçon de français.html", "documents/noticias/leçon de français.html.json"),
        ("a/b/c/d/e/f/g/page.html", "documents/a/b/c/d/e/f/g/page.html.json"),
    ],
)
def test_document_key_rule(source_key, expected):
    assert document_key(source_key) == expected


def test_document_key_prefix_is_configurable():
    assert document_key("x.html", "out/") == "out/x.html.json"


@pytest.mark.parametrize("source_key", ["../etc/passwd", "a/../b.html", "a/./b", "tab\there", "nul\x00key", "é" * 600])
def test_unsafe_or_long_keys_map_to_valid_unique_keys(source_key):
    key = document_key(source_key)
    assert len(key.encode("utf-8")) <= MAX_S3_KEY_BYTES
    assert "/../" not in f"/{key}" and "/./" not in f"/{key}"
    assert not any(ord(c) < 32 for c in key)
    assert key.endswith(".json") and key.startswith("documents/")
    assert document_key(source_key + "x") != key


def test_long_keys_that_share_a_prefix_stay_distinct():
    base = "p/" + "x" * 1100
    assert document_key(base + "1") != document_key(base + "2")


def test_simhash_is_close_for_near_duplicates_and_far_for_different_texts():
    text = " ".join(f"word{i} common text of an article" for i in range(200))
    edited = text.replace("word5 ", "changed ", 1)
    other = " ".join(f"term{i} unrelated sentence about something else" for i in range(200))
    assert hamming_distance(simhash(text), simhash(edited)) <= 6
    assert hamming_distance(simhash(text), simhash(other)) > 10
    assert simhash("") == "0" * 16


def _simhash_by_definition(text: str) -> str:
    """Charikar's simhash written out bit by bit: the fingerprint contract the fast tally must keep."""
    import hashlib
    import re

    tokens = re.findall(r"\w+", text.lower())
    if not tokens:
        return "0" * 16
    shingles = [" ".join(tokens[i : i + 3]) for i in range(max(len(tokens) - 2, 1))]
    weights = [0] * 64
    for shingle in shingles:
        value = int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if value >> bit & 1 else -1
    return f"{sum(1 << bit for bit in range(64) if weights[bit] > 0):016x}"


@pytest.mark.parametrize(
    "text",
    ["one", "two words", "three little words", "Le port de Tanger bat un record", "ميناء طنجة يحطم رقما قياسيا", " ".join(f"w{i % 37}" for i in range(5000))],
)
def test_simhash_matches_its_definition(text):
    assert simhash(text) == _simhash_by_definition(text)
