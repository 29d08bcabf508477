"""The clerk's register of documents (sổ đăng ký văn bản): archive records as a
CSV that Excel opens right and a Word table laid out the way văn thư keep it.

The contract:

- ``COLUMNS`` are the register's columns, in the order every clerk files by:
  (key, English label marked with ``N_``); the Vietnamese labels live in
  ``locale/vi/LC_MESSAGES/register.po``; ``labels(lang)`` gives them translated.
- ``register_row(record, stt="")`` gives one record (a dict as the archive stores
  it, ``ingest.models.Document.to_dict()``) as text for each key of ``COLUMNS``:
  dates as people write them in the current language (``i18n.shown_date``),
  lists joined with ``"; "``, the issuer's printed name (``rows.shown_issuer``),
  characters no file format can carry replaced.
- ``csv_chunks(records, lang="vi")`` streams the CSV: a UTF-8 byte order mark
  (without it Excel reads UTF-8 as the ANSI code page and garbles every
  diacritic), the labels in ``lang``, one row per record numbered from 1, CRLF
  line ends; a cell Excel would run as a formula starts with ``'`` (``safe_cell``).
- ``docx_bytes(records, lang="vi", heading=None)`` returns a Word document: A4
  landscape, Times New Roman, the title ``SỔ ĐĂNG KÝ VĂN BẢN``, ``heading`` under
  it, one table (``DOCX_COLUMNS``) whose header row repeats on every page.

Both read ``records`` once, in order, holding no list of them. Like ``terminal``,
this is a consumer's helper: it speaks words, the archive's neutral layer data.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

from ingest.paths import shown as shown_path

from .i18n import N_, current, gettext as _, plain_number, shown_date, using  # gettext: "_" reads as private to the architecture test
from .rows import shown_issuer

COLUMNS: tuple[tuple[str, str], ...] = (
    ("stt", N_("No.")),
    ("number", N_("Number")),
    ("symbol", N_("Symbol")),
    ("date", N_("Date issued")),
    ("doc_type", N_("Document type")),
    ("issuer", N_("Issuing body")),
    ("title", N_("Summary (trích yếu)")),
    ("signer", N_("Signer")),
    ("confidentiality", N_("Confidentiality")),
    ("urgency", N_("Urgency")),
    ("pages", N_("Page count")),
    ("recipients", N_("Recipients")),
    ("warnings", N_("Warnings")),
    ("path", N_("File")),
)

TITLE = N_("REGISTER OF DOCUMENTS")

# Characters XML 1.0 (so a .docx) cannot hold, and lone surrogates UTF-8 cannot:
# a title read from an old Word file may carry a vertical tab or a form feed.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# What Excel (and LibreOffice) take as the start of a formula: a title is text
# anyone could have written, and =HYPERLINK(...) or =cmd|... would run on opening.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _clean(value) -> str:
    if value is None:
        return ""
    return _UNWRITABLE.sub(lambda m: " " if m.group() < "\x20" else "\ufffd", str(value))


def _joined(items) -> str:
    return "; ".join(_clean(item) for item in items or [] if item)


def _signer(record: dict) -> str:
    name, title = record.get("signer_name"), record.get("signer_title")
    if name and title:
        return f"{_clean(name)} ({_clean(title)})"
    return _clean(name or title)


def register_row(record: dict, stt: int | str = "") -> dict[str, str]:
    """The record as text for each key of ``COLUMNS`` (``stt``: its row number,
    which only the caller knows); dates in the current language."""
    return {
        "stt": str(stt), "number": _clean(record.get("number")), "symbol": _clean(record.get("symbol")),
        "date": _clean(shown_date(record.get("date"))), "doc_type": _clean(record.get("doc_type")),
        "issuer": _clean(shown_issuer(record)), "title": _clean(record.get("title")),
        "signer": _signer(record), "confidentiality": _clean(record.get("confidentiality")),
        "urgency": _clean(record.get("urgency")), "pages": _clean(record.get("pages")),
        "recipients": _joined(record.get("recipients")), "warnings": _joined(record.get("warnings")),
        "path": shown_path(record.get("path") or ""),
    }


def labels(lang: str = "vi") -> list[str]:
    """The labels of ``COLUMNS`` in ``lang``."""
    with using(lang):
        return [_(label) for _key, label in COLUMNS]


# --- CSV ----------------------------------------------------------------------


def safe_cell(value: str) -> str:
    """A cell Excel shows as text: one that would start a formula gets a leading ``'``."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_chunks(records: Iterable[dict], lang: str = "vi") -> Iterator[str]:
    """The register as CSV text, one chunk per row (the first with the BOM and the labels)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # CRLF line ends: what RFC 4180 and Excel expect
    buffer.write("\ufeff")
    writer.writerow(labels(lang))
    yield _drained(buffer)
    for number, record in enumerate(records, start=1):
        # The language is set around each row, never across a yield: a generator
        # resumed in another context (a web server's thread) could not reset it.
        with using(lang):
            row = register_row(record, number)
        writer.writerow([safe_cell(row[key]) for key, _label in COLUMNS])
        yield _drained(buffer)


FIGURE_COLUMNS = (N_("Issuer"), N_("Measure"), N_("Kind"), N_("Unit"), N_("Period"), N_("Value"),
                  N_("Number and symbol"), N_("Date"), N_("File"), N_("Context"))
KIND_LABELS = {"actual": N_("actual"), "target": N_("target"), "comparison": N_("comparison")}


def figures_csv(series, lang: str = "vi") -> str:
    """``series.follow``'s table as CSV (``figures --csv``, the web's ``/figures.csv``):
    the BOM, the labels in ``lang``, then one line per value, period and document
    it comes from, with the sentence or table row it stands in."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    with using(lang):
        writer.writerow([_(label) for label in FIGURE_COLUMNS])
        for row in series.rows:
            kind = _(KIND_LABELS[row.kind])
            for column in series.columns:
                for value in row.cells.get(column.key, []):
                    for source in value.sources:
                        text = [safe_cell(_clean(v)) for v in (row.issuer, row.measure, kind, row.unit, column.label)]
                        rest = [safe_cell(_clean(v)) for v in (source.symbol, shown_date(source.date),
                                                                shown_path(source.path), source.context)]
                        writer.writerow(text + [plain_number(value.value)] + rest)  # ours: a number, never a formula
    return buffer.getvalue()


def _drained(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


# --- Word ---------------------------------------------------------------------

FONT = "Times New Roman"  # what Nghị định 30/2020 prescribes for administrative documents
FONT_SIZE = 10            # points: ten columns across a landscape A4 page
# The columns of the printed register (Nghị định 30/2020, Phụ lục IV's sổ đăng ký
# văn bản đi): label, width in millimetres (262 in all: the page less its margins),
# and the text of a register_row in the cell.
DOCX_COLUMNS = (
    (N_("No."), 11, lambda r: r["stt"]),
    (N_("Number and symbol"), 28, lambda r: r["symbol"] or r["number"]),
    (N_("Date issued"), 22, lambda r: r["date"]),
    (N_("Issuing body"), 36, lambda r: r["issuer"]),
    (N_("Type and summary of contents"), 62, lambda r: "\n".join(v for v in (r["doc_type"], r["title"]) if v)),
    (N_("Signer"), 30, lambda r: r["signer"]),
    (N_("Recipients"), 30, lambda r: r["recipients"]),
    (N_("Confidentiality, urgency"), 15, lambda r: ", ".join(v for v in (r["confidentiality"], r["urgency"]) if v)),
    (N_("Page count"), 13, lambda r: r["pages"]),
    (N_("Notes"), 15, lambda r: r["warnings"]),
)
_TWIPS = [round(width * 1440 / 25.4) for _label, width, _text in DOCX_COLUMNS]  # Word's unit: 1/20 point


DOCUMENT_PART = "word/document.xml"


def docx_bytes(records: Iterable[dict], lang: str = "vi", heading: str | None = None) -> bytes:
    """The register as a Word document (.docx bytes), labels and dates in ``lang``.

    python-docx makes the page, the styles, the title and the header row; the rows
    are streamed as XML into the document's part. Rows added by python-docx cost
    more as the table grows and some 20 kB of memory each (14 s and 230 MB at
    8,000 records); streamed, 100,000 take 2.7 s and 70 MB."""
    with using(lang):
        skeleton = _skeleton(heading)
        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(skeleton)) as source, \
                zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename != DOCUMENT_PART:
                    target.writestr(info, source.read(info))
                    continue
                xml = source.read(info)
                cut = xml.rindex(b"</w:tbl>")  # the one table's end: text is escaped, never holds it
                with target.open(DOCUMENT_PART, "w") as part:
                    part.write(xml[:cut])
                    for number, record in enumerate(records, start=1):
                        part.write(_row_xml(register_row(record, number)))
                    part.write(xml[cut:])
    return buffer.getvalue()


def _skeleton(heading: str | None) -> bytes:
    """The register without its rows, as python-docx saves it."""
    from docx import Document

    document = Document()
    _landscape_a4(document)
    _base_font(document)
    _title(document, _(TITLE), heading)
    _register_table(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _row_xml(row: dict[str, str]) -> bytes:
    """A register row as a table row (w:tr) kept on one page (w:cantSplit)."""
    cells = "".join(f'<w:tc><w:tcPr><w:tcW w:w="{twips}" w:type="dxa"/></w:tcPr><w:p>{_run_xml(text(row))}</w:p></w:tc>'
                    for (_label, _width, text), twips in zip(DOCX_COLUMNS, _TWIPS))
    return f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>".encode("utf-8")


def _run_xml(text: str) -> str:
    """Text as a run, each line break a w:br (an empty cell: no run)."""
    lines = text.splitlines()
    if not lines:
        return ""
    shown = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
    return f"<w:r>{shown}</w:r>"


def _landscape_a4(document) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin, section.right_margin = Mm(20), Mm(15)
    section.top_margin = section.bottom_margin = Mm(15)


def _base_font(document) -> None:
    """Times New Roman everywhere, Vietnamese proofing for a Vietnamese register."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(FONT_SIZE)
    style.paragraph_format.space_after = Pt(0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):  # font.name sets only the first two
        fonts.set(qn(script), FONT)
    if current() == "vi" and rpr.find(qn("w:lang")) is None:  # else Word marks every word misspelt English
        language = OxmlElement("w:lang")
        language.set(qn("w:val"), "vi-VN")
        rpr.append(language)


def _title(document, title: str, heading: str | None) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document.core_properties.title = title
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(title)
    run.bold, run.font.size = True, Pt(14)
    if heading:
        line = document.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        line.add_run(_clean(heading)).italic = True
    document.add_paragraph().paragraph_format.space_after = Pt(6)


def _register_table(document):
    """The table with its header row, repeated at the top of every page (w:tblHeader)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    table = document.add_table(rows=1, cols=len(DOCX_COLUMNS))
    table.style = "Table Grid"
    table.autofit = False
    for column, (_label, width, _text) in zip(table.columns, DOCX_COLUMNS):
        column.width = Mm(width)  # the grid: rows added later take their cells' widths from it
    header = table.rows[0]
    for cell, (label, width, _text) in zip(header.cells, DOCX_COLUMNS):
        cell.width = Mm(width)
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(_(label)).bold = True
    _row_flags(header, "w:cantSplit", "w:tblHeader")
    return table


def _row_flags(row, *names: str) -> None:
    """Switch on row properties, given in the schema's order (Word rejects others)."""
    from docx.oxml import OxmlElement

    properties = row._tr.get_or_add_trPr()
    for name in names:
        properties.append(OxmlElement(name))  # no w:val: on
