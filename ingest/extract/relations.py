"""How a document relates to each document it cites, read from the clause the
citation sits in (``../shared/DOMAIN.md``, "How a document relates to what it cites").

find -> resolve -> relate: ``citations.find_citations`` found each citation, where
it starts (its type word) and where it ends (after its date, issuer and subject);
``relate`` gives each its ``relation``, one of ``RELATIONS``, in this order:

1. In a report, past the opening (the first numbered section on), a citation is
   what the report recounts: ``dan_chieu`` (``Sở Y tế xây dựng Kế hoạch số
   2190/KH-SYT``, even ``... thay thế Quyết định 2650/QĐ-UBND``).
2. A citation named inside the one before it (in its subject: ``Thông tư số
   2442/2007/TT-TTCP ... hướng dẫn thi hành một số điều của Nghị định số
   37/2007/NĐ-CP``) is ``dan_chieu``; one listed after it (``, ``, ``; ``, ``và``,
   a new ``+`` item) or named as what amended it (``được sửa đổi, bổ sung bởi
   Nghị định số 109/2025/NĐ-CP``) shares its relation.
3. Else the last cue before it in its clause, if the cue governs it: nothing but
   words like ``các``, ``một phần khoản 2 Điều 1 của`` between them, or ``ban hành
   theo``; in the document's title every cue governs what follows it. Opening cues
   (``Căn cứ``, ``Thực hiện``, ``Theo đề nghị``, ``Phúc đáp``) count only where the
   clause begins with them; a list item (``+ Thông tư số 90TC/TCT``) takes the cue
   of the line that introduces the list with a colon. A cue after another
   citation of the clause is that one's act (``Nghị định số 30/2020/NĐ-CP ... thay
   thế Thông tư số 01/2011/TT-BNV`` in a letter), and one said of another
   (``được sửa đổi``, ``đã``, ``theo hướng dẫn tại``) is none.
4. Else a repeal said after it in the same sentence (``Các quy định tại Thông tư
   số 06/2003/TT-NHNN ... hết hiệu lực thi hành``, not ``(nay đã hết hiệu lực)``);
   else ``dan_chieu``.

What is cited decides last: ``Căn cứ`` a plan, a letter or a directive is carrying
it out (``thuc_hien``), not a legal basis, and so is ``Để triển khai`` one when
the document goes on to guide (``hướng dẫn``) the decisions it lists beside it.

Matching is on the folded text (no diacritics, lower case, same offsets), so OCR
that drops or swaps a mark (``bỗ sung``, ``sửa đối``, ``Bãi bô``) reads the same.
"""
from __future__ import annotations

import re

from ingest.models import Citation, Section
from ingest.vocabulary.textnorm import strip_marks

RELATIONS = ("can_cu", "thuc_hien", "de_nghi", "phuc_dap", "sua_doi", "thay_the", "bai_bo",
             "huong_dan", "dinh_chinh", "dan_chieu")
REFERENCE = "dan_chieu"
# Each relation as the domain says it, from the citing document's side and, for a
# trace walked backwards, from the cited document's.
NAMES = {"can_cu": "căn cứ", "thuc_hien": "thực hiện", "de_nghi": "đề nghị", "phuc_dap": "phúc đáp",
         "sua_doi": "sửa đổi, bổ sung", "thay_the": "thay thế", "bai_bo": "bãi bỏ", "huong_dan": "hướng dẫn",
         "dinh_chinh": "đính chính", "dan_chieu": "dẫn chiếu"}
INVERSE = {"can_cu": "là căn cứ của", "thuc_hien": "được thực hiện bởi", "de_nghi": "được đề nghị tại",
           "phuc_dap": "được phúc đáp bởi", "sua_doi": "được sửa đổi, bổ sung bởi", "thay_the": "bị thay thế bởi",
           "bai_bo": "bị bãi bỏ bởi", "huong_dan": "được hướng dẫn bởi", "dinh_chinh": "được đính chính bởi",
           "dan_chieu": "được dẫn chiếu bởi"}

# Cues that must begin their clause: ``Căn cứ Nghị định số ...``, ``Thực hiện Kế hoạch
# số ...``, ``Để triển khai Quyết định số ...``, ``Theo Kế hoạch số ...``, ``Xét đề
# nghị của ... tại Tờ trình số ...``, ``Phúc đáp Công văn số ...``. In the middle of
# a sentence the same words describe, they don't relate (``... thực hiện theo Nghị
# định 64/2009/NĐ-CP``).
OPENERS = [
    ("de_nghi", re.compile(r"(?:xet|theo)\s+(?:de\s+nghi|to\s+trinh)\b")),
    ("can_cu", re.compile(r"can\s+cu\b(?:\s+vao\b)?")),
    ("thuc_hien", re.compile(r"(?:de\s+)?(?:thuc\s+hien|trien\s+khai|thi\s+hanh)\b"
                             r"|theo\s+(?=(?:ke\s+hoach|chi\s+thi|cong\s+van|van\s+ban|thong\s+bao|chuong\s+trinh)\b)")),
    ("phuc_dap", re.compile(r"(?:phuc\s+dap|tra\s+loi|nhan\s+duoc)\b")),
]
# Cues that relate wherever they stand: ``Sửa đổi, bổ sung một số quy định tại ...``,
# ``Quyết định này thay thế các quyết định số ...``, ``Bãi bỏ một phần khoản 2 Điều 1
# của ...``, ``hướng dẫn thi hành ...``, ``đính chính ...``.
ANYWHERE = [
    ("sua_doi", re.compile(r"\bsua\s+doi\b(?:\s*,?\s*bo\s+sung\b)?(?:\s*,?\s*(?:va\s+)?bai\s+bo\b)?|\bbo\s+sung\b")),
    ("thay_the", re.compile(r"\bthay\s+the\b")),
    ("bai_bo", re.compile(r"\b(?:bai\s+bo|huy\s+bo|(?:het|khong\s+con|ngung)\s+hieu\s+luc(?:\s+thi\s+hanh)?)\b")),
    ("huong_dan", re.compile(r"\bhuong\s+dan(?:\s+thi\s+hanh|\s+thuc\s+hien)?\b"
                             r"|\bquy\s+dinh\s+chi\s+tiet(?:\s+(?:va\s+huong\s+dan\s+)?thi\s+hanh)?\b")),
    ("dinh_chinh", re.compile(r"\bdinh\s+chinh\b")),
]
ANYWHERE_KINDS = {relation for relation, _ in ANYWHERE}
# A cue said of another document, not by this one: ``được sửa đổi, bổ sung bởi``,
# ``đã được thay thế``, OCR's ``Sược sửa đối``; ``theo hướng dẫn tại``: as another
# guides; ``văn bản quy định chi tiết``: a kind of document, not an act.
PASSIVE_BEFORE = re.compile(r"(?:\w*uoc|\bda|\bbi|\btheo|\bvan\s+ban)\s*$")
PASSIVE_AFTER = re.compile(r"[\s,]*(?:bo\s+sung\s*)?(?:mot\s+so\s+\w+\s*)?boi\b")
LEAD = re.compile(r"[\s\-+•*.,]*(?:va\s+)?")
# A citation named as what amended the one before it: ``... được sửa đổi, bổ sung
# bởi``, ``(sửa đổi, bổ sung tại``.
AMENDED_BY = re.compile(r"(?:\w*uoc\s+|\()?sua\s+doi\s*,?\s*(?:bo\s+sung\s*)?(?:mot\s+so\s+\w+\s*)?(?:boi|tai|theo)\s*$")
# What may stand between a cue and the citation it governs. Each alternative
# matches a word one way only (a single letter is ``[a-z]``, a roman numeral two
# letters or more): OCR's runs of ``x x x`` or ``l l l`` would otherwise try every
# split of them.
FILLER = re.compile(
    r"[\s,:]*(?:(?:vao|cac|nhung|mot\s+so|mot\s+phan|toan\s+bo|noi\s+dung|quy\s+dinh|qui\s+dinh|diem|khoan"
    r"|dieu|chuong|muc|phu\s+luc|mau|cum\s+tu|kem\s+theo|ban\s+hanh|tai|cua|theo|va|so|[a-z](?![a-z])|\d+[a-z]?"
    r"|[ivxlc]{2,})"
    r"\b[\s,.:;)]*)*")
AS_PROVIDED = re.compile(r"\btheo\s+(?:quy|qui)\s+dinh\b")
ISSUED_BY = re.compile(r"ban\s+hanh\s+(?:kem\s+)?theo\s*$")
# Between two citations of one list: ``, ``, ``; ``, ``và``, ``và các``, a new item.
LIST_JOIN = re.compile(r"\s*(?:[,;]|\bva|\bhoac|\bcung|\n\s*[-+•])[\s,;]*(?:cac\s+)?$")
# Where a clause begins: after ``;``, a full stop, a colon ending its line, an
# opening parenthesis, a blank line, or at a new item (``-``, ``+``, ``1.``, ``a)``).
ITEM = r"\n[ \t]*(?:[-+•*]|\d{1,2}(?:\.\d{1,2})*[.)]|[ivxlc]+\.|[a-z]\))[ \t]*"
OPENING = "|".join(p.pattern for _, p in OPENERS)
OPENS_LINE = re.compile(rf"\n[ \t]*(?:[-+•*][ \t]*)?(?:{OPENING})")
CLAUSE_START = re.compile(rf";|\.(?=\s)|:[ \t]*(?=\n)|\(|\n[ \t]*\n|{ITEM}|\n(?=[ \t]*(?:{OPENING}))")
LIST_ITEM = re.compile(rf"{ITEM}$")
# The colon ending the line that introduces a list, its first item at once; and
# what ends one list before a later item (a blank line, another list's colon, an
# article heading).
INTRO = re.compile(rf":[ \t]*(?={ITEM})")
NOT_ONE_LIST = re.compile(r"\n[ \t]*\n|:[ \t]*\n|\n[ \t]*(?:dieu|chuong|muc|phan)\s+[\divxlc]+")
CLAUSE_LOOKBACK = 400
SENTENCE_END = re.compile(r"\.(?=\s)|;|\n[ \t]*\n|:[ \t]*\n")
REPEALED_AFTER = re.compile(r"(?<!tiep tuc co )(?<!van con )(?<!da )(?<!\()"
                            r"\b(?:(?:het|khong\s+con|ngung)\s+hieu\s+luc|bi\s+(?:bai|huy)\s+bo)")
GUIDES_AFTER = re.compile(r"\bhuong\s+dan\b|\bquy\s+dinh\s+chi\s+tiet\b")
CARRY_OUT = re.compile(r"de\s+(?:trien\s+khai|thuc\s+hien|thi\s+hanh)")
# What one carries out rather than stands on: plans, letters, notices, directives.
PLAN_TYPES = {"Kế hoạch", "Công văn", "Văn bản", "Thông báo", "Chỉ thị", "Kết luận", "Chương trình",
              "Đề án", "Phương án", "Giấy mời", "Công điện", "Hướng dẫn"}
REPORT_TYPES = {"Báo cáo"}


def relate(text: str, citations: list[Citation], doc_type: str | None = None,
           title_span: tuple[int, int] | None = None, sections: list[Section] | None = None) -> None:
    """Give each citation (in order of ``start``) its ``relation``, and the first of
    each cited document in the main part its other roles (``also``)."""
    folded = _folded(text)
    opening_end = _opening_end(doc_type, sections or [], title_span)
    raw: list[str] = []
    for i, cite in enumerate(citations):
        prev = citations[i - 1] if i else None
        raw.append(_relation(folded, cite, prev, raw[-1] if raw else None, title_span, opening_end))
    for cite, relation in zip(citations, raw):
        cite.relation = _by_what_is_cited(relation, cite)
    _also(citations)


def _relation(folded: str, cite: Citation, prev: Citation | None, prev_relation: str | None,
              title_span: tuple[int, int] | None, opening_end: int | None) -> str:
    if opening_end is not None and cite.start >= opening_end:
        return REFERENCE
    if prev is not None and prev.end <= cite.start:
        joined = _joined(folded, prev, cite)
        if joined is not None:
            return prev_relation if joined else REFERENCE
    if title_span and title_span[0] <= cite.start < title_span[1]:
        cue = _last_cue(folded, title_span[0], cite.start, openers_anywhere=True)
        if cue:
            return cue[0]
    start = _clause_start(folded, cite.start)
    said_of = prev.end if prev is not None and start <= prev.start and prev.end <= cite.start else None
    cue = _governing_cue(folded, start, cite.start, said_of)
    if cue is None and LIST_ITEM.search(folded, 0, start) and FILLER.fullmatch(folded[start:cite.start]):
        cue = _introduced(folded, start)
    if cue is not None:
        return _guided(folded, cue, cite)
    return "bai_bo" if _repealed_after(folded, cite.start) else REFERENCE


def _joined(folded: str, prev: Citation, cite: Citation) -> bool | None:
    """True: listed after ``prev`` or named as what amended it; False: named inside
    ``prev`` (nothing between them, ``prev``'s words lead into it); None: neither."""
    between = folded[prev.end:cite.start]
    if OPENS_LINE.search(between):  # ``...;\nCăn cứ Luật ... được sửa đổi, bổ sung bởi``: a clause of its own
        return None
    if AMENDED_BY.search(between) and len(between) < 200:
        return True
    if between.strip() and not LIST_JOIN.fullmatch(between):
        # ``...; Nghị định số 63/2010`` after a subject the citation did not take in
        # (OCR's ``bạn hành Chương trình ...``): a list still, if no cue intervenes.
        if len(between) < 200 and re.search(r"[;,]\s*(?:va\s+)?$", between) and not _any_cue(between):
            return True
        return None
    if between.strip():
        return True
    lead = folded[max(prev.start, cite.start - 40):cite.start]
    return bool(LIST_JOIN.search(lead)) or bool(AMENDED_BY.search(lead))


def _clause_start(folded: str, at: int) -> int:
    begin = max(0, at - CLAUSE_LOOKBACK)
    ends = [m.end() for m in CLAUSE_START.finditer(folded, begin, at)]
    return ends[-1] if ends else begin


def _governing_cue(folded: str, start: int, at: int, said_of: int | None = None) -> tuple[str, int, int] | None:
    """The last cue of the clause ``folded[start:at]`` if it governs the citation at
    ``at``. A cue after another citation of the clause (ending at ``said_of``) is
    that one's act: ``Nghị định số 30/2020/NĐ-CP ... thay thế Thông tư số
    01/2011/TT-BNV`` in a letter is news, not this document replacing anything."""
    cue = _last_cue(folded, start, at)
    if cue is None:
        return None
    relation, cue_start, cue_end = cue
    if said_of is not None and said_of <= cue_start and relation in ANYWHERE_KINDS:
        return None
    gap = folded[cue_end:at]
    if relation == "de_nghi" or ISSUED_BY.search(gap) or AMENDED_BY.search(gap):
        return cue
    if FILLER.fullmatch(gap) and not AS_PROVIDED.search(gap):  # ``... theo quy định tại``: the cue's object is another
        return cue
    return None


def _last_cue(folded: str, start: int, at: int, openers_anywhere: bool = False) -> tuple[str, int, int] | None:
    """(relation, start, end) of the last cue in ``folded[start:at]``: openers where
    the clause begins (anywhere in a title), the others wherever they stand, none
    said of another document; a cue inside a longer one is part of it (``thi hành``
    in ``hết hiệu lực thi hành``)."""
    found = []
    lead = LEAD.match(folded, start, at).end()
    for relation, pattern in OPENERS:
        if openers_anywhere:
            found += [(m.start(), m.end(), relation) for m in pattern.finditer(folded, start, at)]
        elif (m := pattern.match(folded, lead)) and m.end() <= at:  # ``theo`` looks ahead at what it names
            found.append((m.start(), m.end(), relation))
    for relation, pattern in ANYWHERE:
        found += [(m.start(), m.end(), relation) for m in pattern.finditer(folded, start, at)
                  if not _passive(folded, start, m)]
    found = [cue for cue in found if not any(s <= cue[0] and cue[1] <= e and (s, e) != cue[:2] for s, e, _ in found)]
    if not found:
        return None
    cue_start, cue_end, relation = max(found)
    return relation, cue_start, cue_end


def _passive(folded: str, start: int, m: re.Match) -> bool:
    return bool(PASSIVE_BEFORE.search(folded, start, m.start()) or PASSIVE_AFTER.match(folded, m.end(), m.end() + 40))


def _any_cue(text: str) -> bool:
    return any(p.search(text) for _, p in OPENERS + ANYWHERE)


def _introduced(folded: str, item_start: int) -> tuple[str, int, int] | None:
    """The cue of the line introducing the list this item heads (``Các Thông tư sau
    đây ... không còn hiệu lực thi hành:`` then ``+ Thông tư số 90TC/TCT``): the
    colon ends its line, the list follows it at once, and only items of that list
    stand between. Only a cue that opens the line or relates wherever it stands
    (``... các văn bản sau đây hết hiệu lực:``), never a verb inside it."""
    begin = max(0, item_start - CLAUSE_LOOKBACK * 3)
    intros = [m for m in INTRO.finditer(folded, begin, item_start)]
    if not intros:
        return None
    intro = intros[-1]
    between = folded[intro.end():item_start]
    if NOT_ONE_LIST.search(between):
        return None
    return _last_cue(folded, _clause_start(folded, intro.start()), intro.start())


def _guided(folded: str, cue: tuple[str, int, int], cite: Citation) -> str:
    """``Để triển khai Quyết định số ..., Thống đốc ... hướng dẫn``: the decisions a
    document guides; else the cue's relation."""
    relation, cue_start, _ = cue
    if relation == "thuc_hien" and CARRY_OUT.match(folded, cue_start):
        rest = SENTENCE_END.search(folded, cite.end)
        if GUIDES_AFTER.search(folded, cite.end, rest.start() if rest else len(folded)):
            return "huong_dan"
    return relation


def _repealed_after(folded: str, at: int) -> bool:
    end = SENTENCE_END.search(folded, at)
    return bool(REPEALED_AFTER.search(folded, at, end.start() if end else min(len(folded), at + 600)))


def _by_what_is_cited(relation: str, cite: Citation) -> str:
    if relation in ("can_cu", "huong_dan") and cite.type in PLAN_TYPES:
        return "thuc_hien"
    return relation


def _also(citations: list[Citation]) -> None:
    """The first citation of each cited document in the main part (else the first
    anywhere) lists the other roles it is cited in."""
    firsts: dict[str, Citation] = {}
    roles: dict[str, list[str]] = {}
    for cite in sorted(citations, key=lambda c: (c.part != "main", c.start)):
        identity = cite.key or cite.symbol or cite.name
        if not identity:
            continue
        firsts.setdefault(identity, cite)
        roles.setdefault(identity, []).append(cite.relation)
    for identity, cite in firsts.items():
        cite.also = sorted(set(roles[identity]) - {cite.relation}, key=RELATIONS.index)


def _opening_end(doc_type: str | None, sections: list[Section], title_span) -> int | None:
    """Where a report's opening ends: its first numbered section after the title."""
    if doc_type not in REPORT_TYPES:
        return None
    after = title_span[1] if title_span else 0
    return next((s.start for s in sections if s.start >= after), None)


def _folded(text: str) -> str:
    """Lower case without diacritics, one character for one (offsets hold)."""
    folded = strip_marks(text).lower()
    if len(folded) == len(text):
        return folded
    return "".join(f if len(f) == 1 else c for c, f in zip(text, (strip_marks(c).lower() for c in text)))
