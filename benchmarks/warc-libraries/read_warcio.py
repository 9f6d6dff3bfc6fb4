#!/usr/bin/env python3
"""Iterate a WARC with warcio and yield HTML response/resource records.

usage: read_warcio.py ARCHIVE [--mode decode|raw] [--offset N] [--max-records N] [--check IDX.jsonl] [--quiet]
  decode : record.content_stream() (warcio de-chunks and undoes gzip/deflate/br) -- needs warcio_brfix
  raw    : record.raw_stream (payload bytes as stored)
Yields (record_id, uri, date, payload_digest, offset, length, content_type, charset, body).
length = warcio's get_record_length(): for .warc.gz the whole gzip member, for uncompressed .warc
the record WITHOUT its trailing CRLFCRLF (4 bytes short of the next record's offset).
"""
import sys, time
import warcio_brfix  # noqa: F401  (br decoding with Google's brotli)
from warcio.archiveiterator import ArchiveIterator
from common import HTML_TYPES, parse_ctype, report


def iter_html(stream, mode="decode", max_records=None, base=0):
    """stream: binary file object positioned at a record boundary; base = its absolute offset
    if the stream is not seekable (warcio uses tell() when it can)."""
    it = ArchiveIterator(stream)
    seekable = True
    try:
        stream.tell()
    except Exception:
        seekable = False
    add = 0 if seekable else base
    for n, rec in enumerate(it, 1):
        if max_records is not None and n > max_records:
            return
        if rec.rec_type == "response":
            if not rec.http_headers:
                continue
            mime, charset = parse_ctype(rec.http_headers.get_header("Content-Type"))
        elif rec.rec_type == "resource":
            mime, charset = parse_ctype(rec.rec_headers.get_header("Content-Type"))
        else:
            continue
        if mime not in HTML_TYPES:
            continue
        body = (rec.content_stream() if mode == "decode" else rec.raw_stream).read()
        h = rec.rec_headers
        yield (h.get_header("WARC-Record-ID"), h.get_header("WARC-Target-URI"), h.get_header("WARC-Date"),
               h.get_header("WARC-Payload-Digest"), it.get_record_offset() + add, it.get_record_length(),
               mime, charset, body)


def main(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("archive")
    ap.add_argument("--mode", default="decode", choices=["decode", "raw"])
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--max-records", type=int)
    ap.add_argument("--check")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    t = time.perf_counter()
    f = open(a.archive, "rb")
    f.seek(a.offset)
    report("warcio", a.mode, iter_html(f, a.mode, a.max_records), a.check, a.quiet, t)

if __name__ == "__main__":
    main(sys.argv[1:])
