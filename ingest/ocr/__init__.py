"""OCR: a ``Layout`` whose ``ocr_pages`` hold no text in, the same ``Layout`` with those pages'
lines read by Tesseract out (``tesseract.ocr_layout``, which returns an ``OcrRun``): each page
image cleaned up first (``cleanup``), OCR's damage undone after (``fixes``), the words cached."""
