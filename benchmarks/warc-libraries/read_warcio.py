#!/usr/bin/env python3
"""Iterate a WARC with warcio and yield HTML response/resource records.

usage: read_warcio.py ARCHIVE [--mode decode|raw] [--offset N] [--max-records N] [--check IDX.jsonl] [--quiet]
  decode : record.content_stream() (warcio de-chunks and undoes gzip/deflate/br) -- needs warcio_brfix
  raw    : record.raw_stream (payload bytes as stored)
Yields (record_id, uri, date, payload_digest, offset, length, content_type, charset, body).
length = warcio's get_record_length(): for .warc.gz the whole gzip member, for uncompressed .warc
the record WITHOUT its trailing CRLFCRLF (4 bytes short of the next record's offset).
"""
import sys, time, resource
import warcio_brfix  # noqa: F401  (br decoding with Google's brotli)
from warcio.archiveiterator import ArchiveIterator
from common import HTML_TYPES, parse_ctype


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
    import argparse, json, hashlib
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
    truth = {}
    if a.check:
        truth = {r["id"]: r for r in map(json.loads, open(a.check))}
    n = nbytes = bad = 0
    for rid, uri, date, digest, off, length, mime, cs, body in iter_html(f, a.mode, a.max_records):
        n += 1
        nbytes += len(body)
        if truth:
            tr = truth[rid]
            ok = tr["offset"] == off and hashlib.sha1(body).hexdigest() == tr["html_sha1"]
            bad += not ok
        if not a.quiet and n <= 3:
            print(rid, uri, date, digest, off, length, mime, cs, len(body), body[:40])
    el = time.perf_counter() - t
    print(json.dumps({"lib": "warcio", "mode": a.mode, "html_records": n, "body_bytes": nbytes,
                      "bad": bad if truth else None, "seconds": round(el, 3),
                      "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


if __name__ == "__main__":
    main(sys.argv[1:])
