#!/usr/bin/env python3
"""Write realistic test WARCs with warcio's WARCWriter.

usage: make_warc.py PAGES OUT.warc[.gz] [--seed N]

* OUT ending in .gz -> one gzip member per record (WARCWriter(gzip=True)); else uncompressed.
* Same PAGES + seed -> same records (IDs, dates, bodies) in both forms.
* Pages are the HTML files of /work/shared/datasets/article-extraction-benchmark/html/*.html.gz,
  cycled to reach PAGES; URL = ground-truth url + "?r=<n>" so every URL is unique.
* A sidecar OUT.idx.jsonl lists every record: offset, length (bytes in the file), type, id, uri,
  variant, and sha1 of the decoded HTML body (ground truth for the readers).

Per page: request + response. Response variants (by page number):
  plain (Content-Length), chunked, gzip, gzip+chunked, windows-1252 (transcoded), no charset;
  page 3 = deflate (zlib), page 7 = br (if brotli importable).
Extra records: warcinfo first; metadata every 50 pages; revisit (identical-payload-digest,
WARC-Refers-To the earlier response) every 100 pages; image/png and application/pdf responses every
250 pages; a resource record (text/html, no HTTP headers) every 500 pages (and after page 1).

Damaged copies:  make_warc.py --damage IN.warc.gz  -> IN.truncated.warc.gz, IN.warc.gz.damage.json (cut in the middle of the
last record) and IN.corrupt.warc.gz (the record member in the middle replaced by random bytes of the
same length; the idx tells which).
"""
import base64, gzip, hashlib, io, json, os, random, struct, sys, uuid, zlib
from datetime import datetime, timedelta, timezone

from warcio.warcwriter import WARCWriter
from warcio.statusandheaders import StatusAndHeaders

try:
    import brotli
except ImportError:
    brotli = None

DS = "/work/shared/datasets/article-extraction-benchmark"


def load_pages():
    truth = json.load(open(f"{DS}/ground-truth.json"))
    pages = []
    for pid in sorted(truth):
        fn = f"{DS}/html/{pid}.html.gz"
        if os.path.exists(fn):
            pages.append((truth[pid]["url"], gzip.open(fn).read()))
    return pages


def sha1b32(b):
    return "sha1:" + base64.b32encode(hashlib.sha1(b).digest()).decode()


def chunked(body, rnd):
    out, i = [], 0
    while i < len(body):
        n = rnd.randint(500, 16000)
        part = body[i:i + n]
        out.append(b"%x\r\n" % len(part) + part + b"\r\n")
        i += n
    out.append(b"0\r\n\r\n")
    return b"".join(out)


def png_bytes():
    raw = b"".join(b"\x00" + bytes([x % 256, 0, 255 - x % 256] * 16) for x in range(16))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
       b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def http_response(status, headers, body):
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("latin-1") + body


def make(pages_n, out_path, seed=1):
    rnd = random.Random(seed)
    pages = load_pages()
    gz = out_path.endswith(".gz")
    t0 = datetime(2025, 1, 15, 8, 0, 0, tzinfo=timezone.utc)
    ids = uuid.UUID(int=rnd.getrandbits(128))
    counter = [0]

    def rid():
        counter[0] += 1
        return f"<urn:uuid:{uuid.UUID(int=(ids.int + counter[0]) % (1 << 128))}>"

    def date(k):
        return (t0 + timedelta(seconds=k)).strftime("%Y-%m-%dT%H:%M:%SZ")

    fh = open(out_path, "wb")
    idx = open(out_path + ".idx.jsonl", "w")
    w = WARCWriter(fh, gzip=gz, warc_version="1.1")

    def write(rec, **meta):
        off = fh.tell()
        w.write_record(rec)
        meta.update(offset=off, length=fh.tell() - off, type=rec.rec_type,
                    id=rec.rec_headers.get_header("WARC-Record-ID"),
                    uri=rec.rec_headers.get_header("WARC-Target-URI"))
        idx.write(json.dumps(meta) + "\n")

    info = w.create_warcinfo_record(os.path.basename(out_path), {
        "software": "pagesift make_warc.py (warcio WARCWriter)", "format": "WARC File Format 1.1",
        "isPartOf": "warcbench", "robots": "obey", "operator": "test"})
    info.rec_headers.replace_header("WARC-Record-ID", rid())
    info.rec_headers.replace_header("WARC-Date", date(0))
    write(info)

    earlier = []  # (uri, date, record id, payload digest) of responses, for revisits
    for n in range(pages_n):
        url0, html = pages[n % len(pages)]
        url = f"{url0}{'&' if '?' in url0 else '?'}r={n}"
        d = date(n + 1)
        host = url.split("/")[2]
        req_id, resp_id = rid(), rid()
        req = (f"GET /{url.split('/', 3)[3] if url.count('/') >= 3 else ''} HTTP/1.1\r\nHost: {host}\r\n"
               "User-Agent: Mozilla/5.0 (compatible; warcbench/1.0)\r\nAccept: text/html,*/*;q=0.8\r\n"
               "Accept-Encoding: gzip, deflate, br\r\n\r\n").encode("latin-1")

        v = n % 6
        charset = "utf-8"
        body = html
        if v == 4:  # transcode to windows-1252
            charset = "windows-1252"
            body = html.decode("utf-8", "replace").encode("cp1252", "xmlcharrefreplace")
        ctype = "text/html" if v == 5 else f"text/html; charset={charset}"
        decoded = body
        hdrs = [("Date", "Wed, 15 Jan 2025 08:00:00 GMT"), ("Server", "nginx"), ("Content-Type", ctype)]
        variant = ["plain", "chunked", "gzip", "gzip+chunked", "cp1252", "nocharset"][v]
        if n == 3:
            variant, v = "deflate", -1
            body = zlib.compress(body)
            hdrs.append(("Content-Encoding", "deflate"))
        elif n == 7 and brotli:
            variant, v = "br", -1
            body = brotli.compress(body)
            hdrs.append(("Content-Encoding", "br"))
        if v in (2, 3):
            body = gzip.compress(body, 6, mtime=0)
            hdrs.append(("Content-Encoding", "gzip"))
        if v in (1, 3):
            hdrs.append(("Transfer-Encoding", "chunked"))
            body = chunked(body, rnd)
        else:
            hdrs.append(("Content-Length", str(len(body))))
        hdrs.append(("Connection", "close"))
        raw = http_response("200 OK", hdrs, body)

        rq = w.create_warc_record(url, "request", payload=io.BytesIO(req), length=len(req),
                                  warc_headers_dict={"WARC-Record-ID": req_id, "WARC-Date": d,
                                                     "WARC-Concurrent-To": resp_id})
        rs = w.create_warc_record(url, "response", payload=io.BytesIO(raw), length=len(raw),
                                  warc_headers_dict={"WARC-Record-ID": resp_id, "WARC-Date": d,
                                                     "WARC-IP-Address": "192.0.2.%d" % (n % 250 + 1)})
        write(rq)
        write(rs, variant=variant, charset=charset if v != 5 else None,
              html_sha1=hashlib.sha1(decoded).hexdigest(), html=True)
        earlier.append((url, d, resp_id, rs.rec_headers.get_header("WARC-Payload-Digest")))

        if n % 50 == 49:
            md = f"fetchTimeMs: {rnd.randint(20, 900)}\r\noutlinks: {rnd.randint(0, 300)}\r\n".encode()
            write(w.create_warc_record(url, "metadata", payload=io.BytesIO(md), length=len(md),
                                       warc_content_type="application/warc-fields",
                                       warc_headers_dict={"WARC-Record-ID": rid(), "WARC-Date": d,
                                                          "WARC-Concurrent-To": resp_id}))
        if n % 100 == 99:
            u, rd, r_id, dig = earlier[rnd.randrange(len(earlier) - 1)]
            hh = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                             ("Content-Length", "0")], protocol="HTTP/1.1")
            rv = w.create_revisit_record(u, dig, u, rd, http_headers=hh,
                                         warc_headers_dict={"WARC-Record-ID": rid(), "WARC-Date": d,
                                                            "WARC-Refers-To": r_id})
            write(rv)
        if n % 250 == 249:
            for ct, b, ext in (("image/png", png_bytes(), "png"), ("application/pdf", PDF, "pdf")):
                r = http_response("200 OK", [("Content-Type", ct), ("Content-Length", str(len(b)))], b)
                write(w.create_warc_record(f"https://{host}/asset{n}.{ext}", "response",
                                           payload=io.BytesIO(r), length=len(r),
                                           warc_headers_dict={"WARC-Record-ID": rid(), "WARC-Date": d}))
        if n % 500 == 499 or n == 1:
            rs_body = html
            write(w.create_warc_record(f"file:///archive/resource{n}.html", "resource",
                                       payload=io.BytesIO(rs_body), length=len(rs_body),
                                       warc_content_type="text/html; charset=utf-8",
                                       warc_headers_dict={"WARC-Record-ID": rid(), "WARC-Date": d}),
                  variant="resource", charset="utf-8", html_sha1=hashlib.sha1(rs_body).hexdigest(),
                  html=True)
    fh.close()
    idx.close()


def damage(path, seed=2):
    rnd = random.Random(seed)
    recs = [json.loads(l) for l in open(path + ".idx.jsonl")]
    data = open(path, "rb").read()
    base, ext = (path[:-8], ".warc.gz") if path.endswith(".warc.gz") else (path[:-5], ".warc")
    last = recs[-1]
    cut = last["offset"] + last["length"] // 2
    with open(base + ".truncated" + ext, "wb") as f:
        f.write(data[:cut])
    # corrupt a response record in the middle
    mid = next(r for r in recs[len(recs) // 2:] if r["type"] == "response")
    garbage = bytes(rnd.getrandbits(8) for _ in range(mid["length"]))
    with open(base + ".corrupt" + ext, "wb") as f:
        f.write(data[:mid["offset"]] + garbage + data[mid["offset"] + mid["length"]:])
    json.dump({"truncated_at": cut, "last_record": last, "corrupt_record": mid,
               "corrupt_index": recs.index(mid), "records": len(recs)},
              open(path + ".damage.json", "w"), indent=1)
    print("truncated at", cut, "of", len(data), "; corrupted record #", recs.index(mid), mid["offset"])


if __name__ == "__main__":
    if sys.argv[1] == "--damage":
        damage(sys.argv[2])
    else:
        make(int(sys.argv[1]), sys.argv[2], int(sys.argv[4]) if len(sys.argv) > 4 else 1)
