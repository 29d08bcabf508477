"""Errors a reader raises for input it refuses; the message is shown to the user."""


class IngestError(Exception):
    """A file that cannot be read, with the reason in plain words."""


class UnsupportedFormat(IngestError):
    pass


class UnsafeInput(IngestError):
    """A file built to exhaust memory or time (zip bomb, entity bomb, huge image)."""
