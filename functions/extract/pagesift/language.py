"""The language of a page's text when the page does not declare one.

langdetect (pure Python, its profiles ship in the package: no network, no model download)
is loaded on the first undeclared page only, so declared pages never pay its ~0.25 s
start-up. Seeded, so the same text always gives the same answer.
"""

from __future__ import annotations

import threading

# Below these, a guess is noise: a few words, or a text the detector is unsure of.
MIN_CHARACTERS = 80
MIN_PROBABILITY = 0.90
SAMPLE_CHARACTERS = 3000  # enough for a stable answer, cheap on long articles

_lock = threading.Lock()
_ready = False


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language, or None when it cannot be told with confidence."""
    sample = text[:SAMPLE_CHARACTERS]
    if len(sample.strip()) < MIN_CHARACTERS:
        return None
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    global _ready
    with _lock:  # langdetect builds its shared profile table on first use; not thread-safe
        if not _ready:
            from langdetect.detector_factory import init_factory

            DetectorFactory.seed = 0
            init_factory()
            _ready = True
    try:
        best = detect_langs(sample)[0]
    except (LangDetectException, IndexError):
        return None
    if best.prob < MIN_PROBABILITY:
        return None
    return best.lang.split("-")[0]  # zh-cn, zh-tw -> zh
