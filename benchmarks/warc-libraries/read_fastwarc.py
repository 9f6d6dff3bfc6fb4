#!/usr/bin/env python3
"""Iterate a WARC with FastWARC 2.x and yield HTML response/resource records.

usage: read_fastwarc.py ARCHIVE [--mode decode|raw|native] [--offset N] [--max-records N]
                        [--stream] [--check IDX.jsonl] [--quiet]
  decode : auto_decode='transfer' (FastWARC de-chunks), Content-Encoding undone in Python (common.py)
  native : auto_decode='all' (FastWARC decodes everything) -- see pitfalls: loses records in 2.0.1
  raw    : auto_decode='none', payload bytes as stored (still chunked/compressed)
  --stream: pass a Python file object wrapped in ForwardOnly instead of the path (as for an S3 body)
Yields (record_id, uri, date, payload_digest, offset, length, content_type, charset, body).
length = bytes from this record's start to the next record's start (incl. the CRLFCRLF trailer).
"""
import os, sys, time
from fastwarc.warc import ArchiveIterator, WarcRecordType
from common import HTML_TYPES, ForwardOnly, decode_content, parse_ctype, report


def iter_html(src, mode="decode", max_records=None, end=None):
    """src: path or a stream positioned at a record boundary (tell() must give the absolute offset)."""
    auto = {"decode": "transfer", "native": "all", "raw": "none"}[mode]
    it = ArchiveIterator(src, auto_decode=auto)
    pending = None
    n = 0
    for rec in it:
        pos = rec.stream_pos
        if pending is not None:
            yield pending[:5] + (pos - pending[4],) + pending[5:]
            pending = None
        n += 1
        if max_records is not None and n > max_records:
            return
        rt = rec.record_type
        if rt == WarcRecordType.response:
            if not rec.is_http:
                continue
            mime = rec.http_content_type
            charset = rec.http_charset
        elif rt == WarcRecordType.resource:
            mime, charset = parse_ctype(rec.headers.get("Content-Type"))
        else:
            continue
        if mime not in HTML_TYPES:
            continue
        body = rec.reader.read()
        if mode == "decode" and rt == WarcRecordType.response:
            ce = rec.http_headers.get("Content-Encoding")
            if ce:
                body = decode_content(body, ce)
        h = rec.headers
        pending = (rec.record_id, h.get("WARC-Target-URI"), h.get("WARC-Date"),
                   h.get("WARC-Payload-Digest"), pos, mime, charset, body)
    if pending is not None:
        if end is None:
            end = src.tell() if hasattr(src, "tell") else os.path.getsize(src)
        yield pending[:5] + (end - pending[4],) + pending[5:]


def main(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("archive")
    ap.add_argument("--mode", default="decode", choices=["decode", "raw", "native"])
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--max-records", type=int)
    ap.add_argument("--stream", action="store_true")
    ap.add_argument("--check")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    t = time.perf_counter()
    if a.stream or a.offset:
        f = open(a.archive, "rb", buffering=0)
        f.seek(a.offset)
        src = ForwardOnly(f, base=a.offset)
    else:
        src = a.archive
    report("fastwarc", a.mode, iter_html(src, a.mode, a.max_records), a.check, a.quiet, t)

if __name__ == "__main__":
    main(sys.argv[1:])
