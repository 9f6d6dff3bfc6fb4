"""How FastWARC and warcio behave on data/p2000.{truncated,corrupt}.warc[.gz]; can reading resume?"""
import json, zlib
import warcio_brfix  # noqa
from warcio.archiveiterator import ArchiveIterator as WI
from fastwarc.warc import ArchiveIterator as FI

def run_fw(f, **kw):
    ids, err, last_body = [], None, None
    try:
        for r in FI(f, auto_decode="transfer", **kw):
            b = r.reader.read()
            ids.append(r.record_id); last_body = len(b)
    except BaseException as e:
        err = f"{type(e).__module__}.{type(e).__name__}: {str(e)[:80]}"
    return ids, err, last_body

def run_wi(f):
    ids, err, last_body = [], None, None
    try:
        for r in WI(f):
            b = r.content_stream().read()
            ids.append(r.rec_headers.get_header("WARC-Record-ID")); last_body = len(b)
    except BaseException as e:
        err = f"{type(e).__module__}.{type(e).__name__}: {str(e)[:80]}"
    return ids, err, last_body

def next_record_start(data, pos, gz):
    """scan forward for the next record boundary: gzip member starting with WARC/1. or a WARC/1. line"""
    while True:
        if gz:
            pos = data.find(b"\x1f\x8b\x08", pos + 1)
        else:
            cands = [p for p in (data.find(b"WARC/1.0\r\n", pos + 1), data.find(b"WARC/1.1\r\n", pos + 1)) if p >= 0]
            pos = min(cands) if cands else -1
        if pos < 0:
            return None
        if not gz:
            return pos
        try:
            if zlib.decompressobj(31).decompress(data[pos:pos + 512], 16).startswith(b"WARC/1."):
                return pos
        except zlib.error:
            pass

for ext in (".warc.gz", ".warc"):
    gz = ext == ".gz" or ext.endswith(".gz")
    idx = [json.loads(l) for l in open(f"data/p2000{ext}.idx.jsonl")]
    dmg = json.load(open(f"data/p2000{ext}.damage.json"))
    all_ids = [r["id"] for r in idx]
    for kind in ("truncated", "corrupt"):
        path = f"data/p2000.{kind}{ext}"
        data = open(path, "rb").read()
        for lib, fn in (("fastwarc", run_fw), ("warcio", run_wi)):
            ids, err, lb = fn(open(path, "rb"))
            wrong = sum(1 for a, b in zip(ids, all_ids) if a != b)
            extra = ""
            if kind == "truncated":
                extra = f"last yielded = last record? {ids[-1:] == all_ids[-1:]} (body {lb} bytes)"
            else:
                ci = dmg["corrupt_index"]
                extra = f"corrupt record #{ci}; yielded before it: {min(len(ids), ci)}"
                if len(ids) > ci:
                    extra += f"; ids after #{ci} match originals (shifted by 1)? {ids[ci:ci+3] == all_ids[ci+1:ci+4]}"
                # resume: scan for the next boundary after the last good record's end
                start = idx[ci - 1]["offset"] + idx[ci - 1]["length"] if gz else idx[ci]["offset"]
                nxt = next_record_start(data, start, gz)
                f = open(path, "rb"); f.seek(nxt)
                ids2, err2, _ = fn(f)
                extra += (f"; resume by scanning from {start} -> boundary {nxt} (true next {idx[ci+1]['offset']}): "
                          f"{len(ids2)} more records, match={ids2 == all_ids[ci+1:]}, err={err2}")
            print(f"{kind}{ext:8} {lib:8}: {len(ids)}/{len(all_ids)} records, wrong ids {wrong}, error={err}; {extra}")
