"""The language of a page: the one it declares, else the one its text is written in.

Declared: ``<html lang>``, then the page's content-language or ``og:locale`` meta tags, then the
object's Content-Language. Detected, for pages that declare nothing: langdetect (pure Python,
its 55 language profiles ship in the package: no network, no model download), seeded so that
the same text always gives the same answer. Its own start-up builds
a table of every n-gram of every profile with one probability per language (87,598 lists of
55 floats: about 0.25 s and 50 MB); here the profiles are only read (about 50 ms) and a
word's probabilities are computed the first time a text uses it, which gives the detector the
same numbers. The profiles are read when this module is imported, at the start of the process,
so that no page pays for them.
"""

from __future__ import annotations

import json
import os
import re

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

# Below these, a guess is noise: a few words, or a text the detector is unsure of.
MIN_CHARACTERS = 80
MIN_PROBABILITY = 0.90
# enough for a stable answer: on the 1,415 development pages 1,500 characters give the answer
# 3,000 give on all but one (which becomes "unknown"), in 4.4 ms a page instead of 6.9
SAMPLE_CHARACTERS = 1500
SEED = 0

# Attribute runs are bounded ({0,1024}): with "[^>]*" a page of unclosed "<meta" or "<html"
# tags costs quadratic time (85 s for 68 KB), which no regex engine interrupts.
_HTML_LANG = re.compile(
    r"<html\b[^>]{0,1024}?\blang\s*=\s*[\"']?\s*([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9-]*)?", re.IGNORECASE
)
_META_LANG = re.compile(
    r"<meta\b[^>]{0,1024}?(?:http-equiv\s*=\s*[\"']?content-language|property\s*=\s*[\"']?og:locale)[^>]{0,1024}>",
    re.IGNORECASE,
)
_CONTENT_ATTR = re.compile(r"\bcontent\s*=\s*[\"']?\s*([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9-]*)?", re.IGNORECASE)
_HEADER_LANG = re.compile(r"\s*([a-zA-Z]{2,3})")
DECLARATION_SEARCH_CHARACTERS = 65_536  # where a page declares its language: its head
# ISO 639-2 codes that pages sometimes declare instead of the two-letter ones.
_ISO639_2_TO_1 = {
    "eng": "en",
    "fra": "fr",
    "fre": "fr",
    "spa": "es",
    "ara": "ar",
    "deu": "de",
    "ger": "de",
    "ita": "it",
    "por": "pt",
    "nld": "nl",
    "dut": "nl",
    "rus": "ru",
    "zho": "zh",
    "chi": "zh",
}


class _WordProbabilities(dict):
    """n-gram -> its probability in each profile's language, in the order of the profiles.

    The mapping langdetect's detector reads (``word in table``, ``table[word]``), filled on
    demand from the profiles' counts as langdetect's ``add_profile`` would fill it up front.
    """

    def __init__(self, profiles: list[dict]) -> None:
        super().__init__()
        self._counts = [(profile["freq"], profile["n_words"]) for profile in profiles]
        self._known = frozenset().union(*(counts for counts, _ in self._counts))

    def __contains__(self, word: object) -> bool:
        return word in self._known

    def __missing__(self, word: str) -> list[float]:
        length = len(word)
        if not 1 <= length <= 3 or word not in self._known:
            probabilities = [0.0] * len(self._counts)
        else:
            probabilities = [counts.get(word, 0) / n_words[length - 1] for counts, n_words in self._counts]
        self[word] = probabilities
        return probabilities


def _load_factory() -> DetectorFactory:
    # The files langdetect's own loader reads: every regular file of its profiles directory.
    try:
        names = sorted(
            n
            for n in os.listdir(PROFILES_DIRECTORY)
            if not n.startswith(".") and os.path.isfile(os.path.join(PROFILES_DIRECTORY, n))
        )
    except OSError as error:
        raise ImportError(
            f"langdetect's language profiles cannot be read from {PROFILES_DIRECTORY}: {error}"
        ) from error
    profiles = []
    for name in names:
        with open(os.path.join(PROFILES_DIRECTORY, name), encoding="utf-8") as file:
            profiles.append(json.load(file))
    if len(profiles) < 2:
        raise ImportError(f"langdetect's language profiles are missing from {PROFILES_DIRECTORY}")
    factory = DetectorFactory()
    factory.langlist = [profile["name"] for profile in profiles]
    factory.word_lang_prob_map = _WordProbabilities(profiles)
    factory.set_seed(SEED)
    return factory


_factory = _load_factory()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language, or None when it cannot be told with confidence."""
    sample = text[:SAMPLE_CHARACTERS]
    if len(sample.strip()) < MIN_CHARACTERS:
        return None
    detector = _factory.create()  # a detector per text: it holds the text and its random state
    detector.append(sample)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return None
    if best.prob < MIN_PROBABILITY:
        return None
    return best.lang.split("-")[0]  # zh-cn, zh-tw -> zh


def page_language(html: str, text: str, *, content_language: str | None = None) -> str | None:
    """ISO 639-1 code of the page's language: declared, else detected from ``text``."""
    return declared_language(html, content_language) or detect_language(text)


def declared_language(html: str, content_language: str | None = None) -> str | None:
    """The page's declared language: <html lang>, then its meta tags, then Content-Language."""
    head = html[:DECLARATION_SEARCH_CHARACTERS]
    match = _HTML_LANG.search(head)
    if match and (code := _iso639_1(match.group(1))):
        return code
    for tag in _META_LANG.finditer(head):
        content = _CONTENT_ATTR.search(tag.group(0))
        if content and (code := _iso639_1(content.group(1))):
            return code
    if content_language:
        first = _HEADER_LANG.match(content_language)
        if first and (code := _iso639_1(first.group(1))):
            return code
    return None


def _iso639_1(code: str) -> str | None:
    code = code.lower()
    if len(code) == 2:
        return code
    return _ISO639_2_TO_1.get(code)
