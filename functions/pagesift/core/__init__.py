"""The pure core of pagesift: events, pages and documents, and the rules that join them.

Nothing in this package imports boto3, botocore or Powertools (tests/unit/test_layout.py keeps
it so): it talks to the outside world only through the interfaces in ``ports``, which
``pagesift.aws`` implements for AWS and ``tests/fakes.py`` implements in memory.
"""
