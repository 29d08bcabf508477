"""Every pattern the parsers use, with the real forms each one matches.

Patterns work on NFC text whose ``Ð`` is already repaired to ``Đ``.
"""
from __future__ import annotations

import re

# A code inside a symbol: ``QĐ``, ``UBND``, ``TTg``, ``QH13``, ``BLĐTBXH``, damaged ``qđ``.
CODE = r"[A-Za-zĐđÐ][A-Za-zĐđÐ0-9&]*"
# Separators seen between codes: ``QĐ-UBND``, ``QĐ- UBND``, ``QĐ_BKHCN``, ``QĐ/BTC``,
# ``QĐ. BQL–VP`` (a dot then a space, before upper-case codes only); a scan's
# ``QĐ- -TTg`` (the dash read twice, either side of a gap).
CODE_SEP = r"(?:\s*[-_/]\s*(?:-\s*)?|\.[ \t]?(?=[A-ZĐ]{2}))"
NUMBER = r"\d{1,5}[a-zA-Z]?(?:\.\d{1,3})?"   # ``32``, ``3176b``, ``66.15``
YEAR = r"(?:19|20)\d{2}"

SYMBOL = re.compile(
    rf"""
    (?P<number>{NUMBER})?\s*/\s*               # blank in unissued drafts: ``Số: /QĐ-UBND``
    (?:(?P<year>{YEAR})\s*/\s*)?               # normative: ``30/2020/NĐ-CP``
    (?P<codes>{CODE}(?:{CODE_SEP}{CODE})*)     # ``BC-UBND``, ``QH13``, ``TTLT-BTC-BNV``
    (?![\wĐđ])
    """,
    re.X,
)
"""``32/BC-UBND``, ``123/UBND-VP``, ``30/2020/NĐ-CP``, ``77/2015/QH13``,
``308/QĐ- UBND``, ``256 /2004/QĐ-UB``, ``10/2007/QĐ_BKHCN``, ``144/2002/QĐ/BTC``,
``3176b/QĐ-UBND``, ``66.15/2026/NQ-CP``, ``15/CP``."""

PARTY_SYMBOL = re.compile(
    rf"(?P<number>\d{{1,5}})\s*-\s*(?P<type>{CODE})\s*/\s*(?P<issuer>{CODE}(?:\s*[-/]\s*{CODE})*)(?![\wĐđ])")
"""Party documents, number-TYPE/ISSUER: ``05-CT/TW``, ``18-NQ/TW``, ``123-BC/HU``; and the
old ministry form ``999-TC/QĐ-CĐKT`` (also printed ``999- TC/QĐ/CĐKT``)."""

OLD_SYMBOL = re.compile(rf"(?P<number>\d{{1,5}})\s*(?P<unit>[A-Z]{{2,4}})\s*/\s*(?P<codes>{CODE}(?:\s*/\s*{CODE})*)(?![\wĐđ])")
"""Pre-2000 ministry forms, number glued to the unit: ``60 TC/CĐKT``, ``90TC/TCT``,
``1141 TC/QĐ/CĐKT``."""

NUMBER_LINE = re.compile(
    r"^\s*(?:(?:Luật|Bộ\s+luật|Nghị\s+quyết|Pháp\s+lệnh|Lệnh|Nghị\s+định|Quyết\s+định)\s+)?"
    r"S[ốỐoOóÓôÔ]\s*(?:[:.;]\s*|(?=\s*\d)|\s+(?=/))",
    re.I,
)
"""The number line: ``Số: 32/BC-UBND``, ``SỐ:``, ``Số:09/...``, ``Số : 01/2006``, ``Số 15/CP``,
and on laws and resolutions ``Luật số: 121/2025/QH15``, ``Nghị quyết số: 105/2025/UBTVQH15``."""

MOTTO = re.compile(r"C[ỘO]NG\s*H[ÒOÓ][AÀ]\s*X[ÃA]\s*H[ỘO]I|Đ[ẢA]NG\s+C[ỘO]NG\s+S[ẢA]N\s+VI[ỆE]T\s+NAM", re.I)
"""``CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM``, ``Cộng hoà xã hội...``, ``ĐẢNG CỘNG SẢN VIỆT NAM``."""

MOTTO_2 = re.compile(r"Đ[ộo]c\s*l[ậa]p\s*[-–]?\s*T[ựu]\s*do", re.I)
"""``Độc lập - Tự do - Hạnh phúc``."""

DECORATION = re.compile(r"^[\s\-_=*&~.:·•o+#]*$")
"""Rules under the header: ``_________``, ``==========&==========``, ``*****``, ``-:-``."""

DATE_WORDS = re.compile(
    r"ngày\s*(?P<day>\d{1,2})?[\s.…_]*tháng\s*(?P<month>\d{1,2})?[\s.…_]*năm\s*(?P<year>\d{4})",
    re.I,
)
"""``ngày 04 tháng 3 năm 2024``, ``ngày22tháng 01 năm 2013``, ``ngày      tháng     năm 2007``
(blank day and month: a draft)."""

DATE_WORDS_NO_YEAR = re.compile(r"ngày\s*(?P<day>\d{1,2})\s*tháng\s*(?P<month>\d{1,2})(?!\s*năm)", re.I)
"""``ngày 14 tháng5`` (no year printed)."""

DATE_NUMERIC = re.compile(r"(?<![\d/])(?P<day>\d{1,2})\s*[/.\-]\s*(?P<month>\d{1,2})\s*[/.\-]\s*(?P<year>(?:19|20)\d{2})(?!\d)")
"""``25-10-2017``, ``21/12/2011``, ``27.01.2022``."""

DATE_ISO = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})")
"""``2017-10-01`` (as a search form's date is also typed)."""

PLACE_DATE = re.compile(
    r"^(?P<place>[^,\d]{2,60}?)\s*(?:,\s*(?=ngày)|,?\s*(?=ngày\s*(?:\d|[.…_ ]*tháng)|\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4}))",
    re.I,
)
"""``Hà Nội, ngày 22 tháng 6  năm 2007``, ``Vũng Tàu , ngày      tháng``,
``Phường Nguyễn Nghiêm, ngày 04 tháng 3 năm 2024``, ``Tp. Hồ Chí Minh, ngày22tháng 01``,
and where OCR garbled a handwritten day, ``Kiên Giang, ngày À Ö tháng 10 năm 2017``."""

VV = re.compile(r"^\(?\s*(?:V/v|V\.v|Về việc)\b", re.I)
"""Công văn summary: ``V/v tổ chức bổ sung Vitamin A``, ``(V/v Tăng cường giám sát ...)``."""

NOI_NHAN = re.compile(r"^\W{0,3}N[ơo]i\s+(?:nh[ậa]n|g[ửu]i)\s*:?", re.I)
"""``Nơi nhận:``, ``Nơi nhận :``, ``Nơi gửi:``."""

AUTHORITY = re.compile(r"^(?:TM|KT|TL|TUQ|Q|Q\.?\s*TM)\s*[./:]\s*\S", re.I)
"""Signature prefixes: ``TM. ỦY BAN NHÂN DÂN``, ``KT. CHỦ TỊCH``, ``KT.BỘ TRƯỞNG``,
``KT/BỘ TRƯỞNG``, ``TL.CHỦ TỊCH``, ``TUQ. GIÁM ĐỐC``, ``Q. CHÁNH VĂN PHÒNG``."""

SIGNED = re.compile(r"^\(?\s*(?:đã\s+ký|ký\s*(?:,|và|tên|đóng)|signed|\[?chữ\s+ký)[^)]*\)?\s*$", re.I)
"""Where the signature stands: ``(Đã ký)``, ``Đã ký``, ``(Ký, đóng dấu)``, ``(ký tên)``."""

PERSON_NAME = re.compile(r"^(?:(?:Ông|Bà|TS|ThS|PGS\.?\s*TS|GS\.?\s*TS|BS|Đ/c)\.?\s+)?"
                         r"(?P<name>[A-ZĐÀ-Ỹ][a-zđà-ỹ]+(?:\s+[A-ZĐÀ-Ỹ][a-zđà-ỹ]+){1,5})$")
"""A signer's name: ``Đỗ Ngọc Thìn``, ``Phạm Thị Thanh Trà``, ``Nguyễn Tấn Dũng``."""

ATTACHMENT_START = re.compile(
    r"^\(?\s*(?:Ban\s+hành\s+)?(?:kèm\s+theo|theo)\s+(?:Quyết\s+định|Nghị\s+định|Thông\s+tư|Nghị\s+quyết|Công\s+văn|Kế\s+hoạch|Chỉ\s+thị)",
    re.I,
)
"""The line under an attachment's title: ``(Ban hành kèm theo Quyết định số 12/QĐ-UBND ...)``,
``(Ban hành theo Quyết định số 12/2001/QĐ- BTC``, ``(Kèm theo Công văn số ...)``."""

SECTION_START = re.compile(r"^(?:[IVXLC]+\s*[./)]|\d{1,2}(?:\.\d{1,2})*\s*[.)-](?!\d)|[a-zđ]\)|Điều\s+\d|Chương\s+[IVXLC\d]|Phần\s+[IVXLC\d]|Mục\s+[IVXLC\d])\s*", re.I)
"""Numbered sections: ``1.``, ``3.1.``, ``I.``, ``II/``, ``a)``, ``Điều 1.``, ``Chương I``."""

BODY_OPENERS = re.compile(r"^\W{0,2}(?:Căn\s+cứ|Kính\s+gửi|Thực\s+hiện|Theo\s+đề\s+nghị|Xét\s+đề\s+nghị|Để\s+|Nhằm\s+|Trên\s+cơ\s+sở|Ngày\s+\d)", re.I)
"""Lines that open the body, so never belong to a title: ``Căn cứ ...``, ``Kính gửi: ...``."""

MARKS = re.compile(r"^(?:ĐẾN|KHẨN|THƯỢNG\s+KHẨN|HỎA\s+TỐC|HOẢ\s+TỐC|MẬT|TỐI\s+MẬT|TUYỆT\s+MẬT|DỰ\s+THẢO|BẢN\s+SAO|SAO\s+Y.*)$", re.I)
"""Stamps and marks that sit in the header area: ``KHẨN``, ``MẬT``, ``DỰ THẢO``."""

CONFIDENTIALITY = re.compile(r"^(?i:ĐỘ\s+MẬT\s*:?\s*)?(?P<mark>TUYỆT\s+MẬT|TỐI\s+MẬT|MẬT)$")
"""The độ mật mark under the number: ``MẬT``, ``TỐI MẬT``, ``TUYỆT MẬT`` (upper case, a line of its own)."""
URGENCY = re.compile(r"^(?i:ĐỘ\s+KHẨN\s*:?\s*)?(?P<mark>THƯỢNG\s+KHẨN|KHẨN|HỎA\s+TỐC|HOẢ\s+TỐC)(?:\s+HẸN\s+GIỜ)?$")
"""The độ khẩn mark: ``KHẨN``, ``THƯỢNG KHẨN``, ``HỎA TỐC`` (``HỎA TỐC HẸN GIỜ`` is Hỏa tốc)."""

# --- citations ------------------------------------------------------------------

CITED_TYPES = (
    r"Nghị\s+quyết\s+liên\s+tịch|Thông\s+tư\s+liên\s+tịch|Nghị\s+quyết|Nghị\s+định|Quyết\s+định|"
    r"Thông\s+tư|Chỉ\s+thị|Kết\s+luận|Quy\s+định|Quy\s+chế|Hướng\s+dẫn|Thông\s+báo|Tờ\s+trình|"
    r"Đề\s+án|Kế\s+hoạch|Chương\s+trình|Báo\s+cáo|Công\s+điện|Công\s+văn|Văn\s+bản|Pháp\s+lệnh|"
    r"Bộ\s+luật|Luật|Hiến\s+pháp|Lệnh|Giấy\s+mời|Thông\s+cáo|Phương\s+án|Dự\s+án|Biên\s+bản|"
    r"QĐ|NĐ|TTLT|TT|NQ|CT|KH|CV"
)

CITE_SYMBOL = re.compile(
    rf"(?=\d)(?<![\w/.\-–])(?:"
    rf"\d{{1,5}}\s*-\s*{CODE}\s*/\s*{CODE}(?:\s*[-/]\s*{CODE})*"                       # 05-CT/TW, 999-TC/QĐ-CĐKT
    rf"|\d{{1,5}}\s*[A-Z]{{2,4}}\s*/\s*{CODE}(?:\s*/\s*{CODE})*"                        # 60 TC/CĐKT
    rf"|{NUMBER}\s*/\s*(?:{YEAR}\s*/\s*)?{CODE}(?:{CODE_SEP}{CODE})*"                   # 32/BC-UBND
    rf")(?![\wĐđ])"
)
"""A symbol inside running text: ``308/QĐ- UBND``, ``142/KH-\\nUBND``, ``14-KL/TW``,
``1141 TC/QĐ/CĐKT``, ``44/2000/TTLT/BTC-BGD&ĐT-BLĐTB&XH``."""

TYPE_BEFORE = re.compile(rf"(?P<type>{CITED_TYPES})\s*(?:số|s[ốo]\s*:)?\s*:?\s*$", re.I)
"""The type right before a symbol: ``Quyết định số ``, ``Thông tư liên tịch số ``, ``Quyết\\nđịnh số ``."""

NAMED_BEFORE = re.compile(r"(?P<type>Bộ\s+luật|Luật|Pháp\s+lệnh)\s+(?P<name>[^\n;()\d]{2,100}?)\s+số\s*:?\s*$")
"""A law named before its number: ``Luật Tổ chức Chính phủ số ``."""

LIST_BETWEEN = re.compile(r"^\s*(?:,|;|và|hoặc)?\s*(?:các\s+)?(?:số\s*)?$", re.I)
"""What separates symbols that share a type: ``12/QĐ-UBND, 13/QĐ-UBND``, ``... và 14/QĐ-UBND``."""

SUBJECT_MARK = re.compile(
    r"\b(?:về\s+việc|V/v|về|quy\s+định|hướng\s+dẫn|ban\s+hành|sửa\s+đổi|phê\s+duyệt|thành\s+lập|"
    r"công\s+bố|bãi\s+bỏ|triển\s+khai|thực\s+hiện|tuyên\s+truyền|khắc\s+phục)\b",
    re.I,
)
"""Where a citation's subject begins: ``về việc ban hành Kế hoạch ...``, ``hướng dẫn thi hành ...``."""

CITE_DATE = re.compile(
    r"^[\s,]*(?:ngày\s*)?(?:"
    r"(?P<d1>\d{1,2})\s*tháng\s*(?P<m1>\d{1,2})\s*năm\s*(?P<y1>\d{4})"
    r"|(?P<d2>\d{1,2})\s*[/.\-]\s*(?P<m2>\d{1,2})\s*[/.\-]\s*(?P<y2>(?:19|20)\d{2}))",
    re.I,
)
"""A date printed with the reference: ``ngày 27/01/2022``, ``ngày 27 tháng 01 năm 2022``,
``, ngày 6 tháng 12 năm 2011``, ``27-01-2022``, ``27.01.2022``."""

CITE_ISSUER = re.compile(
    r"^[\s,]*của\s+(?P<issuer>[^\n;,()]{2,90}?)(?=\s+(?:ngày|về|V/v|quy\s+định|hướng\s+dẫn|ban\s+hành|sửa\s+đổi|"
    r"phê\s+duyệt|thành\s+lập|công\s+bố|bãi\s+bỏ|thay\s+thế|và|tại|đã|được|nay|như\s+sau)\b|\s*[;,().:]|\s*$)",
    re.I,
)
"""``của UBND phường Nguyễn Nghiêm`` before ``về việc``, ``của ủy ban Thường vụ Quốc hội`` before ``ngày``,
``của UBND huyện Sơn Tịnh`` before ``như sau``."""

LAW_BY_DATE = re.compile(
    r"(?P<type>Bộ\s+luật|Luật|Hiến\s+pháp|Pháp\s+lệnh)\s+(?P<name>[^\n;()\d/]{2,100}?)\s+ngày\s+"
    r"(?P<d>\d{1,2})\s*tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>\d{4})"
)
"""A law cited by name and date, no number: ``Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015``."""

ISSUES = re.compile(
    r"ban\s+hành\s+(?:kèm\s+theo\s+)?(?P<type>Kế\s+hoạch(?:\s+hành\s+động)?|Chương\s+trình|Quy\s+chế|Quy\s+định|"
    r"Đề\s+án|Phương\s+án|Điều\s+lệ|Danh\s+mục|Chế\s+độ|Hướng\s+dẫn|Bộ\s+tiêu\s+chí|Tiêu\s+chí|Quy\s+trình)"
    r"\s*(?P<title>[^;\n]*)",
    re.I,
)
"""What a decision issues: ``về việc ban hành Kế hoạch cải cách hành chính năm 2024``."""

# --- figures, periods, sections -------------------------------------------------

VN_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
"""Vietnamese numbers: ``1.234.567``, ``12,5``, ``109``, ``1.250``."""

FIGURE_UNITS = [
    "tỷ đồng", "triệu đồng", "nghìn đồng", "ngàn đồng", "đồng", "tỷ đ", "triệu đ", "tỷ USD",
    "triệu USD", "nghìn USD", "USD", "triệu tấn", "nghìn tấn", "ngàn tấn", "tấn", "kg", "%",
    "tỷ kWh", "triệu kWh", "kWh", "MW", "tỷ m3", "triệu m3", "m3", "triệu lít", "lít", "triệu cái",
    "hồ sơ", "người", "hộ", "lượt", "cuộc", "tin bài", "tin, bài", "tin", "bài viết", "bài",
    "buổi", "ha", "km", "m2", "m²", "cái", "chiếc", "xã", "cơ sở", "doanh nghiệp", "trường hợp",
    "vụ", "lớp", "học viên", "đơn vị", "dự án", "công trình", "văn bản", "thủ tục", "TTHC",
    "cán bộ", "công chức", "viên chức", "đảng viên", "học sinh", "sinh viên", "trẻ", "bệnh nhân",
    "ca", "cas", "mẫu", "liều", "giường", "phòng", "lần", "quyết định", "tập thể", "chỉ tiêu",
    "thí sinh", "tỷ", "triệu", "đ",
]
UNIT_ALTERNATION = "|".join(
    r"\s+".join(re.escape(word) for word in unit.split(" "))  # a unit may wrap: ``431 triệu\nUSD``
    for unit in sorted(FIGURE_UNITS, key=len, reverse=True))
FIGURE = re.compile(
    r"(?=\d)(?<![\w/.,\-§])(?P<number>" + VN_NUMBER + r")\s?(?P<unit>(?i:" + UNIT_ALTERNATION + r"))(?![\wÀ-ỹ])"
)
"""A number with its unit: ``109 hồ sơ``, ``98,6%``, ``1.250 triệu đồng``, ``48.640.000đ``."""

COUNT_UNITS = {
    "hồ sơ", "người", "hộ", "lượt", "cuộc", "tin bài", "buổi", "cái", "chiếc", "xã", "cơ sở", "doanh nghiệp",
    "trường hợp", "vụ", "lớp", "học viên", "đơn vị", "dự án", "công trình", "văn bản", "thủ tục", "TTHC",
    "cán bộ", "công chức", "viên chức", "đảng viên", "học sinh", "sinh viên", "trẻ", "bệnh nhân", "ca", "cas",
    "mẫu", "liều", "giường", "phòng", "lần", "quyết định", "tập thể", "chỉ tiêu", "thí sinh",
}
"""Units that count things: a value with a decimal part is not one of them."""

UNIT_ROW = re.compile(
    r"^[ \t]*(?P<unit>(?i:" + "|".join(re.escape(u) for u in sorted(COUNT_UNITS, key=len, reverse=True)) +
    r"))(?P<numbers>(?:[ \t]+(?:" + VN_NUMBER + r")){2,})[ \t]*$", re.MULTILINE)
"""A table row as OCR or a PDF reads it where the unit is a column of its own, before the
values: ``Lượt 4.500.000 4.128.270 4.800.000 106,6`` (ĐVT | kế hoạch | thực hiện | ... | tỷ lệ)."""

NOT_FIGURE_BEFORE = re.compile(
    r"(?:Điều|khoản|điểm|mục|Mục|(?<![Dd]ân\s)số|Số|Quý|quý|tháng|năm|ngày|lần\s+thứ|giai\s+đoạn|Chương|Phần|"
    r"[Kk]hóa|[Kk]hoá|mức\s+độ|cấp\s+độ|độ|loại|hạng|nhóm|Phụ\s+lục|phụ\s+lục|Mẫu|mẫu|ĐT|điện\s+thoại|"
    r"Fax|fax|lúc|từ\s+ngày|đến\s+ngày|[<>≤≥])\s*:?\s*$"
)
"""Numbers that are not figures: ``Điều 5``, ``khoản 2``, ``Quý I``, ``mức độ 3,4``, ``ĐT: 0255...``,
thresholds (``tỷ lệ thấp (<50%)``)
(but ``dân số 1.791.827 người`` is a population, not a numbering)."""

PERIOD_QUARTER = re.compile(r"\bQuý\s+(?P<q>I{1,3}|IV|[1-4])\s*(?:/|năm|-)\s*(?P<y>(?:19|20)\d{2})", re.I)
"""``Quý I/2024``, ``Quý I năm 2024``, ``quý IV-2023``."""
PERIOD_HALF = re.compile(r"\b(?P<n>6)\s+tháng\s+(?P<which>đầu|cuối)\s+năm\s+(?P<y>(?:19|20)\d{2})", re.I)
"""``6 tháng đầu năm 2024``, ``6 tháng cuối năm 2023``."""
PERIOD_MONTHS = re.compile(r"\b(?P<n>\d{1,2})\s+tháng\s+(?:đầu\s+)?năm\s+(?P<y>(?:19|20)\d{2})", re.I)
"""``9 tháng năm 2024``, ``2 tháng đầu năm 2007``, ``10 tháng năm 2017``."""
PERIOD_MONTH = re.compile(r"\btháng\s+(?P<m>\d{1,2})\s*(?:/|-|năm)\s*(?P<y>(?:19|20)\d{2})", re.I)
"""``tháng 10-2017``, ``tháng 3/2024``, ``tháng 02 năm 2007``."""
PERIOD_RANGE = re.compile(r"\bgiai\s+đoạn\s+(?P<a>(?:19|20)\d{2})\s*[-–]\s*(?P<b>(?:19|20)\d{2})", re.I)
"""``giai đoạn 2021-2030``, ``giai đoạn 2026 - 2030``."""
PERIOD_YEAR = re.compile(r"\bnăm\s+(?P<y>(?:19|20)\d{2})\b", re.I)
"""``năm 2024``."""

SECTION_HEADING = re.compile(
    r"^(?P<number>(?P<roman>[IVXLC]{1,6})\s*[./)]|(?P<arabic>\d{1,2}(?:\.\d{1,2}){0,3})\s*[.)]|"
    r"(?P<letter>[a-zđ])\)|(?P<dieu>Điều\s+\d{1,3})\s*[.:]?|(?P<chuong>Chương\s+[IVXLC\d]+)|"
    r"(?P<phan>Phần\s+(?:thứ\s+\w+|[IVXLC\d]+))|(?P<muc>Mục\s+[IVXLC\d]+))\s*(?P<title>\S.{0,200})?$"
)
"""Numbered headings: ``1. Công tác chỉ đạo``, ``3.1. Thuận lợi``, ``I. Kết quả``, ``II/ ...``,
``a) ...``, ``Điều 1. ...``, ``Chương II``, ``Phần thứ nhất``, ``Mục 2``."""


EFFECTIVE = re.compile(
    r"\b(?:quyet\s+dinh|thong\s+tu(?:\s+lien\s+tich)?|nghi\s+dinh|nghi\s+quyet|luat|phap\s+lenh|chi\s+thi"
    r"|cong\s+van|van\s+ban|ke\s+hoach|quy\s+che|quy\s+dinh|thong\s+bao|huong\s+dan)\s+nay\s*,?\s*"
    r"co\s+hieu\s+luc(?:\s+thi\s+hanh)?\s*,?\s*(?:(?:ke\s+)?tu\s+)?(?:"
    r"ngay\s+(?P<d1>\d{1,2})\s*(?:thang\s*(?P<m1>\d{1,2})\s*nam\s*(?P<y1>\d{4})|[/.\-]\s*(?P<m2>\d{1,2})\s*[/.\-]\s*(?P<y2>\d{4}))"
    r"|(?P<signing>ngay\s+(?:ky|ban\s+hanh)))",
)
"""When this document takes effect, on folded text (no diacritics, lower case: OCR's
``co hieu luc`` too), only where its subject is this document: ``Thông tư này có
hiệu lực thi hành kể từ ngày 15 tháng 02 năm 2026``, ``Quyết định này có hiệu lực từ
ngày 01/10/2024``, ``... kể từ ngày ký`` (its own date). ``Luật Đất đai ... có hiệu
lực từ ngày 01/8/2024`` speaks of another; ``sau 15 ngày kể từ ngày đăng Công báo``
names no day."""
