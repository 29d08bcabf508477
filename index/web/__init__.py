"""The web interface (``vanban serve``): the archive's pages in Vietnamese (or
English), for the people who do not use a terminal.

A consumer of the archive like the command line: ``archives`` lends open
archives to requests, ``pages`` makes each page's data from the same library
functions the commands call, ``pictures`` shows pages of scans and PDFs with a
query's words marked, ``app`` routes URLs to them and renders the templates,
``serve`` runs it under waitress. Nothing in ``index/`` but this package
imports it.
"""
