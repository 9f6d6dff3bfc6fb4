#!/bin/bash
# peak RSS: fresh process per library x archive (decode mode); plus import-only baseline
cd "$(dirname "$0")"  # run from a venv at ./venv (see README.md), archives in ./data
for lib in fastwarc warcio; do
  venv/bin/python -c "import resource, read_$lib; print('$lib import-only maxrss_mb', round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024,1))"
  for a in data/p2000.warc.gz data/p20000.warc.gz data/p2000.warc data/p20000.warc; do
    echo -n "$a "; venv/bin/python read_$lib.py $a --mode decode --quiet
  done
done
for a in data/p2000.warc.gz data/p20000.warc.gz; do echo -n "$a stream "; venv/bin/python read_fastwarc.py $a --stream --quiet; done
