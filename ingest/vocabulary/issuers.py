"""Issuing bodies: splitting the issuer block, and one body, one name.

A body is printed many ways: ``SỞ Y TẾ``, ``SỞ Y TÉ`` (an OCR slip), ``Sở  Y  tế``,
``UỶ BAN``/``ỦY BAN``, ``CHÍNH PHỦ —————`` (the rule under it), ``UBND`` for
``Ủy ban nhân dân``, ``Bộ trưởng Bộ Tài chính`` for the ministry. ``canonical_body``
reads any of them as one ``Body``: its display ``name`` (``Sở Y tế tỉnh Kiên Giang``,
diacritics, proper case, one tone placement) and its ``key``, the name folded
(``so y te tinh kien giang``), which everything compares. Where the document prints
the body's parent (``UBND TỈNH KIÊN GIANG`` above ``SỞ Y TẾ``), the parent's place
(or, for a parent that is no local government, the parent's name) completes it.

The tables below are the vocabulary, each with the forms it reads:

- ``CENTRAL``: the central bodies and the code each signs its symbols with
  (``-CP`` Chính phủ, ``QH15`` Quốc hội, ``-BTC`` Bộ Tài chính ...), so a citation
  of ``214/2025/NĐ-CP`` that prints no issuer is known to be the Government's
  (``body_of_code``);
- ``KNOWN``: bodies whose exact name is known (the central ones, the departments
  of a province and of a district); a printed name within a small edit distance
  of one of them, with the same first word, is that body (OCR slips);
- ``HEADS``: the words a body's name opens with, and what follows them (a field
  of work, ``Sở`` + ``Y tế``; or a place, ``Ủy ban nhân dân`` + ``tỉnh Kiên Giang``);
- ``PLACES``: provinces and cities, so a place printed without ``tỉnh`` is cased
  as a name (``BÀ RỊA – VŨNG TÀU`` -> ``Bà Rịa - Vũng Tàu``).

``--issuer`` asks for a body in any of these spellings, with or without the
place (``issuer_pattern``, ``issuer_matches``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.vocabulary.textnorm import dashes, fold, nfc, normalize_tone, squash

# Words that open the name of a body. A line of the issuer block that opens with
# one of these starts a new body (the one under its parent); any other line
# continues the name above it (``NGÂN HÀNG NHÀ NƯỚC`` / ``VIỆT NAM``).
_BODY_WORDS = [
    "ubnd", "uy ban", "hdnd", "hoi dong", "bo", "so", "phong", "ban", "bql", "truong",
    "dai hoc", "hoc vien", "tong cuc", "cuc", "chi cuc", "vu", "vien", "trung tam",
    "thanh tra", "ngan hang", "chinh phu", "thu tuong", "van phong", "dang uy", "dang bo",
    "huyen uy", "tinh uy", "thanh uy", "thi uy", "quan uy", "dang uy", "cong an", "benh vien",
    "kho bac", "toa an", "vien kiem sat", "kiem toan", "quoc hoi", "chu tich", "mat tran",
    "doan", "lien doan", "hoi", "cong ty", "tong cong ty", "tap doan", "bch", "bo chi huy",
    "ttyt", "tt", "tinh doan", "cong doan", "ubmttq", "cuc thue", "dai", "ky tuc",
]
_BODY_START = re.compile(r"^(?:" + "|".join(sorted(map(re.escape, _BODY_WORDS), key=len, reverse=True)) + r")\b")


def starts_body(line: str) -> bool:
    return bool(_BODY_START.match(fold(line)))


def split_issuer_block(lines: list[str]) -> tuple[str | None, str | None]:
    """Lines of the top-left block -> (issuer, parent_issuer).

    ``UBND TỈNH KIÊN GIANG`` / ``SỞ Y TẾ`` -> (``SỞ Y TẾ``, ``UBND TỈNH KIÊN GIANG``);
    ``UBND TỈNH BÀ RỊA – VŨNG TÀU`` / ``BQL CÁC KHU CÔNG NGHIỆP`` / ``BÀ RỊA – VŨNG TÀU``
    -> (``BQL CÁC KHU CÔNG NGHIỆP BÀ RỊA – VŨNG TÀU``, ``UBND TỈNH BÀ RỊA – VŨNG TÀU``).
    """
    units: list[list[str]] = []
    for line in lines:
        if not units or starts_body(line):
            units.append([line])
        else:
            units[-1].append(line)
    if not units:
        return None, None
    issuer = " ".join(units[-1])
    parent = " ".join(units[-2]) if len(units) > 1 else None
    return issuer, parent


# --- the vocabulary ---------------------------------------------------------------

# Central bodies: the code in their symbols (a regular expression over the code
# upper-cased, ``Đ`` as ``D``, ``&`` dropped) and their name. Decree 30/2020 and the
# symbols of ``../shared/corpus/vbpl`` (``214/2025/NĐ-CP``, ``63/2025/QH15``,
# ``12/2021/NQ-UBTVQH15``, ``01/2006/TT-NHNN``, ``21/2026/TT-BCT`` ...).
CENTRAL = [
    (r"CP", "Chính phủ"),
    (r"TTG", "Thủ tướng Chính phủ"),
    (r"QH\d*", "Quốc hội"),
    (r"UBTVQH\d*", "Ủy ban Thường vụ Quốc hội"),
    (r"CTN", "Chủ tịch nước"),
    (r"VPCP", "Văn phòng Chính phủ"),
    (r"TTCP", "Thanh tra Chính phủ"),
    (r"KTNN", "Kiểm toán nhà nước"),
    (r"NHNN", "Ngân hàng Nhà nước Việt Nam"),
    (r"TANDTC", "Tòa án nhân dân tối cao"),
    (r"VKSNDTC", "Viện kiểm sát nhân dân tối cao"),
    (r"KBNN", "Kho bạc Nhà nước"),
    (r"UBDT", "Ủy ban Dân tộc"),
    (r"HDBCQG", "Hội đồng Bầu cử quốc gia"),
    (r"BTC", "Bộ Tài chính"),
    (r"BNV", "Bộ Nội vụ"),
    (r"BYT", "Bộ Y tế"),
    (r"BGDDT", "Bộ Giáo dục và Đào tạo"),
    (r"BCT", "Bộ Công Thương"),
    (r"BTP", "Bộ Tư pháp"),
    (r"BKHCN", "Bộ Khoa học và Công nghệ"),
    (r"BXD", "Bộ Xây dựng"),
    (r"BGTVT", "Bộ Giao thông vận tải"),
    (r"BNNPTNT|BNN", "Bộ Nông nghiệp và Phát triển nông thôn"),
    (r"BNNMT", "Bộ Nông nghiệp và Môi trường"),
    (r"BLDTBXH", "Bộ Lao động - Thương binh và Xã hội"),
    (r"BTNMT", "Bộ Tài nguyên và Môi trường"),
    (r"BQP", "Bộ Quốc phòng"),
    (r"BCA", "Bộ Công an"),
    (r"BNG", "Bộ Ngoại giao"),
    (r"BVHTTDL", "Bộ Văn hóa, Thể thao và Du lịch"),
    (r"BTTTT", "Bộ Thông tin và Truyền thông"),
    (r"BKHDT", "Bộ Kế hoạch và Đầu tư"),
    (r"BDTTG", "Bộ Dân tộc và Tôn giáo"),
    (r"BCN", "Bộ Công nghiệp"),
    (r"BTM", "Bộ Thương mại"),
    (r"BTS", "Bộ Thủy sản"),
    (r"BVHTT", "Bộ Văn hóa - Thông tin"),
    (r"BBCVT", "Bộ Bưu chính, Viễn thông"),
]
_CENTRAL_CODES = [(re.compile(rf"(?:{pattern})"), name) for pattern, name in CENTRAL]

# Bodies whose name is known exactly, beyond the central ones: a province's and a
# district's departments, the local bodies' offices, the Party's central organs.
KNOWN = [name for _, name in CENTRAL] + [
    "Bộ Chính trị", "Ban Bí thư", "Ban Chấp hành Trung ương", "Văn phòng Trung ương Đảng",
    "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam", "Bảo hiểm xã hội Việt Nam", "Tổng cục Thuế",
    "Tổng cục Hải quan", "Tổng cục Thống kê", "Đại học Quốc gia Hà Nội",
    "Sở Y tế", "Sở Tài chính", "Sở Nội vụ", "Sở Tư pháp", "Sở Giáo dục và Đào tạo", "Sở Xây dựng",
    "Sở Công Thương", "Sở Kế hoạch và Đầu tư", "Sở Tài nguyên và Môi trường",
    "Sở Nông nghiệp và Phát triển nông thôn", "Sở Nông nghiệp và Môi trường", "Sở Khoa học và Công nghệ",
    "Sở Thông tin và Truyền thông", "Sở Văn hóa, Thể thao và Du lịch", "Sở Văn hóa và Thể thao",
    "Sở Du lịch", "Sở Lao động - Thương binh và Xã hội", "Sở Giao thông vận tải", "Sở Ngoại vụ",
    "Sở Dân tộc và Tôn giáo", "Sở Giao thông vận tải - Xây dựng",
    "Phòng Giáo dục và Đào tạo", "Phòng Tài chính - Kế hoạch", "Phòng Nội vụ", "Phòng Tư pháp",
    "Phòng Y tế", "Phòng Văn hóa và Thông tin", "Phòng Văn hóa - Thông tin", "Phòng Tài nguyên và Môi trường",
    "Phòng Kinh tế", "Phòng Kinh tế - Hạ tầng", "Phòng Kinh tế, Hạ tầng và Đô thị", "Phòng Quản lý đô thị",
    "Phòng Lao động - Thương binh và Xã hội", "Phòng Nông nghiệp và Phát triển nông thôn",
    "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân", "Văn phòng Ủy ban nhân dân",
    "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân", "Trung tâm Y tế",
    "Trung tâm Kiểm soát bệnh tật", "Trung tâm Phục vụ hành chính công",
]

# What a body's name opens with, longest first, and what follows: ``field`` (a
# field of work: ``Sở`` + ``Y tế``), ``place`` (``Ủy ban nhân dân`` + ``tỉnh Kiên
# Giang``), ``party`` (a Party committee: ``Huyện ủy`` + ``Sơn Tịnh``), ``name`` (a
# proper name follows, cased as printed by the place rules).
HEADS = [
    ("Ủy ban nhân dân", "place"), ("Hội đồng nhân dân", "place"), ("Ủy ban Mặt trận Tổ quốc Việt Nam", "place"),
    ("Ủy ban Mặt trận Tổ quốc", "place"), ("Công an", "place"), ("Thanh tra", "place"),
    ("Kho bạc Nhà nước", "place"), ("Bảo hiểm xã hội", "place"), ("Chi cục Thuế", "place"), ("Cục Thuế", "place"),
    ("Cục Hải quan", "place"), ("Bộ Chỉ huy Quân sự", "place"), ("Ban Chỉ huy Quân sự", "place"),
    ("Tòa án nhân dân", "place"), ("Viện kiểm sát nhân dân", "place"), ("Đảng bộ", "place"),
    ("Tỉnh ủy", "party"), ("Thành ủy", "party"), ("Huyện ủy", "party"), ("Quận ủy", "party"),
    ("Thị ủy", "party"), ("Đảng ủy", "party"), ("Tỉnh đoàn", "party"), ("Huyện đoàn", "party"),
    ("Đại học Quốc gia", "name"), ("Ban Quản lý", "name"), ("Trường Đại học", "field"),
    ("Học viện", "field"), ("Tổng cục", "field"), ("Chi cục", "field"), ("Cục", "field"), ("Vụ", "field"),
    ("Sở", "field"), ("Phòng", "field"), ("Ban", "field"), ("Viện", "field"), ("Trường", "field"),
    ("Trung tâm", "field"), ("Văn phòng", "field"), ("Bệnh viện", "field"), ("Bộ", "field"),
    ("Ngân hàng", "field"), ("Hội", "field"), ("Công ty", "field"), ("Tổng công ty", "field"),
]

# Abbreviations, as their words (display form), by the folded abbreviation.
ABBREVIATIONS = {
    "ubnd": "Ủy ban nhân dân", "hdnd": "Hội đồng nhân dân", "ubmttq": "Ủy ban Mặt trận Tổ quốc",
    "mttq": "Mặt trận Tổ quốc", "bql": "Ban Quản lý", "kcn": "khu công nghiệp", "ttyt": "Trung tâm Y tế",
    "tw": "Trung ương", "dhqg": "Đại học Quốc gia", "hcm": "Hồ Chí Minh", "tp": "thành phố",
    "tx": "thị xã", "tt": "thị trấn", "ubtvqh": "Ủy ban Thường vụ Quốc hội", "nhnn": "Ngân hàng Nhà nước",
    "bch": "Ban Chấp hành",
}

# Other names of a known body (folded -> its name): the office for the body it
# heads, old and short forms.
ALIASES = {
    "thu tuong": "Thủ tướng Chính phủ", "ngan hang nha nuoc": "Ngân hàng Nhà nước Việt Nam",
    "tong kiem toan nha nuoc": "Kiểm toán nhà nước", "tong thanh tra chinh phu": "Thanh tra Chính phủ",
    "chanh an toa an nhan dan toi cao": "Tòa án nhân dân tối cao",
    "vien truong vien kiem sat nhan dan toi cao": "Viện kiểm sát nhân dân tối cao",
    "chu tich nuoc cong hoa xa hoi chu nghia viet nam": "Chủ tịch nước",
    "chinh phu nuoc cong hoa xa hoi chu nghia viet nam": "Chính phủ",
    "bo tai chanh": "Bộ Tài chính", "bo lao dong thuong binh xa hoi": "Bộ Lao động - Thương binh và Xã hội",
}

# A person's office before the body they sign for (``Bộ trưởng Bộ Tài chính``,
# ``Thống đốc Ngân hàng Nhà nước``, ``Chủ tịch UBND tỉnh``): the body is what follows.
_OFFICES = ("bo truong", "thu truong", "pho thong doc", "thong doc", "chu tich", "pho chu tich",
            "giam doc", "pho giam doc", "tong giam doc", "chanh an", "vien truong", "cuc truong",
            "truong ban", "thuong truc", "thu truong co quan")

# Provinces and cities (before and after 2025), so a place printed without
# ``tỉnh``/``thành phố`` is cased as a name.
PLACES = [
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre", "Bình Dương",
    "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ", "Đà Nẵng", "Đắk Lắk", "Đắk Nông",
    "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương",
    "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu",
    "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ",
    "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La",
    "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Thừa Thiên Huế", "Huế", "Tiền Giang",
    "Hồ Chí Minh", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái", "Việt Nam",
]

# Administrative levels: the word before a place's name (folded words). ``xã`` is
# not one in ``xã hội``, nor ``quận`` in ``quản lý``-like words once folded.
_LEVELS = {("thanh", "pho"): "thành phố", ("thi", "xa"): "thị xã", ("thi", "tran"): "thị trấn",
           ("dac", "khu"): "đặc khu", ("tinh",): "tỉnh", ("huyen",): "huyện", ("quan",): "quận",
           ("phuong",): "phường", ("xa",): "xã"}
_NOT_LEVEL_AFTER = {"xa": {"hoi"}, "quan": {"ly", "doi", "su", "tri", "he", "sat", "tam", "chung", "nhan"},
                    "tinh": {"uy", "doan", "hoi"}, "huyen": {"uy", "doan"}, "thanh": {"uy", "doan"}}

# A rule or decoration printed under a name: ``—————``, ``___``, ``* * *``, ``-------``.
_RULES = re.compile(r"[-_=~*.·•]{2,}|(?:^|\s)[*•]+(?=\s|$)|^[-\s]+|[-\s]+$")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _fold_words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@lru_cache(maxsize=8192)
def _key(text: str) -> str:
    return " ".join(_fold_words(text))


def _table(names) -> dict[tuple[str, ...], str]:
    return {tuple(_fold_words(name)): name for name in names}


_KNOWN = _table(KNOWN)
_HEADS = {tuple(_fold_words(name)): (name, kind) for name, kind in HEADS}
_PLACES = _table(PLACES)
_ALIASES = {tuple(k.split()): v for k, v in ALIASES.items()}
_OFFICE_WORDS = {tuple(o.split()) for o in _OFFICES}
_CENTRAL_NAMES = {tuple(_fold_words(name)) for _, name in CENTRAL}


@dataclass(frozen=True)
class Body:
    """One issuing body: ``name`` to show, ``key`` to compare (the name folded),
    ``place`` the place it names (``tỉnh Kiên Giang``), ``kind`` of its head."""

    name: str
    key: str
    place: str | None = None
    kind: str | None = None


# --- reading a printed name -----------------------------------------------------------

def _clean(text: str) -> str:
    """NFC, one tone placement, dashes to ``-``, rules and decorations dropped, one space."""
    text = normalize_tone(dashes(nfc(text)))
    text = _RULES.sub(" ", squash(text))
    text = re.sub(r"\s*-\s*", " - ", text)          # ``BÀ RỊA–VŨNG TÀU`` -> ``BÀ RỊA - VŨNG TÀU``
    text = re.sub(r"\b(TP|TX|tp|tx|Tp|Tx)\s*\.\s*", r"\1 ", text)  # ``TP.HCM`` -> ``TP HCM``
    return squash(text).strip(" -,.;:*")


def _tokens(text: str) -> list[tuple[str, str]]:
    """(printed word, folded word) pairs, abbreviations written out; ``-`` and ``,``
    stay (their folded word is empty)."""
    out: list[tuple[str, str]] = []
    for raw in text.split():
        lead = raw.rstrip(",;:")
        tail = raw[len(lead):]
        folded = _key(lead)
        if folded in ABBREVIATIONS:
            out += [(w, _key(w)) for w in ABBREVIATIONS[folded].split()]
        elif folded:
            out.append((lead, folded))
        elif lead:
            out.append((lead, ""))
        if tail.startswith(","):
            out.append((",", ""))
    return out


def _words(tokens) -> tuple[str, ...]:
    return tuple(f for _, f in tokens if f)


def _prefix(table: dict, words: tuple[str, ...]):
    """The longest entry of ``table`` the words open with: (value, words it takes)."""
    for n in range(len(words), 0, -1):
        if words[:n] in table:
            return table[words[:n]], n
    return None, 0


def _take(tokens, n: int):
    """The tokens after the first ``n`` words (punctuation among them skipped)."""
    seen = 0
    for i, (_, f) in enumerate(tokens):
        if seen == n:
            return tokens[i:]
        seen += bool(f)
    return []


def _level_at(words: tuple[str, ...], i: int) -> int:
    """How many words a level takes at ``i`` (``thành phố`` 2, ``tỉnh`` 1), 0 if none."""
    for size in (2, 1):
        level = words[i:i + size]
        after = words[i + size:i + size + 1]
        if len(level) == size and level in _LEVELS and after and after[0] not in _NOT_LEVEL_AFTER.get(level[-1], ()):
            if size == 1 and level[0] == "thanh":
                continue
            return size
    return 0


def _title(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


def _place_name(tokens) -> str:
    return " ".join(_title(p) if f else p for p, f in tokens)


def _field_words(tokens) -> str:
    """A field of work: its first word and each after ``và``, ``,`` or ``-`` capitalised
    (``Giáo dục và Đào tạo``, ``Lao động - Thương binh và Xã hội``)."""
    out, capital = [], True
    for printed, folded in tokens:
        if not folded:
            out.append(printed)
            capital = True
            continue
        out.append(_title(printed) if capital else printed.lower())
        capital = folded == "va"
    return " ".join(out)


def _rest(tokens, kind: str | None) -> tuple[str, str | None]:
    """What follows the head: (as shown, the place it names or None)."""
    words = _words(tokens)
    if not words:
        return "", None
    size = _level_at(words, 0)
    if size:
        level = _LEVELS[words[:size]]
        place = f"{level} {_place_name(_take(tokens, size))}".strip()
        return place, place
    place, n = _prefix(_PLACES, words)
    if place and n == len(words):
        return place, place
    if words in _LEVELS:  # ``UBND phường``, cut short
        return _LEVELS[words], None
    if kind in ("place", "party"):
        place = _place_name(tokens)
        return place, place
    for i in range(1, len(words)):  # a field, then its place: ``Y tế huyện Sơn Tịnh``
        size = _level_at(words, i)
        if size:
            head = _field_words(_head_tokens(tokens, i)) if kind == "field" else _plain(_head_tokens(tokens, i))
            place = f"{_LEVELS[words[i:i + size]]} {_place_name(_take(tokens, i + size))}".strip()
            return f"{head} {place}", place
        known, n = _prefix(_PLACES, words[i:])
        if known and i + n == len(words):
            head = _field_words(_head_tokens(tokens, i)) if kind == "field" else _plain(_head_tokens(tokens, i))
            return f"{head} {known}", known
    return (_field_words(tokens) if kind == "field" else _plain(tokens)), None


def _head_tokens(tokens, n: int):
    """The tokens of the first ``n`` words."""
    out, seen = [], 0
    for token in tokens:
        if seen == n:
            break
        out.append(token)
        seen += bool(token[1])
    while out and not out[-1][1]:
        out.pop()
    return out


def _plain(tokens) -> str:
    """Words of no known kind: lower case but the places among them."""
    out, words, i = [], list(tokens), 0
    while i < len(words):
        rest = _words(words[i:])
        place, n = _prefix(_PLACES, rest) if words[i][1] else (None, 0)
        if place:
            out.append(place)
            i += len(_head_tokens(words[i:], n))
            continue
        printed = words[i][0]
        out.append(printed if printed.isupper() and len(printed) > 1 and not words[i][1] else printed.lower())
        i += 1
    return " ".join(out)


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it passes ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        best = row[0]
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
            best = min(best, row[j])
        if best > limit:
            return limit + 1
    return row[-1]


def _near_known(words: tuple[str, ...]) -> str | None:
    """The known body these words misspell (an OCR slip), if exactly one is close:
    same first word, at most 1 letter off (2 from 20 letters on), and no other known
    body within one more."""
    text = " ".join(words)
    if len(text) < 7:
        return None
    limit = 1 if len(text) < 20 else 2
    scored = sorted((_distance(text, " ".join(key), limit + 1), name)
                    for key, name in _KNOWN.items() if key[0] == words[0])
    if not scored or scored[0][0] > limit:
        return None
    if len(scored) > 1 and scored[1][0] <= scored[0][0] + 1:
        return None
    return scored[0][1]


def central_body(code: str | None) -> str | None:
    """The central body that signs with this symbol code: ``CP`` -> ``Chính phủ``,
    ``QH15`` -> ``Quốc hội``, ``BGDĐT`` -> ``Bộ Giáo dục và Đào tạo``; else None."""
    if not code:
        return None
    bare = fold(code).upper().replace("&", "")
    for pattern, name in _CENTRAL_CODES:
        if pattern.fullmatch(bare):
            return name
    return None


def issuer_code(codes: list[str], type_code: str | None) -> str | None:
    """A symbol's one issuer code after its type (``NĐ-CP`` -> ``CP``, ``QH15`` ->
    ``QH15``, ``BC-UBND`` -> ``UBND``); None for a joint ``TTLT-BTC-BNV``."""
    issuers = codes[1:] if type_code and codes and codes[0] == type_code else list(codes)
    if not issuers and len(codes) == 1:  # ``QH15``: a law's code is its type and its issuer
        issuers = list(codes)
    return issuers[0] if len(issuers) == 1 else None


def body_of_symbol(codes: list[str], type_code: str | None) -> str | None:
    """The central body a symbol names by its issuer code (``NĐ-CP`` Chính phủ,
    ``QH15`` Quốc hội; a joint ``TTLT-BTC-BNV`` names none)."""
    return central_body(issuer_code(codes, type_code))


def _guided(words: tuple[str, ...], code: str | None) -> str | None:
    """The central body of the symbol's code, where the printed name is its start or
    it starts the printed name (``Bộ trưởng Bộ Tài nguyên`` cut short before ``và``,
    ``Chính phủ đối với ngành Tài chính`` run on)."""
    name = central_body(code)
    if not name or not words:
        return None
    known = tuple(_fold_words(name))
    if words[:len(known)] == known or (len(words) >= 2 and known[:len(words)] == words):
        return name
    return None


def _joint(tokens) -> str | None:
    """Bodies issuing together, ``BỘ TƯ PHÁP - BỘ CÔNG AN``: each known, joined by ``-``."""
    parts, part = [], []
    for token in tokens + [("-", "")]:
        if token[0] == "-":
            parts.append(_words(part))
            part = []
        else:
            part.append(token)
    if len(parts) < 2 or not all(p in _KNOWN or p in _ALIASES for p in parts):
        return None
    return " - ".join(_KNOWN.get(p) or _ALIASES[p] for p in parts)


def _without_office(tokens):
    """``Bộ trưởng Bộ Tài chính`` -> the tokens of ``Bộ Tài chính``."""
    words = _words(tokens)
    for n in (4, 3, 2):
        if words[:n] in _OFFICE_WORDS:
            rest = _take(tokens, n)
            rest_words = _words(rest)
            if rest_words and (_prefix(_HEADS, rest_words)[0] or _prefix(_KNOWN, rest_words)[0]
                               or _prefix(_ALIASES, rest_words)[0]):
                return rest
    return tokens


def _one_body(text: str, code: str | None = None) -> Body | None:
    """A body printed alone (no parent)."""
    tokens = _tokens(_clean(text))
    words = _words(tokens)
    if not words:
        return None
    alias = _ALIASES.get(words)
    if alias is None:
        tokens = _without_office(tokens)
        words = _words(tokens)
        alias = _ALIASES.get(words)
    guided = _guided(words, code)
    joint = _joint(tokens)
    if joint and not guided:
        return Body(joint, _key(joint), None, "central")
    if alias or guided:
        name = guided or alias
        return Body(name, _key(name), None, "central")
    name, n = _prefix(_KNOWN, words)
    local = _prefix(_HEADS, words)[0]
    if name is None and not (local and local[1] in ("place", "party")):  # no local body is in KNOWN
        body_end = next((i for i in range(1, len(words)) if _level_at(words, i)), len(words))
        name = _near_known(words[:body_end])
        n = body_end
    if name is not None:
        shown, place = _rest(_take(tokens, n), _kind_of(name))
        full = f"{name} {shown}".strip()
        return Body(full, _key(full), place, _kind_of(name))
    head, n = _prefix(_HEADS, words)
    if head:
        name, kind = head
        shown, place = _rest(_take(tokens, n), kind)
        full = f"{name} {shown}".strip()
        return Body(full, _key(full), place, kind)
    shown = _plain(tokens)
    full = shown[:1].upper() + shown[1:]
    return Body(full, _key(full), None, None)


def _kind_of(name: str) -> str | None:
    """What follows a known body's name: a central body's nothing, a department's place."""
    words = tuple(_fold_words(name))
    if words in _CENTRAL_NAMES:
        return "central"
    head = _prefix(_HEADS, words)[0]
    return head[1] if head else None


def _joined(body: Body, parent: Body) -> Body:
    """The body completed by its parent: a local government's or a Party committee's
    place (``Sở Y tế`` + ``tỉnh Kiên Giang``), else the parent's name (``Văn phòng``
    + ``Bộ Y tế``); nothing where the body names a place, or its parent's already, or
    the parent is no body we know the head of (OCR's ``UBNDTỈÏNHPHÚTHỌ``)."""
    if body.place or body.kind == "central" or parent.kind is None:
        return body
    if parent.kind in ("place", "party") and parent.place:
        place = parent.place
        if body.kind == "party":  # ``Huyện ủy`` + ``Sơn Tịnh``, not ``huyện Sơn Tịnh``
            words = _fold_words(place)
            size = _level_at(tuple(words), 0)
            place = " ".join(place.split()[size:]) if size else place
        if _key(place) in body.key or _key(_bare_place(place)) in body.key:
            return body
        full = f"{body.name} {place}"
        return Body(full, _key(full), place, body.kind)
    if parent.key in body.key:
        return body
    full = f"{body.name} {parent.name}"
    return Body(full, _key(full), parent.place, body.kind)


def _bare_place(place: str) -> str:
    """``tỉnh Bà Rịa - Vũng Tàu`` -> ``Bà Rịa - Vũng Tàu``."""
    words = tuple(_fold_words(place))
    size = _level_at(words, 0)
    return " ".join(place.split()[size:]) if size else place


@lru_cache(maxsize=16384)
def canonical_body(name: str | None, parent: str | None = None, code: str | None = None) -> Body | None:
    """The body a printed name (and the parent printed above it, and the issuer code
    of its symbol) names: ``SỞ Y TÉ`` under ``UBND TỈNH KIÊN GIANG`` ->
    ``Body('Sở Y tế tỉnh Kiên Giang', 'so y te tinh kien giang', 'tỉnh Kiên Giang')``.
    None where the name has no letters."""
    if not name:
        return None
    if parent:  # ``ỦY BAN THƯỜNG VỤ`` / ``QUỐC HỘI``: one body split over two lines
        whole = _tokens(_clean(f"{parent} {name}"))
        if _words(whole) in _KNOWN:
            return _one_body(f"{parent} {name}", code)
    body = _one_body(name, code)
    if body is None or not parent:
        return body
    above = _one_body(parent)
    return _joined(body, above) if above else body


def issuer_key(name: str | None, parent: str | None = None, code: str | None = None) -> str | None:
    """The canonical key: the body's name folded. ``UBND phường Nguyễn Nghiêm`` and
    ``ỦY BAN NHÂN DÂN PHƯỜNG NGUYỄN NGHIÊM`` -> ``uy ban nhan dan phuong nguyen nghiem``;
    ``SỞ Y TẾ`` under ``UBND TỈNH KIÊN GIANG`` -> ``so y te tinh kien giang``."""
    body = canonical_body(name, parent, code)
    return body.key or None if body else None


def issuer_name(name: str | None, parent: str | None = None, code: str | None = None) -> str | None:
    """The body's name to show: ``SỞ Y TÉ`` under ``UBND TỈNH KIÊN GIANG`` -> ``Sở Y
    tế tỉnh Kiên Giang``; ``BỘ  TÀI  CHÍNH`` -> ``Bộ Tài chính``."""
    body = canonical_body(name, parent, code)
    return body.name or None if body else None


def folded_name(name: str | None) -> str | None:
    """A name folded word by word, abbreviations written out, no body recognised
    (the key of a law cited by name: ``Luật Đất đai`` -> ``luat dat dai``)."""
    if not name:
        return None
    words = [f for _, f in _tokens(_clean(name)) if f]
    return " ".join(words) or None


# --- asking for a body ------------------------------------------------------------------

_LEVEL_WORDS = r"(?:thanh pho|thi xa|thi tran|dac khu|tinh|huyen|quan|phuong|xa) "


@lru_cache(maxsize=1024)
def issuer_pattern(asked: str | None) -> str | None:
    """A regular expression (Python's and PostgreSQL's alike) over ``' ' + key + ' '``
    for the bodies ``--issuer`` asks for: its words in order, a level word
    (``tỉnh``, ``huyện`` ...) optional on either side, so ``Sở Y tế``, ``so y te kien
    giang`` and ``Sở Y tế tỉnh Kiên Giang`` all find ``so y te tinh kien giang``."""
    key = issuer_key(asked)
    if not key:
        return None
    words, pieces, i = key.split(), [], 0
    while i < len(words):
        size = _level_at(tuple(words), i) or (1 if tuple(words[i:i + 1]) in _LEVELS and i + 1 == len(words) else 0)
        if size:
            pieces.append(f"(?:{re.escape(' '.join(words[i:i + size]))} )?")
            i += size
        else:
            pieces.append(f"{re.escape(words[i])} (?:{_LEVEL_WORDS})?")
            i += 1
    return " " + "".join(pieces)


def _units(words: tuple[str, ...]) -> list[tuple[tuple[str, ...], bool]]:
    """The asked words as (words, optional): a level word is optional."""
    units, i = [], 0
    while i < len(words):
        size = _level_at(words, i) or (1 if words[i:i + 1] in _LEVELS and i + 1 == len(words) else 0)
        units.append((words[i:i + (size or 1)], bool(size)))
        i += size or 1
    return units


def _run_matches(units, key: tuple[str, ...], u: int, k: int) -> bool:
    """Do ``units[u:]`` match ``key`` from ``k`` on, the key's level words skippable
    between them (what ``issuer_pattern`` says, in Python)."""
    if u == len(units):
        return True
    words, optional = units[u]
    if optional and _run_matches(units, key, u + 1, k):
        return True
    if key[k:k + len(words)] == words:
        after = k + len(words)
        if _run_matches(units, key, u + 1, after):
            return True
        size = _level_at(key, after) or (1 if key[after:after + 1] in _LEVELS else 0)
        return bool(size) and u + 1 < len(units) and _run_matches(units, key, u + 1, after + size)
    return False


@lru_cache(maxsize=65536)
def issuer_matches(asked: str | None, key: str | None) -> bool:
    """Whether the body of ``key`` is one ``asked`` names (as ``issuer_pattern`` reads)."""
    wanted = issuer_key(asked)
    if not wanted or not key:
        return False
    units, words = _units(tuple(wanted.split())), tuple(key.split())
    return any(_run_matches(units, words, 0, k) for k in range(len(words)))


def same_issuer(a: str | None, b: str | None) -> bool:
    """Whether two bodies' keys may name the same body: one names the other, with or
    without its place (``bo noi vu`` and ``bo noi vu``; ``so y te kien giang`` and
    ``so y te tinh kien giang``). Unknown on either side is no disagreement."""
    if not a or not b:
        return True
    return issuer_matches(a, b) or issuer_matches(b, a)
