"""The archive as a Whoosh index in a folder (``archive.Archive``).

``store`` (the archive), ``writing`` (one ingest at a time, rebuilds), ``search``
(a query's hits), ``evaluate`` (queries evaluated on arrays of postings),
``frequent`` (the frequent terms' postings kept as arrays), ``internals`` (every
use of whoosh3's private names). Imports the neutral layer of ``index/`` only.
"""
