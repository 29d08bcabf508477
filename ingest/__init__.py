"""Reading, decoding, normalising and parsing Vietnamese official documents."""
from .models import Document, Layout, Line  # noqa: F401
from .parse import parse_file  # noqa: F401
