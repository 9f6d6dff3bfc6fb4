"""The language of a page's text when the page does not declare one.

langdetect (pure Python, its 55 language profiles ship in the package: no network, no model
download), seeded so that the same text always gives the same answer. Its own start-up builds
a table of every n-gram of every profile with one probability per language (87,598 lists of
55 floats: about 0.25 s and 50 MB); here the profiles are only read (about 50 ms) and a
word's probabilities are computed the first time a text uses it, which gives the detector the
same numbers. The profiles are read when this module is imported, at the start of the process,
so that no page pays for them.
"""

from __future__ import annotations

import json
import os

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

# Below these, a guess is noise: a few words, or a text the detector is unsure of.
MIN_CHARACTERS = 80
MIN_PROBABILITY = 0.90
SAMPLE_CHARACTERS = 3000  # enough for a stable answer, cheap on long articles
SEED = 0


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
        names = sorted(n for n in os.listdir(PROFILES_DIRECTORY) if not n.startswith(".") and os.path.isfile(os.path.join(PROFILES_DIRECTORY, n)))
    except OSError as error:
        raise ImportError(f"langdetect's language profiles cannot be read from {PROFILES_DIRECTORY}: {error}") from error
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

