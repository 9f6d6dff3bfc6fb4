"""Web archives (WARC 1.0 and 1.1, plain, gzip per record or gzipped whole) → the records in
them: pages to extract, records skipped by type, and records that are broken. Knows nothing of
AWS: it reads any stream with ``read(n)``, from any byte offset that starts a record.

Two layers, so that every record gets its exact place in the archive and a broken one fails
alone (benchmarks/warc-libraries/README.md has the measurements behind this split):

- the *framing* is this package's: gzip members are inflated with ``zlib`` one at a time, so
  that a record's offset and length are those of its member in the stored bytes (what a ranged
  GET asks for), and records are cut at their WARC Content-Length, which must end at the
  record's trailer (or the next record). A corrupt member or header, or a record that does not
  end where its length says, is reported and reading resumes at the next record (the next member
  that inflates to ``WARC/1.``, or the next version line of a plain stream that is followed by
  WARC headers, searched from after the broken record's headers); a record cut short by the end
  of the stream is reported as truncated. FastWARC gives neither: no record length, and its
  iteration stops at the first corrupt member and returns a truncated record short, silently.
- the *parsing* of each record is FastWARC's (its WARC and HTTP header parsers and its chunked
  transfer decoding); the body's Content-Encoding (gzip, deflate, br) is undone by
  ``decoding.decode_page`` within the page's limits, as for any stored page. FastWARC's own
  ``auto_decode='all'`` loses records, hence ``'transfer'``.

An archive gzipped whole (one member for everything, as ``gzip file.warc`` makes) has no record
boundaries in its stored bytes: its offsets are in the decompressed stream, and it cannot be
read from the middle (``Framing.splittable`` is False).

The package by layer: ``members`` (the stored bytes as a stream, and gzip members inflated),
``framing`` (records cut at their Content-Length, and the resync after a broken one), ``http``
(the HTTP message inside a record) and ``reader`` (records as pages, skipped and broken ones);
an archive is known by its first bytes or its name in ``archives/recognition.py``.
"""

from pagesift.archives.recognition import ARCHIVE_SUFFIXES, GZIP_MEMBER, WARC_MAGIC, named_like_archive, sniff
from pagesift.archives.warc.framing import MAX_HEADER_BYTES, Framing, Span
from pagesift.archives.warc.http import OVERSIZED_HEAD_BYTES
from pagesift.archives.warc.members import INFLATE_STEP, READ_CHUNK, RESYNC_HISTORY_BYTES
from pagesift.archives.warc.reader import HTML_TYPES, UNTYPED, Broken, Item, Skip, Skipped, WarcReader, _record

__all__ = [
    "ARCHIVE_SUFFIXES",
    "GZIP_MEMBER",
    "HTML_TYPES",
    "INFLATE_STEP",
    "MAX_HEADER_BYTES",
    "OVERSIZED_HEAD_BYTES",
    "READ_CHUNK",
    "RESYNC_HISTORY_BYTES",
    "UNTYPED",
    "WARC_MAGIC",
    "Broken",
    "Framing",
    "Item",
    "Skip",
    "Skipped",
    "Span",
    "WarcReader",
    "_record",
    "named_like_archive",
    "sniff",
]
