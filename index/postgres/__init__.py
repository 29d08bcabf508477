"""The archive on PostgreSQL (``archive.Archive``), for an office.

``store`` (the archive), ``sql`` (a parsed query as SQL), ``rows`` (a record as
its row, tsvectors made by our analyzers), ``ddl`` (tables, partitions, roles),
``connection`` (settings every connection pins, errors in one line). Imports the
neutral layer of ``index/`` only.
"""
