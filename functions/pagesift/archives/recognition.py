"""Web archives recognised by their first bytes, whatever their name, or by their name. Apart
from the reader (``archives/warc/``), so that telling an archive costs no import of FastWARC:
the extract function hands archives over without reading them."""

from __future__ import annotations

import zlib

WARC_MAGIC = b"WARC/1."
GZIP_MEMBER = b"\x1f\x8b\x08"
ARCHIVE_SUFFIXES = (".warc", ".warc.gz")


def sniff(head: bytes) -> str | None:
    """``'warc'`` or ``'warc.gz'`` when ``head`` (the first bytes of an object, a few hundred
    are enough) starts a web archive, else None: archives are recognised by content, whatever
    their name."""
    if head.lstrip(b"\r\n").startswith(WARC_MAGIC):
        return "warc"
    if head.startswith(GZIP_MEMBER):
        try:
            if zlib.decompressobj(31).decompress(head, 64).lstrip(b"\r\n").startswith(WARC_MAGIC):
                return "warc.gz"
        except zlib.error:
            return None
    return None


def named_like_archive(key: str) -> bool:
    return key.lower().endswith(ARCHIVE_SUFFIXES)
