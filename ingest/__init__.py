"""Reading, decoding, normalising and parsing Vietnamese official documents.

file -> ``readers`` -> ``Layout`` -> ``ocr`` (pages without text) -> ``extract`` -> ``Document``,
all over the ``vocabulary``; ``parse.parse_file`` runs it for one file, ``batch`` for many.
"""
from ingest.models import Document, Layout, Line  # noqa: F401
from ingest.parse import parse_file  # noqa: F401
