"""Every pattern the parsers use, with the real forms each one matches.

Patterns work on NFC text whose ``Ð`` is already repaired to ``Đ``.
"""
from __future__ import annotations

import re

# A code inside a symbol: ``QĐ``, ``UBND``, ``TTg``, ``QH13``, ``BLĐTBXH``, damaged ``qđ``.
CODE = r"[A-Za-zĐđ][A-Za-zĐđ0-9]*"
# Separators seen between codes: ``QĐ-UBND``, ``QĐ- UBND``, ``QĐ_BKHCN``, ``QĐ/BTC``,
# ``QĐ. BQL–VP`` (a dot then a space, before upper-case codes only).
CODE_SEP = r"(?:\s*[-_/]\s*|\.\s*(?=[A-ZĐ]{2}))"
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

PARTY_SYMBOL = re.compile(rf"(?P<number>\d{{1,5}})\s*-\s*(?P<type>{CODE})\s*/\s*(?P<issuer>{CODE})(?![\wĐđ])")
"""Party documents, number-TYPE/ISSUER: ``05-CT/TW``, ``18-NQ/TW``, ``123-BC/HU``."""

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

PLACE_DATE = re.compile(
    r"^(?P<place>[^,\d]{2,60}?)\s*,?\s*(?=ngày\s*(?:\d|[.…_ ]*tháng)|\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4})",
    re.I,
)
"""``Hà Nội, ngày 22 tháng 6  năm 2007``, ``Vũng Tàu , ngày      tháng``,
``Phường Nguyễn Nghiêm, ngày 04 tháng 3 năm 2024``, ``Tp. Hồ Chí Minh, ngày22tháng 01``."""

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
