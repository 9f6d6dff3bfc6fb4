"""The extraction profiles (docs/contracts.md, "Configuration"), named once: read by the
configuration without importing the extractors.

- ``accurate`` (the default): trafilatura and readability-lxml on the same parsed tree, and per
  page the one the selector predicts is better (pagesift.extraction.selection);
- ``fast``: trafilatura alone.
"""

ACCURATE, FAST = "accurate", "fast"
PROFILES = (ACCURATE, FAST)
DEFAULT_PROFILE = ACCURATE
