"""The data that flows through the pipeline.

``Layout`` is what a reader gives: decoded, normalised lines with where they sit.
``Document`` is the one contract between ``ingest/`` and ``index/``; its JSON form
(:meth:`Document.to_dict`) is documented in the README.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Bump whenever parsing changes what a record says (a new field, a header rule, a
# reader): records cached by another version are parsed again, never trusted.
PARSER_VERSION = 7  # 2: text_hash; issuers canonical (issuer_key with the parent's place, issuer_name).
# 3: relations. 4: effective dates; an attached plan's own title and signer. 5: partial
# dates (date_precision) and "date unreadable" on scans. 6: handwritten numbers and days read on scans.
# 7: PDF tables cell by cell; each figure's row, column, measure, period and kind


@dataclass
class Line:
    """One line of text as laid out on the page.

    ``col`` is where the line sits in a two-column block: ``L`` (issuer, number,
    Nơi nhận), ``R`` (motto, place and date, signature), ``M`` (a middle table
    column) or ``F`` (full width). ``block`` names the container: ``body`` or a
    table cell such as ``t0.r1.c0``.
    """

    text: str
    page: int = 0
    col: str = "F"
    block: str = "body"
    top: float | None = None
    x0: float | None = None
    x1: float | None = None
    fonts: tuple[str, ...] = ()
    conf: float | None = None  # OCR: the lowest confidence (0-100) of the line's words
    word_confs: tuple[tuple[str, float], ...] = ()  # OCR: each word and its confidence
    handwritten: tuple[str, ...] = ()  # OCR: the words the handwriting reader wrote in


@dataclass
class Layout:
    """A reader's output: lines in reading order plus what was learnt on the way."""

    format: str
    lines: list[Line] = field(default_factory=list)
    pages: int | None = 1
    encoding: str = "unicode"
    ocr_pages: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def needs_ocr(self) -> bool:
        return bool(self.ocr_pages)


@dataclass
class Document:
    """The structured record of one official document."""

    path: str
    sha256: str | None = None
    format: str | None = None
    pages: int | None = None
    encoding: str | None = None
    needs_ocr: bool = False
    ocr_pages: list[int] = field(default_factory=list)
    ocr_confidence: float | None = None
    ocr_run: dict | None = None
    doc_type: str | None = None
    type_code: str | None = None
    number: str | None = None
    symbol: str | None = None
    issuer: str | None = None
    issuer_key: str | None = None      # the body's canonical key: so y te tinh kien giang
    issuer_name: str | None = None     # the body's name to show: Sở Y tế tỉnh Kiên Giang
    parent_issuer: str | None = None
    place: str | None = None
    date: str | None = None            # ISO 8601 as far as printed and read: 2017-11-13, 2017-11, 2017
    date_precision: str | None = None  # day | month | year: how much of the date ``date`` holds
    title: str | None = None
    signer_name: str | None = None
    signer_title: str | None = None
    signer_authority: str | None = None
    recipients: list[str] = field(default_factory=list)
    confidentiality: str | None = None  # độ mật: Mật | Tối mật | Tuyệt mật
    urgency: str | None = None          # độ khẩn: Khẩn | Thượng khẩn | Hỏa tốc
    citations: list["Citation"] = field(default_factory=list)
    figures: list["Figure"] = field(default_factory=list)
    period: "Period | None" = None
    effective_date: str | None = None   # when it takes effect, where its text says so (ISO)
    sections: list["Section"] = field(default_factory=list)
    parts: list["Part"] = field(default_factory=list)
    text: str = ""
    text_hash: str | None = None  # ``fingerprint.text_hash``: the same text in another file hashes the same
    provenance: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Citation:
    """One reference to another document, as printed in the body.

    ``Quyết định số 308/QĐ-UBND ngày 27/01/2022 của UBND phường Nguyễn Nghiêm về
    việc ban hành Kế hoạch ...`` -> type, symbol, date, issuer, subject, issues.
    """

    type: str | None
    symbol: str | None
    number: str | None
    date: str | None
    issuer: str | None
    issuer_key: str | None
    subject: str | None
    text: str
    start: int
    end: int
    part: str = "main"
    name: str | None = None            # laws cited by name: ``Luật Tổ chức chính quyền địa phương``
    issuer_inferred: str | None = None  # the issuer not printed: the document's own (same series), or the
                                        # central body of the symbol's code (``-CP`` Chính phủ)
    issuer_name: str | None = None      # the cited body's name to show, printed or inferred
    key: str | None = None              # symbol|issuer_key|year: one identity per issued document
    issues: list[dict] = field(default_factory=list)  # [{type, title}] a decision issues
    relation: str | None = None         # how the document relates to it (``extract.relations.RELATIONS``)
    also: list[str] = field(default_factory=list)  # its other roles, on the cited document's first citation


@dataclass
class Figure:
    """A number a report reports: ``109 hồ sơ``, ``98,6%``, ``1.250 triệu đồng``."""

    value: float
    unit: str
    text: str
    context: str
    start: int
    end: int
    section: str | None = None
    value_vnd: float | None = None
    row: str | None = None          # a table's figure: its row label (``Hồ sơ tiếp nhận``)
    column: str | None = None       # and its column header (``Thực hiện Quý I/2025``)
    measure: str | None = None      # what it measures, normalised (``measures.py``): ``hồ sơ tiếp nhận``
    period: "Period | None" = None  # the period it is of: its column's where that names one, else its report's
    kind: str = "actual"            # actual | target (kế hoạch, chỉ tiêu) | comparison (so với cùng kỳ)


@dataclass
class Period:
    """What a document covers: ``Quý I/2024`` -> quarter 1 of 2024, 2024-01-01..2024-03-31."""

    kind: str            # quarter | half | months | month | year | range
    text: str
    year: int | None = None
    quarter: int | None = None
    month: int | None = None
    half: int | None = None
    start: str | None = None
    end: str | None = None


@dataclass
class Section:
    """A numbered heading: ``3.1. Thuận lợi`` (level by numbering style, in order of use)."""

    number: str
    title: str
    level: int
    start: int
    end: int


@dataclass
class Part:
    """The main document or an attachment it carries (the Quy chế a Quyết định issues)."""

    name: str
    start: int
    end: int
