"""Shared helpers for the reader scripts: content-type parsing, content-encoding decoding, WARC sniffing."""
import zlib

try:
    import brotli
except ImportError:  # pragma: no cover
    brotli = None

HTML_TYPES = ("text/html", "application/xhtml+xml")


def parse_ctype(value):
    """'text/html; charset=UTF-8' -> ('text/html', 'utf-8')"""
    if not value:
        return None, None
    parts = value.split(";")
    mime = parts[0].strip().lower() or None
    charset = None
    for p in parts[1:]:
        k, _, v = p.partition("=")
        if k.strip().lower() == "charset":
            charset = v.strip().strip('"\'').lower() or None
    return mime, charset


def decode_content(body, encoding):
    """Undo Content-Encoding (gzip, x-gzip, deflate [zlib or raw], br; comma lists applied in reverse)."""
    if not encoding:
        return body
    for enc in reversed([e.strip().lower() for e in encoding.split(",") if e.strip()]):
        if enc in ("gzip", "x-gzip"):
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            body = d.decompress(body) + d.flush()
        elif enc == "deflate":
            try:
                body = zlib.decompress(body)
            except zlib.error:
                body = zlib.decompress(body, -zlib.MAX_WBITS)
        elif enc == "br" and brotli is not None:
            body = brotli.decompress(body)
        elif enc == "identity":
            pass
        else:
            raise ValueError(f"unsupported content-encoding {enc!r}")
    return body


def sniff_warc(head: bytes):
    """Recognise a WARC by content: 'WARC/1.' at the start, or a gzip member whose first decompressed
    bytes are that. head = the first few hundred bytes. Returns 'warc', 'warc.gz' or None."""
    if head.startswith(b"WARC/1."):
        return "warc"
    if head[:3] == b"\x1f\x8b\x08":
        try:
            if zlib.decompressobj(31).decompress(head, 16).startswith(b"WARC/1."):
                return "warc.gz"
        except zlib.error:
            return None
    return None


class ForwardOnly:
    """Wrap a read()-only stream (e.g. botocore StreamingBody of a ranged GET) so it offers tell()
    (FastWARC 2.0.1 panics without it) and forward seeks. base = byte offset of the range start."""

    def __init__(self, raw, base=0):
        self.raw, self.pos = raw, base

    def read(self, n=-1):
        b = self.raw.read() if n is None or n < 0 else self.raw.read(n)
        self.pos += len(b)
        return b

    def tell(self):
        return self.pos

    def seek(self, off, whence=0):
        target = {0: off, 1: self.pos + off}.get(whence)
        if target is None or target < self.pos:
            raise OSError(f"ForwardOnly: cannot seek to {off} (whence {whence}) from {self.pos}")
        while self.pos < target and self.read(min(1 << 16, target - self.pos)):
            pass
        return self.pos

    def close(self):
        pass


def report(lib, mode, records, check=None, quiet=False, started=None):
    """Count the (id, uri, date, digest, offset, length, mime, charset, body) records a reader
    yields, check them against a make_warc.py index when given, and print one JSON line."""
    import hashlib
    import json
    import resource
    import time

    started = time.perf_counter() if started is None else started
    truth = {r["id"]: r for r in map(json.loads, open(check))} if check else {}
    n = nbytes = bad = 0
    for rid, uri, date, digest, off, length, mime, cs, body in records:
        n += 1
        nbytes += len(body)
        if truth:
            tr = truth[rid]
            bad += not (tr["offset"] == off and hashlib.sha1(body).hexdigest() == tr["html_sha1"])
        if not quiet and n <= 3:
            print(rid, uri, date, digest, off, length, mime, cs, len(body), body[:40])
    print(json.dumps({"lib": lib, "mode": mode, "html_records": n, "body_bytes": nbytes,
                      "bad": bad if truth else None, "seconds": round(time.perf_counter() - started, 3),
                      "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
