import io, brotli
from warcio.warcwriter import WARCWriter
from warcio.archiveiterator import ArchiveIterator
body = brotli.compress(b"<html>hi</html>")
raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: br\r\nContent-Length: %d\r\n\r\n" % len(body) + body
buf = io.BytesIO(); w = WARCWriter(buf, gzip=True)
w.write_record(w.create_warc_record("http://example.com/", "response", payload=io.BytesIO(raw), length=len(raw)))
buf.seek(0)
for rec in ArchiveIterator(buf):
    print(rec.content_stream().read())   # AttributeError: 'brotli.Decompressor' object has no attribute 'unused_data'
