"""OCR: a ``Layout`` whose ``ocr_pages`` hold no text in, the same ``Layout`` with those pages'
lines read out (``layout.ocr_layout``, which returns an ``OcrRun``): each page read by
Tesseract (``tesseract``; the image cleaned up first, ``cleanup``), the number and day a
hand wrote on page 1 read by a second reader (``handwriting``, over ``digits`` and
``ink``), OCR's damage undone after (``fixes``), every reading cached."""
