"""Readers: a file in, a ``Layout`` out: decoded NFC lines tagged by column, pages with no
usable text listed in ``ocr_pages``. ``dispatch.read`` picks the reader by extension (text,
docx, office, pdf, image); a file it refuses raises ``IngestError`` with the reason."""
