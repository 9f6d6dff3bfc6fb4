"""FastWARC 2.0.1 on a non-seekable stream (like botocore's StreamingBody from a ranged S3 GET)."""
import io, sys, json
from fastwarc.warc import ArchiveIterator
from fastwarc.stream_io import GzipReader

path = sys.argv[1] if len(sys.argv) > 1 else "data/p2000.warc.gz"
idx = [json.loads(l) for l in open(path + ".idx.jsonl")]
f = open(path, "rb"); f.seek(idx[1000]["offset"]); rng = f.read(idx[1010]["offset"] - idx[1000]["offset"])

class NoSeek(io.RawIOBase):          # read() only; seekable() False, seek() raises UnsupportedOperation
    def __init__(s, b): s.b = io.BytesIO(b)
    def readable(s): return True
    def readinto(s, m): d = s.b.read(len(m)); m[:len(d)] = d; return len(d)

class ReadOnly:                       # duck-typed object with only read()
    def __init__(s, b): s.b = io.BytesIO(b)
    def read(s, n=-1): return s.b.read(n)

def attempt(label, make):
    try:
        n = sum(1 for _ in make())
        print(f"{label}: OK {n} records")
    except BaseException as e:
        print(f"{label}: {type(e).__module__}.{type(e).__name__} (is Exception subclass: {isinstance(e, Exception)}): {str(e)[:90]}")

attempt("NoSeek", lambda: ArchiveIterator(NoSeek(rng)))
attempt("NoSeek stream_detect=False", lambda: ArchiveIterator(NoSeek(rng), stream_detect=False))
attempt("ReadOnly", lambda: ArchiveIterator(ReadOnly(rng)))
attempt("GzipReader(NoSeek)", lambda: ArchiveIterator(GzipReader(NoSeek(rng)), stream_detect=False))
attempt("io.BufferedReader(NoSeek)", lambda: ArchiveIterator(io.BufferedReader(NoSeek(rng))))
