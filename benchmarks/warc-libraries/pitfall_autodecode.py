"""Minimal reproduction: FastWARC 2.0.1 auto_decode='content'/'all' vs. records whose body is not read / gzip+chunked."""
import io, gzip, zlib
import brotli
from warcio.warcwriter import WARCWriter
from fastwarc.warc import ArchiveIterator

import random
_r = random.Random(0)
HTML = b"<html><body>" + b" ".join(b"<p>%s</p>" % bytes(_r.choice(b"abcdefghij ") for _ in range(60)) for _ in range(1000)) + b"</body></html>"

def chunk(b, n=4000):
    return b"".join(b"%x\r\n%s\r\n" % (len(b[i:i+n]), b[i:i+n]) for i in range(0, len(b), n)) + b"0\r\n\r\n"

def resp(body, extra):
    h = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n" + "".join(f"{k}: {v}\r\n" for k, v in extra)
    if not any(k == "Transfer-Encoding" for k, _ in extra):
        h += f"Content-Length: {len(body)}\r\n"
    return h.encode() + b"\r\n" + body

CASES = {
    "plain": resp(HTML, []),
    "chunked": resp(chunk(HTML), [("Transfer-Encoding", "chunked")]),
    "gzip": resp(gzip.compress(HTML), [("Content-Encoding", "gzip")]),
    "deflate": resp(zlib.compress(HTML), [("Content-Encoding", "deflate")]),
    "br": resp(brotli.compress(HTML), [("Content-Encoding", "br")]),
    "gzip+chunked": resp(chunk(gzip.compress(HTML)), [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]),
}

def warc(first, gz):
    buf = io.BytesIO(); w = WARCWriter(buf, gzip=gz)
    for raw in (CASES[first], CASES["plain"], CASES["plain"]):
        w.write_record(w.create_warc_record("http://example.com/", "response", payload=io.BytesIO(raw), length=len(raw)))
    return buf.getvalue()

if __name__ == "__main__":
 for gz in (True, False):
     for case in CASES:
         for mode in ("none", "all", "content", "transfer"):
             for read in (False, True):
                 n, out = 0, []
                 try:
                     for r in ArchiveIterator(io.BytesIO(warc(case, gz)), auto_decode=mode):
                         if read:
                             b = r.reader.read(); out.append(b == HTML)
                         n += 1
                     err = ""
                 except Exception as e:
                     err = repr(e)
                 if n != 3 or err or (read and mode == "all" and not all(out)):
                     print(f"gz={gz} first={case:13} auto_decode={mode:8} read_body={read!s:5} -> {n}/3 records {out} {err}")
