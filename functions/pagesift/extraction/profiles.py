"""The extraction profiles (docs/contracts.md, "Configuration"), named once: read by the
configuration without importing the extractors.

- ``accurate`` (the default): trafilatura and readability-lxml on the same parsed tree, and per
  page the one the selector predicts is better (pagesift.extraction.selection);
- ``fast``: trafilatura alone.
"""

import enum


class Profile(enum.StrEnum):
    ACCURATE = "accurate"
    FAST = "fast"


ACCURATE, FAST = Profile.ACCURATE, Profile.FAST
PROFILES = tuple(Profile)
DEFAULT_PROFILE = Profile.ACCURATE
