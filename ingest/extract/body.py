"""Body extraction: parts, sections, citations, figures and period of a record."""
from __future__ import annotations

from ingest.extract.citations import find_citations
from ingest.extract.figures import find_figures
from ingest.extract.parts import split_parts
from ingest.extract.measures import describe
from ingest.extract.periods import find_period
from ingest.extract.relations import relate
from ingest.extract.sections import find_sections
from ingest.models import Document
from ingest.vocabulary import regexes as rx
from ingest.vocabulary.dates import iso_date
from ingest.vocabulary.textnorm import strip_marks


def extract_body(doc: Document, spans) -> None:
    """Fill ``doc``'s body fields (parts, sections, citations, figures, period) from
    ``doc.text`` and where each line sits in it (``spans``, from ``parse.text_with_spans``)."""
    text = doc.text
    doc.parts = split_parts(text)
    title_at = text.find(doc.title[:40]) if doc.title else -1
    body_start = title_at + len(doc.title) if title_at >= 0 else 0
    doc.sections = find_sections(text, body_start)
    doc.citations = find_citations(text, doc.parts, doc.symbol, doc.issuer, doc.parent_issuer)
    relate(text, doc.citations, doc.doc_type, (title_at, body_start) if title_at >= 0 else None, doc.sections)
    doc.figures = find_figures(text, spans, doc.sections)
    doc.period = find_period(doc.title, *_opening(doc, text, body_start))
    describe(doc)
    doc.effective_date = effective_date(text[body_start:_main_end(doc, len(text))], doc.date)


def effective_date(text: str, own_date: str | None) -> str | None:
    """The day the first ``<type> này có hiệu lực ...`` clause names (its own date
    for ``kể từ ngày ký``); None where none names a day."""
    for m in rx.EFFECTIVE.finditer(strip_marks(text).lower()):
        if m.group("signing"):
            return own_date
        g = m.groupdict()
        day = iso_date(g["y1"] or g["y2"], g["m1"] or g["m2"], g["d1"])
        if day:
            return day
    return None


def _main_end(doc: Document, default: int) -> int:
    """Where the main part ends (an attachment's clauses are the attachment's)."""
    return next((p.end for p in doc.parts if p.name == "main"), default)


# Documents that report on or plan for a period; others (a Quyết định) name one
# only in their trích yếu.
_PERIODIC = {"Báo cáo", "Kế hoạch", "Chương trình", "Thông báo", "Đề án", "Phương án"}


def _opening(doc: Document, text: str, body_start: int) -> list[str]:
    if doc.doc_type not in _PERIODIC:
        return []
    first = text[body_start:body_start + 600].split("\n\n")
    return [part for part in first[:2] if part.strip()]
