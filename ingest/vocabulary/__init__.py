"""The vocabulary of official documents, shared by ``ingest`` and ``index``: strings in,
normalised strings and parsed values out (patterns, symbols, dates, issuers, document types,
legacy encodings, Unicode clean-up). Imports nothing else of vanban."""
