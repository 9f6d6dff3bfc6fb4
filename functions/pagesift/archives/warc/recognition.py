"""Web archives recognised by their first bytes, whatever their name, or by their name."""

from __future__ import annotations

import zlib

from pagesift.archives.warc.members import GZIP_MEMBER, WARC_MAGIC

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
