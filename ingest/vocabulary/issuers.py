"""Issuing bodies: splitting the issuer block and the canonical ``issuer_key``."""
from __future__ import annotations

import re
from functools import lru_cache

from ingest.vocabulary.textnorm import dashes, fold

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

_ABBREVIATIONS = [(re.compile(pattern), full) for pattern, full in (
    (r"\bubnd\b", "uy ban nhan dan"), (r"\bhdnd\b", "hoi dong nhan dan"),
    (r"\bubmttq\b", "uy ban mat tran to quoc"), (r"\bmttq\b", "mat tran to quoc"),
    (r"\btp\s*\.\s*|\btp\b", "thanh pho "), (r"\btx\s*\.\s*", "thi xa "), (r"\bbql\b", "ban quan ly"),
    (r"\bkcn\b", "khu cong nghiep"), (r"\bttyt\b", "trung tam y te"), (r"\btw\b", "trung uong"),
    (r"\bdhqg\b", "dai hoc quoc gia"), (r"\bhcm\b", "ho chi minh"),
)]


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


@lru_cache(maxsize=8192)
def issuer_key(name: str | None) -> str | None:
    """Canonical key: abbreviations expanded, case, diacritics and tone placement folded.

    ``UBND phường Nguyễn Nghiêm`` and ``ỦY BAN NHÂN DÂN PHƯỜNG NGUYỄN NGHIÊM`` ->
    ``uy ban nhan dan phuong nguyen nghiem``.
    """
    if not name:
        return None
    key = fold(dashes(name))
    for pattern, full in _ABBREVIATIONS:
        key = pattern.sub(full, key)
    key = re.sub(r"[^\w\s]", " ", key)
    return re.sub(r"\s+", " ", key).strip() or None
