"""Body extraction: parts, sections, citations, figures and period of a record."""
from __future__ import annotations

from .citations import find_citations
from .figures import find_figures
from .models import Document
from .parts import split_parts
from .periods import find_period
from .sections import find_sections


def read_body(doc: Document, spans) -> None:
    text = doc.text
    doc.parts = split_parts(text)
    main = doc.parts[0]
    title_at = text.find(doc.title[:40]) if doc.title else -1
    body_start = title_at + len(doc.title) if title_at >= 0 else 0
    doc.sections = find_sections(text, body_start)
    doc.citations = find_citations(text, doc.parts, doc.symbol, doc.issuer)
    doc.figures = find_figures(text, spans, doc.sections)
    opening = text[body_start:body_start + 600] if body_start else text[:600]
    doc.period = find_period(doc.title, opening) if doc.doc_type == "Báo cáo" or doc.title else None
    del main
