"""Web archives (WARC) read by ranges on a queue: the reader, the ranges of a plan, and the
runs that plan, extract and prune. Uses extraction for each page and the contracts."""
