"""Is a truncated final record reported? (data/p2000.truncated.warc[.gz])"""
import warcio_brfix  # noqa
from fastwarc.warc import ArchiveIterator as FI
from warcio.archiveiterator import ArchiveIterator as WI
for p in ("data/p2000.truncated.warc.gz", "data/p2000.truncated.warc"):
    for r in FI(p, parse_http=False):
        cl = int(r.headers.get("Content-Length")); pos = r.stream_pos
        info = (cl, r.verify_block_digest(consume=False))
    print(p, "fastwarc last record: Content-Length", info[0], "verify_block_digest ->", info[1])
    n = 0; err = None
    try:
        for r in FI(p, verify_digests=True): n += 1
    except BaseException as e: err = repr(e)
    print("   fastwarc ArchiveIterator(verify_digests=True):", n, "records, err", err)
    for mode in (False, True, "raise"):
        n = 0; err = None; probs = None
        try:
            for r in WI(open(p, "rb"), check_digests=mode):
                r.content_stream().read(); n += 1
                if mode is True and r.digest_checker.problems: probs = r.digest_checker.problems
        except BaseException as e: err = repr(e)[:120]
        print(f"   warcio check_digests={mode!r}: {n} records, err {err}, problems {probs}")
