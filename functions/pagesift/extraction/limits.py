"""Every bound on a page's size, defined once: the function's configuration, the storage
adapter, the pipeline and the extraction core all read them from here. (Time bounds are the
invocation's, pagesift.contracts.invocation, and the page budget's, pagesift.config.)

The numbers come from measurements on 512 MB functions (docs/benchmarks.md, "Speed, memory and cost").
"""

from __future__ import annotations

from dataclasses import dataclass

from pagesift.contracts.errors import ErrorKind, ExtractionError, Stage

DEFAULT_MAX_INPUT_BYTES = 20 * 1024 * 1024  # MAX_INPUT_BYTES unless the deployment sets it
# Elements (counted as opening tags) past which a page is refused before parsing: real
# articles, long ones included, have tens of thousands; extraction time grows faster than
# linearly with the tree (300,000 elements took about 20 s here).
MAX_HTML_ELEMENTS = 150_000
# Characters of markup outside <script> and <style>, past which a page is refused before
# parsing: memory grows with what the tree holds (trafilatura copies it several times), about
# 45 MB per MB of text-dense markup here, so 5 M characters stay within a 512 MB function with
# the handler's own ~100 MB. Script and style blobs (several MB of inline state on some sites)
# cost little and do not count.
MAX_MARKUP_CHARACTERS = 5_000_000
# Attributes of one tag past which a page is refused before parsing: libxml2 and lexbor check
# each new attribute against the tag's others, so one tag with n of them costs n² (80,000 in
# one tag: 7.9 s in libxml2, 12 s in resiliparse, in C, where no time budget can stop them).
# Real tags have tens: the most on the 2,721 pages of both corpora is 154, and 677 on a broken
# page whose <meta> swallowed a script. 5,000 in one tag cost about 30 ms.
MAX_ATTRIBUTES_PER_TAG = 5_000
# ... and the sum over a page's tags of their attributes squared: many tags each under the
# limit above must not add up to the same stall (5e7 is about 60 ms of libxml2's checks here).
MAX_ATTRIBUTE_LOAD = 50_000_000


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds one deployment applies; only the input size is configurable."""

    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES  # stored bytes, and bytes once gunzipped
    max_input_bytes_setting: str = "MAX_INPUT_BYTES"  # where a user sets it, named in the error
    max_html_elements: int = MAX_HTML_ELEMENTS
    max_markup_characters: int = MAX_MARKUP_CHARACTERS
    max_attributes_per_tag: int = MAX_ATTRIBUTES_PER_TAG
    max_attribute_load: int = MAX_ATTRIBUTE_LOAD

    def check_input_size(self, size: int) -> None:
        """Raise InputTooLarge for an object of ``size`` bytes over the limit."""
        if size > self.max_input_bytes:
            raise self.input_too_large(size)

    def input_too_large(self, size: int) -> ExtractionError:
        return ExtractionError(
            f"the object is {size:,} bytes, over the limit of {self.max_input_bytes:,} "
            f"({self.max_input_bytes_setting})",
            kind=ErrorKind.INPUT_TOO_LARGE,
            stage=Stage.READ,
        )


DEFAULT_LIMITS = Limits()
