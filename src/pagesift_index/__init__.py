"""The reference indexer of pagesift's events: a pure core and thin adapters (docs/indexing.md).

- ``chunking``: a document's markdown cut into chunks along its headings, with stable ids;
- ``changes``: an IndexQueue message read into the change it announces;
- ``consumer``: ``Indexer``, which applies a change to a sink, exactly once and in order,
  reading documents and shards through its ``DocumentReader`` port;
- ``sink``: the interface of a store (``IndexSink``); ``sqlite``: the reference one, SQLite
  FTS5, and its search;
- ``aws``: the only module that talks to AWS: S3 reads, and the loop that long-polls
  IndexQueue and acknowledges a message once its change is committed.
"""
