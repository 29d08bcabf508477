"""DOCX through python-docx: paragraphs and tables in document order, with fonts.

The header block is usually a two-column table (issuer and number left, motto
and place/date right), sometimes nested; cells keep their column as ``L``/``R``.
Each run is decoded by its own font, so a VNI document with a Unicode signer
name comes out right.
"""
from __future__ import annotations

import re
import zipfile
from collections import Counter

import docx
from docx.oxml.ns import qn

from ingest.errors import IngestError
from ingest.models import Layout, Line
from ingest.readers.columns import split_columns
from ingest.readers.safety import check_zip
from ingest.vocabulary import legacy
from ingest.vocabulary.textnorm import clean_line

W_P, W_TBL, W_TR, W_TC, W_R, W_SDT = (qn(t) for t in ("w:p", "w:tbl", "w:tr", "w:tc", "w:r", "w:sdt"))
W_ASCII = qn("w:ascii")
W_BASEDON = qn("w:basedOn")
W_BR = qn("w:br")
W_CR = qn("w:cr")
W_CS = qn("w:cs")
W_DEFAULT = qn("w:default")
W_DOCDEFAULTS = qn("w:docDefaults")
W_HANSI = qn("w:hAnsi")
W_NOBREAKHYPHEN = qn("w:noBreakHyphen")
W_PPR = qn("w:pPr")
W_PSTYLE = qn("w:pStyle")
W_RFONTS = qn("w:rFonts")
W_RPR = qn("w:rPr")
W_RPRDEFAULT = qn("w:rPrDefault")
W_RSTYLE = qn("w:rStyle")
W_SDTCONTENT = qn("w:sdtContent")
W_SOFTHYPHEN = qn("w:softHyphen")
W_STYLE = qn("w:style")
W_STYLEID = qn("w:styleId")
W_T = qn("w:t")
W_TAB = qn("w:tab")
W_TYPE = qn("w:type")
W_VAL = qn("w:val")
_RUN_TEXT = {qn("w:t"): None, qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n",
             qn("w:softHyphen"): "\u00ad", qn("w:noBreakHyphen"): "-"}


class FontResolver:
    """The font a run is drawn in: run, character style, paragraph style, defaults."""

    def __init__(self, styles_element) -> None:
        self.styles: dict[str, tuple[str | None, str | None]] = {}
        self.default_para: str | None = None
        self.doc_default: str | None = None
        if styles_element is None:
            return
        for style in styles_element.iter(W_STYLE):
            sid = style.get(W_STYLEID)
            based = style.find(W_BASEDON)
            self.styles[sid] = (_font_of(style.find(W_RPR)),
                                based.get(W_VAL) if based is not None else None)
            if style.get(W_TYPE) == "paragraph" and style.get(W_DEFAULT) in ("1", "true"):
                self.default_para = sid
        defaults = styles_element.find(W_DOCDEFAULTS)
        if defaults is not None:
            rpr = defaults.find(W_RPRDEFAULT)
            if rpr is not None:
                self.doc_default = _font_of(rpr.find(W_RPR))

    def style_font(self, sid: str | None) -> str | None:
        for _ in range(20):  # basedOn chains are short; the bound stops loops
            if sid is None or sid not in self.styles:
                return None
            font, sid_next = self.styles[sid]
            if font:
                return font
            sid = sid_next
        return None

    def run_font(self, run, para_style: str | None) -> str | None:
        rpr = run.find(W_RPR)
        font = _font_of(rpr)
        if font:
            return font
        if rpr is not None:
            rstyle = rpr.find(W_RSTYLE)
            if rstyle is not None and (font := self.style_font(rstyle.get(W_VAL))):
                return font
        return self.style_font(para_style or self.default_para) or self.doc_default


def _font_of(rpr) -> str | None:
    if rpr is None:
        return None
    fonts = rpr.find(W_RFONTS)
    if fonts is None:
        return None
    return fonts.get(W_ASCII) or fonts.get(W_HANSI) or fonts.get(W_CS)


class _Walker:
    def __init__(self, resolver: FontResolver) -> None:
        self.fonts = resolver
        self.lines: list[Line] = []
        self.chars_by_encoding: Counter = Counter()
        self.tables = 0

    def paragraph_runs(self, p) -> list[tuple[str, str | None]]:
        """(text, font) pieces of a paragraph, neighbouring runs in one font merged."""
        ppr = p.find(W_PPR)
        pstyle = None
        if ppr is not None and (ps := ppr.find(W_PSTYLE)) is not None:
            pstyle = ps.get(W_VAL)
        runs: list[tuple[list[str], str | None]] = []
        for run in p.iter(W_R):
            pieces = [child.text or "" if child.tag == W_T else _RUN_TEXT[child.tag]
                      for child in run if child.tag in _RUN_TEXT]
            if not pieces:
                continue
            font = self.fonts.run_font(run, pstyle)
            if runs and runs[-1][1] == font:
                runs[-1][0].extend(pieces)
            else:
                runs.append((pieces, font))
        return [("".join(pieces), font) for pieces, font in runs]

    def paragraph_text(self, p) -> str:
        out = []
        for text, font in self.paragraph_runs(p):
            decoded, encoding = legacy.decode_run(text, font)
            if not legacy.enough_letters(self.chars_by_encoding, encoding):
                self.chars_by_encoding[encoding] += legacy.telltale_letters(decoded, encoding)
            out.append(decoded)
        return "".join(out)

    def walk(self, element, col: str | None = None, block: str = "body") -> None:
        for child in element.iterchildren():
            if child.tag == W_P:
                self.add_paragraph(child, col, block)
            elif child.tag == W_TBL:
                self.add_table(child, col, block)
            elif child.tag == W_SDT:
                content = child.find(W_SDTCONTENT)
                if content is not None:
                    self.walk(content, col, block)

    def add_paragraph(self, p, col: str | None, block: str) -> None:
        if next(p.iter(W_T, W_BR), None) is None:
            self.lines.append(Line(text="", col=col or "F", block=block))  # empty: most form cells
            return
        text = self.paragraph_text(p)
        for raw in text.split("\n"):
            if col is None:
                pieces = split_columns(raw, block=block)
            else:
                pieces = [Line(text=raw, col=col, block=block)]
            for line in pieces:
                line.text = clean_line(line.text)
                self.lines.append(line)

    def add_table(self, tbl, col: str | None, block: str) -> None:
        table_id = f"{block}/t{self.tables}" if block != "body" else f"t{self.tables}"
        self.tables += 1
        rows = [tr for tr in tbl.iterchildren(W_TR)]
        for r, tr in enumerate(rows):
            cells = list(tr.iterchildren(W_TC))
            grid = 0  # a cell's column on the table's grid: cells merged across columns span several
            for c, tc in enumerate(cells):
                cell_col = col or ("F" if len(cells) == 1 else "L" if c == 0
                                   else "R" if c == len(cells) - 1 else "M")
                span = _grid_span(tc)
                self.walk(tc, cell_col, f"{table_id}.r{r}.c{grid}" + (f":{grid + span}" if span > 1 else ""))
                grid += span


def _grid_span(tc) -> int:
    """Columns of the grid a cell covers (``w:gridSpan``), 1 unless merged across."""
    props = tc.find(qn("w:tcPr"))
    span = props.find(qn("w:gridSpan")) if props is not None else None
    value = span.get(qn("w:val")) if span is not None else None
    return min(int(value), 64) if value and value.isdigit() and int(value) > 0 else 1


def read_docx(path: str, fmt: str = "docx") -> Layout:
    check_zip(path)
    try:
        document = docx.Document(path)
    except Exception as exc:  # python-docx raises many kinds for a broken package
        raise IngestError(f"not a readable DOCX ({type(exc).__name__}: {exc})") from None
    walker = _Walker(FontResolver(document.styles.element))
    walker.walk(document.element.body)
    layout = Layout(format=fmt, lines=walker.lines, encoding=legacy.overall_encoding(walker.chars_by_encoding))
    if layout.encoding == "unicode":
        _decode_fontless_legacy(layout)
    layout.pages = _page_count(path)
    return layout


def _decode_fontless_legacy(layout: Layout) -> None:
    """A DOCX whose runs name no legacy font can still hold TCVN3 bytes: guarded guess."""
    text = "\n".join(line.text for line in layout.lines)
    encoding = legacy.detect(text)
    if encoding == "unicode":
        return
    decode = legacy.decode_tcvn3 if encoding == "tcvn3" else legacy.decode_vni
    for line in layout.lines:
        line.text = decode(line.text)
    layout.encoding = encoding
    layout.warnings.append(f"no legacy font named; {encoding.upper()} guessed from the text")


def _page_count(path: str) -> int | None:
    """Pages as Word last counted them (docProps/app.xml); None when not recorded."""
    with zipfile.ZipFile(path) as archive:
        try:
            app = archive.read("docProps/app.xml")
        except KeyError:
            return None
    m = re.search(rb"<(?:\w+:)?Pages>(\d+)</", app)
    return int(m.group(1)) if m else None
