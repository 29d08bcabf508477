"""A scanned file's pages made lines: Tesseract's words of each page (``tesseract``),
the hand's number and day written into page 1's (``handwriting``), the signature
zone read again, all turned into the ``Layout``'s lines.

The contract: ``ocr_layout(path, layout, sha, settings)`` replaces the lines of
``layout.ocr_pages`` and returns an ``OcrRun`` saying what was read now and what
came from the cache.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ingest.models import Layout
from ingest.ocr.handwriting import own_numbers, prefer, printed_month, read_hand, with_hand
from ingest.ocr.tesseract import (OcrPage, OcrSettings, forget_rendered, mend_signer, mend_title, page_lines,
                                  read_page, read_zone, signature_box, with_signature)
from ingest.progress import still_working


@dataclass
class OcrRun:
    """What OCR did for one file: the record's ``ocr_confidence``, and for the
    ingest report how many pages Tesseract read now and how many came cached."""

    confidence: float | None = None
    read: int = 0
    cached: int = 0
    seconds: float = 0.0
    tesseract_runs: int = 0  # pages and signature zones read now
    hand_seconds: float = 0.0  # the handwriting reader, on page 1 (0 when its readings were cached)


def ocr_layout(path: str, layout: Layout, sha: str | None, settings: OcrSettings,
               name: str | None = None) -> OcrRun:
    """Replace the lines of ``layout.ocr_pages`` with what Tesseract reads there
    (and, on page 1, the handwriting reader). ``path`` is read; ``name`` is the
    file's name as the user gave it (a number in it confirms a handwritten one)."""
    fmt = "pdf" if layout.format == "pdf" else "image"
    wanted = list(layout.ocr_pages)

    def one(index: int) -> OcrPage:
        page = read_page(path, fmt, sha, index, settings)
        still_working()
        return page

    with ThreadPoolExecutor(max_workers=max(1, min(settings.workers(), len(wanted)))) as pool:
        pages = list(pool.map(one, wanted))
    seen = dict(zip(wanted, pages))
    hand_seconds = 0.0
    if 0 in seen and settings.hand:  # the header, where a hand fills in the number and the day
        try:
            readings, hand_seconds = read_hand(path, fmt, sha, 0, seen[0], settings)
            seen[0] = with_hand(seen[0], prefer(readings, own_numbers(name, pages), printed_month(seen[0])))
        except Exception as exc:  # a second opinion that fails must not lose what Tesseract read
            layout.warnings.append(f"the handwriting reader failed on page 1: {type(exc).__name__}: {exc}"[:300])
    read = {i: page_lines(p, i, settings.dpi) for i, p in seen.items()}
    zones: list[OcrPage] = []
    for i, page in zip(wanted, pages):
        box = signature_box(read[i], page, settings.dpi)
        if box:
            zone = read_zone(path, fmt, sha, i, box, settings)
            zones.append(zone)
            zone_lines = page_lines(zone, i, settings.dpi, offset=box[:2])
            zones += mend_signer(path, fmt, sha, i, box, zone_lines, settings)
            zones += mend_title(path, fmt, sha, i, box, zone_lines, settings)
            read[i] = with_signature(read[i], zone_lines, box, settings.dpi)
            forget_rendered()  # the page its zone and lines were cut from: not held past this file
            break  # the first Nơi nhận is the main document's
    kept = [line for line in layout.lines if line.page not in read]
    layout.lines = sorted(kept + [line for lines in read.values() for line in lines], key=lambda l: l.page)
    scored = [(p.confidence, len(p.words)) for p in pages if p.confidence is not None]
    weight = sum(n for _, n in scored)
    return OcrRun(confidence=round(sum(c * n for c, n in scored) / weight, 1) if weight else None,
                  read=sum(not p.cached for p in pages), cached=sum(p.cached for p in pages),
                  seconds=round(sum(p.seconds for p in pages + zones if not p.cached), 2),
                  tesseract_runs=sum(not p.cached for p in pages + zones), hand_seconds=hand_seconds)


