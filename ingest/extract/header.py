"""The header record: type, number and symbol, issuer, place and date, trích yếu,
signer and Nơi nhận, read by the layout rules of Decree 30/2020/NĐ-CP.

Works on the reader's ``Line`` list: the column tags (``L``/``R``) and table
cells say which block a line belongs to, so the two header columns and the
side-by-side signature and Nơi nhận blocks come apart even when their lines
interleave in reading order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.extract.tables import cell_of
from ingest.models import Line
from ingest.vocabulary import regexes as rx
from ingest.vocabulary.dates import find_date, header_date
from ingest.vocabulary.doctypes import TYPE_CODES, match_type_name
from ingest.vocabulary.issuers import canonical_body, issuer_code, split_issuer_block
from ingest.vocabulary.names import known_position
from ingest.vocabulary.symbols import Symbol, parse_symbol, symbol_type
from ingest.vocabulary.textnorm import fold, is_upper_text, squash

HEAD_SCAN = 60        # lines searched for the header anchors
TITLE_MAX_LINES = 8
SIGNATURE_WINDOW = 12


@dataclass
class Header:
    fields: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    title_end: int = 0
    main_end: int = 0

    def put(self, name: str, value, source: str = "header") -> None:
        if value in (None, "", []):
            return
        self.fields[name] = value
        self.provenance[name] = source


def _is_filler(text: str) -> bool:
    return not text or bool(rx.DECORATION.match(text)) or bool(rx.MARKS.match(text)) or _is_mark(text)


def _mark_of(text: str) -> tuple[str, str] | None:
    """``TỐI MẬT`` -> ("confidentiality", "Tối mật"); None for a line that is not a mark."""
    text = squash(text.strip(" .:;*()[]"))
    for name, pattern in (("confidentiality", rx.CONFIDENTIALITY), ("urgency", rx.URGENCY)):
        m = pattern.match(text)
        if m:
            return name, _MARK_NAMES[squash(m.group("mark"))]
    return None


def _is_mark(text: str) -> bool:
    return _mark_of(text) is not None


def _is_motto(text: str) -> bool:
    """The motto line, not a body sentence that names the Party (``của Đảng cộng sản Việt Nam``)."""
    return len(text) < 70 and bool(rx.MOTTO.search(text))


def _is_place_date(line: Line) -> bool:
    text = line.text
    if rx.BODY_OPENERS.match(text) or len(text) > 90:
        return False
    m = rx.PLACE_DATE.match(text)
    if not m:
        return False
    return "," in text[: m.end() + 1] or line.col == "R"


@dataclass
class _Anchors:
    motto: int | None = None
    number: int | None = None
    date: int | None = None
    body_start: int | None = None

    @property
    def head_end(self) -> int:
        found = [i for i in (self.number, self.date) if i is not None]
        if self.motto is not None:
            found.append(self.motto)
        return max(found) if found else -1


def _anchors(lines: list[Line]) -> _Anchors:
    a = _Anchors()
    for i, line in enumerate(lines[:HEAD_SCAN]):
        text = line.text
        if not text:
            continue
        if rx.BODY_OPENERS.match(text) or re.match(r"^Điều\s+1\b", text):
            a.body_start = i
            break
        if a.motto is None and _is_motto(text):
            a.motto = i
            if i + 1 < len(lines) and rx.MOTTO_2.search(lines[i + 1].text):
                a.motto = i + 1
        elif a.number is None and rx.NUMBER_LINE.match(text):
            a.number = i
        elif a.date is None and _is_place_date(line):
            a.date = i
    return a


# --- issuer ------------------------------------------------------------------

def _issuer_lines(lines: list[Line], stop: int) -> list[str]:
    out = []
    for line in lines[:stop]:
        text = line.text
        if line.col == "R" or _is_filler(text) or _is_motto(text) or rx.MOTTO_2.search(text):
            continue
        if rx.NUMBER_LINE.match(text) or _is_place_date(line) or rx.VV.match(text):
            continue
        out.append(text.strip(" ,;"))
    return out[-4:]


# --- number, symbol, place and date -------------------------------------------

def _number(lines: list[Line], i: int) -> tuple[Symbol | None, str]:
    line = lines[i]
    rest = line.text[rx.NUMBER_LINE.match(line.text).end():]
    if re.search(r"[-/_]\s*$", rest):  # ``5969/QĐ-`` / ``UBND`` split over two lines
        for nxt in lines[i + 1:i + 4]:
            if nxt.text and nxt.col == line.col:
                rest = rest.rstrip() + nxt.text
                break
    return parse_symbol(rest), rest


def _place(text: str) -> str | None:
    m = rx.PLACE_DATE.match(text)
    if not m:
        return None
    place = squash(m.group("place")).strip(" ,.-")
    words = place.split()
    # Drop leading upper-case codes left from a symbol on the same line (``BQL–VP Vũng Tàu``).
    while len(words) > 1 and is_upper_text(words[0]) and not is_upper_text(" ".join(words[1:])):
        words.pop(0)
    return " ".join(words) or None


# --- type and trích yếu ------------------------------------------------------

_ISSUE_CLAUSE = re.compile(r"^của\s+(?P<issuer>.+?)\s+số\s+(?P<rest>.+)$", re.I)


def _title_stops(line: Line, title: list[str]) -> bool:
    text = line.text
    if not text:
        return bool(title)
    if _is_filler(text) or rx.BODY_OPENERS.match(text) or rx.NOI_NHAN.match(text):
        return True
    if rx.SECTION_START.match(text) and title:
        return True
    if title and is_upper_text(text) and not all(is_upper_text(t) for t in title):
        return True  # the authority line under a mixed-case title: ``THỦ TƯỚNG CHÍNH PHỦ``
    if title and text.rstrip().endswith(":") and match_type_name(text.rstrip(" :")):
        return True  # ``QUYẾT ĐỊNH:``
    if title and title[0].startswith("(") and title[-1].rstrip(" .").endswith(")"):
        return True  # ``(V/v ...)`` closed its own summary
    if title and ISSUED_WITH.match(text):
        return True  # ``(Ban hành kèm theo Quyết định số ...)`` under an attached plan's title
    return False


ISSUED_WITH = re.compile(r"\(?\s*Ban\s+hành\s+kèm\s+theo\b", re.I)


def _clean_title(parts: list[str]) -> str | None:
    title = squash(" ".join(parts))
    if title.startswith("(") and title.endswith(")"):
        title = title[1:-1].strip()
    if not title:
        return None
    return title[0].upper() + title[1:]


def _collect_title(lines: list[Line], start: int, first: str | None = None) -> tuple[list[str], int]:
    title = [first] if first else []
    i = start
    while i < len(lines) and len(title) < TITLE_MAX_LINES:
        if _title_stops(lines[i], title):
            break
        if lines[i].text:
            title.append(lines[i].text)
        i += 1
    return title, i


def _type_line(lines: list[Line], start: int) -> int | None:
    seen = 0
    for i in range(max(start, 0), min(len(lines), start + 40)):
        text = lines[i].text
        if _is_filler(text) or rx.MOTTO_2.search(text) or _is_motto(text):
            continue
        if lines[i].col == "R" and start > 0:
            continue
        found = match_type_name(text)
        if found and (is_upper_text(text) or not found[1] or seen == 0):
            return i
        seen += 1
        if seen > 3:
            return None
    return None


def _vv_title(lines: list[Line], a: _Anchors, h: Header) -> None:
    lo = a.number if a.number is not None else 0
    for i in range(lo, min(len(lines), lo + 8)):
        line = lines[i]
        if rx.VV.match(line.text) and line.col != "R":
            parts, j = [line.text], i + 1
            while j < len(lines) and len(parts) < 5:
                nxt = lines[j]
                if (not nxt.text or nxt.col == "R" or nxt.block != line.block and line.block != "body"
                        or _is_filler(nxt.text) or rx.BODY_OPENERS.match(nxt.text)
                        or _is_motto(nxt.text) or _is_place_date(nxt) or match_type_name(nxt.text)):
                    break
                parts.append(nxt.text)
                j += 1
                if parts[0].startswith("(") and nxt.text.rstrip(" .").endswith(")"):
                    break  # ``(V/v ...)`` closes its own summary
            h.put("title", _clean_title(parts))
            h.title_end = max(h.title_end, j)
            return


def _type_and_title(lines: list[Line], a: _Anchors, h: Header, symbol: Symbol | None) -> None:
    start = a.head_end + 1
    ti = _type_line(lines, start)
    if ti is not None:
        name, rest = match_type_name(lines[ti].text)
        h.put("doc_type", name)
        first = rest if rest and not fold(rest).startswith("cua ") else None
        j = ti + 1
        m = _ISSUE_CLAUSE.match(lines[j].text) if j < len(lines) else None
        if m and not first:  # Công báo style: ``của Chính phủ số 29/1998/NĐ-CP ngày ...``
            _issue_clause(m, h)
            j += 1
        title, end = _collect_title(lines, j, first)
        h.put("title", _clean_title(title))
        h.title_end = end
    if "title" not in h.fields:
        _vv_title(lines, a, h)
        if "title" in h.fields and "doc_type" not in h.fields and not (symbol and symbol.type_code):
            h.put("doc_type", "Công văn", "inferred")
    if "doc_type" not in h.fields and symbol:
        h.put("doc_type", symbol_type(symbol) or ("Công văn" if symbol.symbol else None), "inferred")
    h.title_end = max(h.title_end, start)


def _issue_clause(m: re.Match, h: Header) -> None:
    h.put("issuer", m.group("issuer").strip())
    sym = parse_symbol(m.group("rest"))
    if sym and sym.symbol:
        _put_symbol(h, sym)
    date, _ = find_date(m.group("rest"))
    if date:  # the whole day the clause prints: what the date line could not say is said
        h.put("date", date)
        h.put("date_precision", "day")
        h.warnings[:] = [w for w in h.warnings if not w.startswith(("date not filled in", "date unreadable"))]


def _unglued(symbol: Symbol, doc_type: str | None, h: Header) -> Symbol | None:
    """A scan's ``2016/TBSYT``, where OCR lost the dash of ``TB-SYT``: the type the
    title names split off the one code (put in the record, and returned)."""
    if not (symbol.symbol and len(symbol.codes) == 1 and not symbol.year and doc_type):
        return None
    code = next((c.upper() for c, name in TYPE_CODES.items() if name == doc_type), None)
    glued = symbol.codes[0]
    if not code or not glued.startswith(code) or len(glued) - len(code) < 2:
        return None
    fixed = parse_symbol(f"{symbol.number}/{code}-{glued[len(code):]}")
    if fixed and fixed.symbol:
        _put_symbol(h, fixed)
    return fixed


def _put_symbol(h: Header, sym: Symbol) -> None:
    h.put("symbol", sym.symbol)
    h.put("number", sym.number)
    h.put("type_code", sym.type_code)


# --- end of the main document, Nơi nhận and signature -------------------------

def _main_end(lines: list[Line], start: int) -> int:
    for i in range(start, len(lines)):
        text = lines[i].text
        if _is_motto(text) and i > start:
            while i > start and lines[i - 1].text and lines[i - 1].col in ("L", "F") and \
                    not rx.NOI_NHAN.match(lines[i - 1].text) and len(lines[i - 1].text) < 60:
                i -= 1  # the attachment's issuer lines sit just above its motto
            return i
        # A bare ``theo Nghị định số ...`` is a sentence wrapped onto a new line; right
        # under the title, ``(Ban hành kèm theo ...)`` is this plan's own (a file of the
        # plan a decision issues), not an attachment's.
        if rx.ATTACHMENT_START.match(text) and len(text) < 160 and i > start and (
                text.startswith("(") or ("số" in text[:60] and not re.match(r"theo\b", text, re.I))):
            return i
    return len(lines)


_ITEM_START = re.compile(r"^\s*[-+•*–]\s*")


_LUU = re.compile(r"^\W*L[ưu]u\b", re.I)


def _recipients(lines: list[Line], nn: int, end: int) -> tuple[list[str], list[int]]:
    head = lines[nn]
    used: list[int] = []
    inline = rx.NOI_NHAN.sub("", head.text, count=1).strip()
    pending = [inline] if inline else []
    prev_raw = inline
    blanks = 0
    in_table = head.block != "body"
    table = head.block.split(".r")[0]
    for i in range(nn + 1, end):
        line = lines[i]
        if in_table and not line.block.startswith(table):
            break
        if line.col == "R" or (in_table and line.col not in (head.col, "F")):
            continue
        after_luu = bool(_LUU.match(prev_raw))  # the Lưu item closes the list
        if not line.text:
            blanks += 1
            if blanks >= 2 or after_luu:
                break
            continue
        blanks = 0
        if rx.AUTHORITY.match(line.text) or rx.SIGNED.match(line.text) or _is_motto(line.text):
            break
        if after_luu and not _ITEM_START.match(line.text) and not prev_raw.rstrip().endswith(","):
            break
        pending.append(line.text)
        used.append(i)
        prev_raw = _ITEM_START.sub("", line.text)
    return _items(pending), used


def _items(raw_lines: list[str]) -> list[str]:
    items: list[str] = []
    prev = ""
    for raw in raw_lines:
        for piece in re.split(r"(?<=;)\s*(?=-\s*\S)", raw):  # ``- A;- B;`` on one line
            starts_item = bool(_ITEM_START.match(piece))
            text = _ITEM_START.sub("", piece).strip()
            if not text:
                continue
            continues = items and not starts_item and (
                prev.rstrip().endswith(",") or text[0].islower() or text[0] in "(&")
            if continues:
                items[-1] = f"{items[-1]} {text}"
            else:
                items.append(text)
            prev = piece
    cleaned = []
    for item in items:
        item = squash(item).rstrip(" ;")
        if fold(item).startswith("luu"):
            item = re.sub(r"^(.*\.)\s+\S{1,4}$", r"\1", item)  # stray word glued after ``Lưu: VT.``
        cleaned.append(item)
    return cleaned


def _signature_lines(lines: list[Line], nn: int | None, rec_used: list[int], end: int, body_from: int) -> list[Line]:
    if nn is None:  # no Nơi nhận: trust a tail only if it shows a signature's marks
        tail = [l for l in lines[max(body_from, end - SIGNATURE_WINDOW):end] if l.text]
        tail = [l for l in tail if l.col == "R"] or tail[-6:]
        marks = any(rx.AUTHORITY.match(l.text) or rx.SIGNED.match(l.text) for l in tail)
        return tail if marks else []
    head = lines[nn]
    if where := cell_of(head.block):  # Nơi nhận in a table (DOCX or PDF): the signature is in another column
        return [l for l in lines[body_from:end] if l.text and (cell := cell_of(l.block))
                and cell[0] == where[0] and cell[2] != where[2]]
    last = rec_used[-1] if rec_used else nn
    if head.top is not None:
        top, bottom = head.top - 90, lines[last].top + 220
        return [l for l in lines[body_from:end] if l.col == "R" and l.page in (head.page, lines[last].page)
                and l.top is not None and top <= l.top <= bottom and l.text]
    beside = [l for l in lines[max(body_from, nn - SIGNATURE_WINDOW):last + 1] if l.col == "R" and l.text]
    after = []
    for line in lines[last + 1:min(end, last + 1 + SIGNATURE_WINDOW)]:
        if not line.text:
            continue
        if len(line.text) > 80 or _is_motto(line.text):
            break
        after.append(line)
    return beside + after


def _is_position(text: str) -> bool:
    words = text.split()
    return (0 < len(words) <= 9 and not re.search(r"\d", text) and not rx.SIGNED.match(text)
            and (is_upper_text(text) or len(words) <= 3))


_POSITION_WORD = re.compile(r"truong|giam doc|chu tich|tuong|bi thu|chanh|uy vien|thu ky|tong cuc|cuc truong")
_UPPER_TAIL = re.compile(r"(?:(?:PHÓ|P\.)\s*)?[A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ. ]{2,}$")


def _ocr_signature(sig: list[Line]) -> list[Line]:
    """Signature lines read by OCR, with the seal's ring (``SỞ``, ``Y TẾ``, ``XHCN``)
    and stray marks left out. A title keeps only its upper-case tail when it names
    a position (``St, GIÁM ĐỌC`` -> ``GIÁM ĐỌC``), and a title close to a common
    position is read as that position (``GILAM ĐỌC`` -> ``GIÁM ĐỐC``)."""
    out = []
    for line in sig:
        text = squash(line.text)
        if rx.PERSON_NAME.match(text) or rx.AUTHORITY.match(text) or rx.SIGNED.match(text):
            out.append(line)
            continue
        tail = _UPPER_TAIL.search(text)
        known = known_position(tail.group()) if tail else None
        if known or (tail and _POSITION_WORD.search(fold(tail.group()))):
            out.append(Line(text=known or tail.group().strip(), page=line.page, col=line.col, top=line.top))
    return out


def _signer(sig: list[Line], h: Header) -> None:
    if any(l.fonts == ("ocr",) for l in sig):
        sig = _ocr_signature(sig)
    texts = [squash(l.text) for l in sig if l.text and not _is_filler(l.text)]
    authority = [t for t in texts if rx.AUTHORITY.match(t)]
    name_i = None
    for i in range(len(texts) - 1, -1, -1):
        m = rx.PERSON_NAME.match(texts[i])
        if m and not is_upper_text(texts[i]) and not rx.AUTHORITY.match(texts[i]):
            name_i = i
            h.put("signer_name", m.group("name"))
            break
    upto = name_i if name_i is not None else len(texts)
    for t in reversed(texts[:upto]):
        if rx.AUTHORITY.match(t) or rx.SIGNED.match(t):
            continue
        if _is_position(t):
            h.put("signer_title", t)
            break
    if authority:
        h.put("signer_authority", " / ".join(authority))


# --- body evidence ------------------------------------------------------------

_BODY_ISSUER = re.compile(
    r"((?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân|HĐND|Hội đồng nhân dân)\s+"
    r"(?:phường|xã|thị trấn|quận|huyện|thị xã|thành phố|tỉnh|TP\.?)\s+"
    r"[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,3})\s+"
    r"(?:báo cáo|kính báo cáo|thông báo|ban hành|tổ chức|xây dựng|đề nghị)"
)


def _issuer_from_body(lines: list[Line], start: int, h: Header) -> None:
    """Where no issuer heads the page, take the one the first sentence names, but only
    if the place line names the same unit (``Phường Nguyễn Nghiêm``)."""
    place = h.fields.get("place")
    if not place:
        return
    body = [l.text for l in lines[start:start + 8] if l.text][:3]
    for text in body:
        for m in _BODY_ISSUER.finditer(text):
            if fold(place) in fold(m.group(1)):
                h.put("issuer", m.group(1), "inferred")
                h.warnings.append(f"issuer taken from the body ('{m.group(1)}'): no issuer block in the header")
                return


# --- the whole header ---------------------------------------------------------

# --- marks ----------------------------------------------------------------------

_MARK_NAMES = {"MẬT": "Mật", "TỐI MẬT": "Tối mật", "TUYỆT MẬT": "Tuyệt mật", "KHẨN": "Khẩn",
               "THƯỢNG KHẨN": "Thượng khẩn", "HỎA TỐC": "Hỏa tốc", "HOẢ TỐC": "Hỏa tốc"}


def _marks(lines: list[Line], h: Header, end: int) -> None:
    """Độ mật and độ khẩn: upper-case lines of their own above the body (Decree
    30/2020 puts them under the number). ``bí mật``, ``khẩn trương`` in a sentence
    are words, not marks."""
    for line in lines[:end]:
        mark = _mark_of(line.text)
        if mark and mark[0] not in h.fields:
            h.put(*mark)


def _date(line: Line, h: Header) -> None:
    """The date as far as it is readable (a handwritten day lost keeps the printed
    month and year, ``date_precision`` saying so), and a warning that says why the
    rest is missing: "not filled in" only of a blank form in a file made on a
    computer (a draft); on a scan a gap in a signed paper is handwriting the OCR
    could not read."""
    reading = header_date(line.text)
    h.put("date", reading.value, f"header; {reading.precision} only, the rest {reading.missing}"
          if reading.missing else "header")
    h.put("date_precision", reading.precision)
    scanned = bool(line.word_confs)
    if reading.value is None and find_date(line.text)[1]:  # ``ngày 14 tháng5``, ``31/02/2017``: no date to keep
        reading.missing = "unreadable" if scanned else "blank"
    if reading.missing == "blank" and not scanned:
        h.warnings.append(f"date not filled in: '{squash(line.text)}'")
    elif reading.missing:
        lost = {"month": "the day", "year": "the day and month"}.get(reading.precision, "it")
        kept = f", kept as {reading.value}" if reading.value else ""
        h.warnings.append(f"date unreadable: {lost} could not be read (handwritten?){kept}: '{squash(line.text)}'")


def parse_header(lines: list[Line]) -> Header:
    h = Header()
    a = _anchors(lines)
    symbol = None
    if a.number is not None:
        symbol, rest = _number(lines, a.number)
        if symbol and symbol.symbol:
            _put_symbol(h, symbol)
        elif symbol:
            h.warnings.append(f"number left blank: '{squash(rest)}'")
    stop = a.number if a.number is not None else max(a.head_end, 0)
    if a.number is None and a.date is not None:
        stop = a.date
    issuer, parent = split_issuer_block(_issuer_lines(lines, stop))
    h.put("issuer", issuer)
    h.put("parent_issuer", parent)
    if a.date is not None:
        h.put("place", _place(lines[a.date].text))
        _date(lines[a.date], h)
    _type_and_title(lines, a, h, symbol)
    if symbol and lines[a.number].word_confs:
        symbol = _unglued(symbol, h.fields.get("doc_type"), h) or symbol
    _marks(lines, h, max(h.title_end, a.head_end + 1, 0))
    h.main_end = _main_end(lines, h.title_end)
    nn = next((i for i in range(h.title_end, h.main_end) if rx.NOI_NHAN.match(lines[i].text)), None)
    rec_used: list[int] = []
    if nn is not None:
        recipients, rec_used = _recipients(lines, nn, h.main_end)
        h.put("recipients", recipients)
    _signer(_signature_lines(lines, nn, rec_used, h.main_end, h.title_end), h)
    if "issuer" not in h.fields:
        _issuer_from_body(lines, h.title_end, h)
    code = issuer_code(symbol.codes, symbol.type_code) if symbol and symbol.symbol else None
    body = canonical_body(h.fields.get("issuer"), h.fields.get("parent_issuer"), code)
    if body:
        h.put("issuer_key", body.key, h.provenance.get("issuer", "header"))
        h.put("issuer_name", body.name, h.provenance.get("issuer", "header"))
    return h
