"""S3's at-least-once events → exactly-once documents and events, in order: the triggers, the
ordering of an object's changes, and the round that applies an invocation's changes. Web
archives are reached only through the ``ArchiveRuns`` port (``delivery/ports.py``)."""
