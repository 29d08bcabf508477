"""Document types and their codes (Decree 30/2020/NĐ-CP, Appendix III, and the
normative types of the Law on legal documents)."""
from __future__ import annotations

from functools import lru_cache

from ingest.vocabulary.textnorm import fold

TYPE_CODES: dict[str, str] = {
    "NQ": "Nghị quyết", "QĐ": "Quyết định", "CT": "Chỉ thị", "QC": "Quy chế",
    "QyĐ": "Quy định", "TC": "Thông cáo", "TB": "Thông báo", "HD": "Hướng dẫn",
    "CTr": "Chương trình", "KH": "Kế hoạch", "PA": "Phương án", "ĐA": "Đề án",
    "DA": "Dự án", "BC": "Báo cáo", "BB": "Biên bản", "TTr": "Tờ trình",
    "HĐ": "Hợp đồng", "CĐ": "Công điện", "BGN": "Bản ghi nhớ", "BTT": "Bản thỏa thuận",
    "GUQ": "Giấy ủy quyền", "GM": "Giấy mời", "GGT": "Giấy giới thiệu",
    "GNP": "Giấy nghỉ phép", "PG": "Phiếu gửi", "PC": "Phiếu chuyển", "PB": "Phiếu báo",
    "TM": "Thư mời", "NĐ": "Nghị định", "TT": "Thông tư", "TTLT": "Thông tư liên tịch",
    "PL": "Pháp lệnh", "L": "Luật", "KL": "Kết luận", "VBHN": "Văn bản hợp nhất",
    "SY": "Bản sao y", "TS": "Bản trích sao", "SL": "Bản sao lục", "QY": "Quy định",
}
# Codes whose printed case is mixed; everything else is upper case.
MIXED_CASE = {c.upper(): c for c in ("TTg", "CTr", "TTr", "QyĐ", "TTra")}
# ``QD`` typed for ``QĐ``. Only where no other code reads the same way: ``HD`` is
# Hướng dẫn and ``DA`` Dự án, so those stay as printed.
DOTLESS = {"QD": "QĐ", "ND": "NĐ", "CD": "CĐ", "QYD": "QyĐ"}

# Type names as they head a document, longest first so ``THÔNG TƯ LIÊN TỊCH``
# wins over ``THÔNG TƯ``.
TYPE_NAMES = sorted(
    {*TYPE_CODES.values(), "Công văn", "Luật", "Bộ luật", "Lệnh", "Quy chế", "Điều lệ",
     "Chỉ thị", "Nghị quyết liên tịch", "Báo cáo", "Tờ trình", "Thông tư liên tịch"}
    - {"Bản sao y", "Bản trích sao", "Bản sao lục"},
    key=len, reverse=True,
)
_BY_FOLDED = {fold(name): name for name in TYPE_NAMES}


def canonical_code(code: str) -> str:
    """``qđ`` -> ``QĐ``, ``QD`` -> ``QĐ``, ``TTG`` -> ``TTg``, ``ubnd`` -> ``UBND``."""
    upper = code.upper()
    upper = DOTLESS.get(upper, upper)
    return MIXED_CASE.get(upper, upper)


def type_name(code: str | None) -> str | None:
    if not code:
        return None
    if code.startswith("QH") and code[2:].isdigit():
        return "Luật"
    return TYPE_CODES.get(code)


@lru_cache(maxsize=4096)
def match_type_name(text: str) -> tuple[str, str] | None:
    """``QUYẾT ĐỊNH CỦA BỘ TRƯỞNG`` -> (``Quyết định``, ``CỦA BỘ TRƯỞNG``)."""
    folded = fold(text)
    for key, name in _BY_FOLDED.items():
        if folded == key or folded.startswith(key + " ") or folded.startswith(key + ":"):
            words = len(key.split())
            rest = text.split(None, words)
            return name, rest[words] if len(rest) > words else ""
    return None
