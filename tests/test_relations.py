"""How a document relates to what it cites (``ingest.extract.relations``):
table-driven clauses of real documents, and the hand labels of
``../shared/corpus/real/relations.jsonl`` with a confusion table."""
from __future__ import annotations

import collections
import json

import pytest
from click.testing import CliRunner

from conftest import BACKENDS, REAL, archive_of, need_shared
from ingest.extract.citations import find_citations
from ingest.extract.relations import RELATIONS, relate
from ingest.models import Part, Section
from ingest.ocr.tesseract import OcrSettings, tesseract_version
from ingest.parse import parse_file
from scoring import norm_symbol
from search_cli import cli

MAIN = [Part("main", 0, 10**6)]


def run(*args, index):
    return CliRunner().invoke(cli, [*args, "--index", str(index)])


def lines(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def related(text: str, doc_type: str | None = None, title: str | None = None,
            sections: list[Section] | None = None) -> list[tuple[str, str]]:
    """(symbol, relation) of every citation of ``text``."""
    cites = find_citations(text, MAIN)
    at = text.find(title) if title else -1
    relate(text, cites, doc_type, (at, at + len(title)) if at >= 0 else None, sections)
    return [(c.symbol, c.relation) for c in cites if c.symbol]


# text, then each cited symbol with its relation, in order; most from the corpus.
CLAUSES = [
    # căn cứ: the preamble, one line each, or one line listing several
    ("Chính phủ\nCăn cứ Nghị quyết 45/1998/NQ-UBTVQH10 của ủy ban Thường vụ Quốc hội;\n",
     [("45/1998/NQ-UBTVQH10", "can_cu")]),
    ("- Căn cứ vào Nghị định số 30/1998/NĐ-CP ngày 13/5/1998 của Chính phủ quy định chi tiết;\n",
     [("30/1998/NĐ-CP", "can_cu")]),
    ("- Căn cứ Thông tư liên tịch số 30/2000/TTLT/BTC-UBTDTT ngày 24/4/2000 hướng dẫn chế độ quản lý; "
     "Thông tư liên tịch số 31/2000/TTLT/BTC-BYT ngày 25/4/2000 hướng dẫn việc thành lập;\n",
     [("30/2000/TTLT-BTC-UBTDTT", "can_cu"), ("31/2000/TTLT-BTC-BYT", "can_cu")]),
    ("- Căn cứ vào Chế độ kế toán Hành chính sự nghiệp ban hành theo Quyết định số 999-TC/QĐ-CĐKT "
     "ngày 02/11/1996 của Bộ trưởng Bộ Tài chính;\n", [("999-TC/QĐ-CĐKT", "can_cu")]),
    # what amended a basis is part of the basis, never an amendment by this document
    ("Căn cứ Luật Ban hành văn bản quy phạm pháp luật số 64/2025/QH15 được\nsửa đổi, bổ sung bởi "
     "Luật số 87/2025/QH15;\nCăn cứ Nghị định số 83/2014/NĐ-CP của Chính phủ về kinh doanh xăng\ndầu "
     "được sửa đổi, bổ sung bởi Nghị định số 95/2021/NĐ-CP và Nghị định số 80/2023/NĐ-CP;\n",
     [("64/2025/QH15", "can_cu"), ("87/2025/QH15", "can_cu"), ("83/2014/NĐ-CP", "can_cu"),
      ("95/2021/NĐ-CP", "can_cu"), ("80/2023/NĐ-CP", "can_cu")]),
    # căn cứ a plan or a letter: carrying it out
    ("Căn cứ Công văn số 15155/QLD-VP ngày 26 tháng 9 năm 2017 của Cục Quản lý Dược;\n"
     "Căn cứ Kế hoạch số 2060/KH-SYT ngày 30/10/2017 về việc kiểm tra y tế dự phòng;\n",
     [("15155/QLD-VP", "thuc_hien"), ("2060/KH-SYT", "thuc_hien")]),
    # thực hiện, triển khai, theo kế hoạch
    ("Kính gửi: - Các sở, ban, ngành.\nThực hiện Nghị quyết số 30c/NQ-CP ngày 08/11/2011 của Chính phủ\n"
     "ban hành Chương trình tổng thể cải cách hành chính nhà nước; Nghị định số 63/2010/NĐ-CP ngày "
     "08/6/2010 của Chính phủ về Kiểm soát thủ tục hành chính; Văn bản số 6582/VPCP-KSTT, ngày 21/9/2011 "
     "của Văn phòng Chính phủ. Chủ tịch UBND tỉnh có ý kiến như sau:\n",
     [("30c/NQ-CP", "thuc_hien"), ("63/2010/NĐ-CP", "thuc_hien"), ("6582/VPCP-KSTT", "thuc_hien")]),
    ("Theo Kế hoạch số 16/KH-UBND ngày 20/02/2024 về tuyên truyền cải cách hành chính, UBND phường báo cáo:\n",
     [("16/KH-UBND", "thuc_hien")]),
    # in the middle of a sentence the same words describe, they do not relate
    ("phụ cấp thu hút và các ưu đãi khác thực hiện theo Nghị định 64/2009/NĐ-CP.\n",
     [("64/2009/NĐ-CP", "dan_chieu")]),
    ("Thực hiện Đề án sắp xếp lại tổ chức, bộ máy ngành y tế theo Thông tư liên tịch số "
     "51/2015/TT-BYT-BNV. Khánh thành Khoa Nội.\n", [("51/2015/TT-BYT-BNV", "dan_chieu")]),
    ("Hồ sơ thực hiện theo hướng dẫn tại Thông tư số 77/2017/TT-BTC.\n", [("77/2017/TT-BTC", "dan_chieu")]),
    # để triển khai decisions, then guiding them; the directive beside them is carried out
    ("Để triển khai Quyết định số 193/2001/QĐ-TTg ngày 20/12/2001, Quyết định số 115/2004/QĐ-TTg ngày "
     "25/6/2004 của Thủ tướng Chính phủ về việc ban hành quy chế và Chỉ thị số 40/2005/CT-TTg ngày "
     "16/12/2005 của Thủ tướng Chính phủ, Thống đốc Ngân hàng Nhà nước hướng dẫn một số nội dung như sau:\n",
     [("193/2001/QĐ-TTg", "huong_dan"), ("115/2004/QĐ-TTg", "huong_dan"), ("40/2005/CT-TTg", "thuc_hien")]),
    ("Nghị định này quy định chi tiết một số điều của Luật số 87/2025/QH15.\n", [("87/2025/QH15", "huong_dan")]),
    # the proposal, the reply
    ("Căn cứ Nghị định số 81/2019/NĐ-CP ngày 01 tháng 11 năm 2019 của Chính phủ;\nTheo đề nghị của Thống "
     "đốc Ngân hàng Nhà nước Việt Nam tại Tờ trình số 52/TTr-NHNN ngày 31 tháng 3 năm 2026.\n",
     [("81/2019/NĐ-CP", "can_cu"), ("52/TTr-NHNN", "de_nghi")]),
    ("Xét đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 145/TTr-SNV ngày 02/3/2024,\n",
     [("145/TTr-SNV", "de_nghi")]),
    ("Phúc đáp Công văn số 1234/UBND-VP ngày 05/3/2024 của UBND huyện, Sở Y tế có ý kiến như sau:\n",
     [("1234/UBND-VP", "phuc_dap")]),
    # amends, replaces, repeals, corrects: in the title or in the closing articles
    ("Sửa đổi, bổ sung một số quy định tại Thông tư số 2442/2007/TT-TTCP ngày 13 tháng 11 năm 2007 của "
     "Thanh tra Chính phủ hướng dẫn thi hành một số điều của Nghị định số 37/2007/NĐ-CP;\n",
     [("2442/2007/TT-TTCP", "sua_doi"), ("37/2007/NĐ-CP", "dan_chieu")]),
    ("Điều 2. Quyết định này thay thế các quyết định số 101/QĐ.BQL-TC ngày 21/7/2005 và 41/QĐ.BQL-TC ngày "
     "30/3/2006\n", [("101/QĐ-BQL-TC", "thay_the"), ("41/QĐ-BQL-TC", "thay_the")]),
    ("Bãi bỏ một phần khoản 2 Điều 1 của Thông tư số 18/2025/TT-BCT ngày 13 tháng 3 năm 2025 của Bộ trưởng "
     "Bộ Công Thương;\n", [("18/2025/TT-BCT", "bai_bo")]),
    ("Các Thông tư sau đây của Bộ Tài chính không còn hiệu lực thi hành:\n+ Thông tư số 90TC/TCT ngày "
     "10/11/1993 hướng dẫn một số điểm\n+ Thông tư số 04 TC/TCT ngày 23/4/1997 hướng dẫn một số điểm\n",
     [("90TC/TCT", "bai_bo"), ("04TC/TCT", "bai_bo")]),
    ("Thông tư này có hiệu lực sau 15 ngày. Các quy định tại Thông tư số 06/2003/TT-NHNN ngày "
     "10/04/2003 của Thống đốc Ngân hàng Nhà nước hết hiệu lực thi hành.\n", [("06/2003/TT-NHNN", "bai_bo")]),
    ("Quyết định số 12/2020/QĐ-UBND ngày 02/3/2020 tiếp tục có hiệu lực thi hành.\n",
     [("12/2020/QĐ-UBND", "dan_chieu")]),
    ("Đính chính Thông tư số 05/2024/TT-BNV ngày 20 tháng 5 năm 2024 của Bộ trưởng Bộ Nội vụ như sau:\n",
     [("05/2024/TT-BNV", "dinh_chinh")]),
    # from the national database's pages
    ("SỬA ĐỔI, BỔ SUNG, BÃI BỎ MỘT SỐ ĐIỀU CỦA THÔNG TƯ SỐ 22/2013/TT-NHNN HƯỚNG DẪN THỦ TỤC ĐĂNG KÝ\n",
     [("22/2013/TT-NHNN", "sua_doi")]),
    ("NGHỊ ĐỊNH\nQuy định chi tiết thi hành Nghị quyết số 218/2025/QH15 ngày 26 tháng 6 năm 2025\n",
     [("218/2025/QH15", "huong_dan")]),
    ("Căn cứ Luật Tổ chức Quốc hội số 57/2014/QH13 đã được sửa đổi, bổ sung một số điều theo Luật số "
     "65/2020/QH14;\n", [("57/2014/QH13", "can_cu"), ("65/2020/QH14", "can_cu")]),
    ("2. Kể từ ngày Quyết định này có hiệu lực thi hành, các văn bản sau đây hết hiệu lực:\na) Quyết định số "
     "71/2013/QĐ-TTg ngày 21 tháng 11 năm 2013;\nb) Điều 14 và Điều 17 Thông tư số 29/2015/TT-NHNN;\n",
     [("71/2013/QĐ-TTg", "bai_bo"), ("29/2015/TT-NHNN", "bai_bo")]),
    ("1. Thay thế Phụ lục 01 ban hành kèm theo Thông tư số 12/2022/TT-NHNN bằng Phụ lục I.\n",
     [("12/2022/TT-NHNN", "thay_the")]),
    ("Việc thực hiện nhiệm vụ khoa học như sau:\na) ngân sách nhà nước bảo đảm kinh phí đối với các nội dung chi "
     "quy định tại khoản 1 Điều 6 Nghị định số 265/2025/NĐ-CP;\n", [("265/2025/NĐ-CP", "dan_chieu")]),
    ("Bộ lập danh mục văn bản quy định chi tiết theo quy định tại khoản 1 Điều 23 của Nghị định số "
     "78/2025/NĐ-CP.\n", [("78/2025/NĐ-CP", "dan_chieu")]),
    # news of other documents in a letter: their acts, not this one's
    ("Theo quy định tại Thông tư số 01/2011/TT-BNV ngày 19/01/2011 (nay đã hết hiệu lực), đề nghị các đơn "
     "vị thực hiện.\n", [("01/2011/TT-BNV", "dan_chieu")]),
    ("Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ thay thế Thông tư số 01/2011/TT-BNV ngày "
     "19/01/2011.\n", [("30/2020/NĐ-CP", "dan_chieu"), ("01/2011/TT-BNV", "dan_chieu")]),
    # OCR's runs of single letters (a ticked table) between a heading and a citation
    ("Tổng hợp kết quả:\n- " + "x " * 40 + "tổng Quyết định số 12/QĐ-UBND ngày 02/3/2024.\n",
     [("12/QĐ-UBND", "dan_chieu")]),
    ("Căn cứ " + "l " * 40 + "Hà Quyết định số 120/QĐ-UBND ngày 15/01/2024.\n", [("120/QĐ-UBND", "dan_chieu")]),
    # said of another document, not by this one
    ("Quyết định số 20/2019/QĐ-UBND đã được thay thế bởi Quyết định số 21/2023/QĐ-UBND.\n",
     [("20/2019/QĐ-UBND", "dan_chieu"), ("21/2023/QĐ-UBND", "dan_chieu")]),
]


@pytest.mark.parametrize("text,expected", CLAUSES, ids=[c[1][0][0] for c in CLAUSES])
def test_relation_of_each_clause(text, expected):
    assert related(text) == expected


def test_a_report_recounts_what_it_names_past_its_opening():
    """A report's opening says what it carries out; past its first section it
    recounts (``Sở Y tế ... thay thế Quyết định ...`` is news, not a repeal)."""
    text = ("BÁO CÁO\nKết quả công tác năm 2017\nThực hiện Kế hoạch số 1961/KH-SYT ngày 13/10/2017 của Sở Y tế;\n"
            "I. Kết quả\nThực hiện Kế hoạch số 142/KH-UBND ngày 06/10/2017, Sở Y tế xây dựng Kế hoạch số "
            "2190/KH-SYT ngày 28/11/2017; UBND tỉnh thay thế Quyết định 2650/QĐ-UBND ngày 11/11/2008.\n")
    section = Section("I.", "Kết quả", 1, text.index("I. Kết quả"), len(text))
    assert related(text, "Báo cáo", "Kết quả công tác năm 2017", [section]) == [
        ("1961/KH-SYT", "thuc_hien"), ("142/KH-UBND", "dan_chieu"), ("2190/KH-SYT", "dan_chieu"),
        ("2650/QĐ-UBND", "dan_chieu")]
    # the same words in a decision relate wherever they stand
    assert related(text)[1:] == [("142/KH-UBND", "thuc_hien"), ("2190/KH-SYT", "dan_chieu"),
                                 ("2650/QĐ-UBND", "thay_the")]


def test_the_title_s_cue_governs_the_title():
    text = ("THÔNG TƯ\nHướng dẫn bổ sung quy định về thuế thu nhập doanh nghiệp áp dụng đối với các chi nhánh "
            "qui định tại\nThông tư số 99/1998/TT-BTC ngày 14/7/1998\n\n- Căn cứ vào Nghị định số "
            "30/1998/NĐ-CP ngày 13/5/1998 của Chính phủ;\n")
    title = text[len("THÔNG TƯ\n"):text.index("\n\n")]
    assert related(text, "Thông tư", title) == [("99/1998/TT-BTC", "sua_doi"), ("30/1998/NĐ-CP", "can_cu")]


def test_the_first_citation_of_a_document_lists_its_other_roles():
    text = ("Căn cứ Nghị định 130/2005/NĐ-CP ngày 17/10/2005 của Chính phủ;\nCăn cứ Thông tư số 03/2006/TTLT-"
            "BTC-BNV ngày 17/01/2006 hướng dẫn thực hiện Nghị định số 130/2005/NĐ-CP;\n")
    cites = find_citations(text, MAIN)
    relate(text, cites)
    first, *_, last = [c for c in cites if c.symbol == "130/2005/NĐ-CP"]
    assert (first.relation, first.also) == ("can_cu", ["dan_chieu"]) and last.also == []


EFFECTIVE = [
    ("Quyết định này có hiệu lực kể từ ngày 01 tháng 10 năm 2024.", "2024-10-01"),
    ("Thông tư này có hiệu lực thi hành kể từ ngày 15 tháng 02 năm 2026.", "2026-02-15"),
    ("Nghị định này có hiệu lực từ ngày 01/10/2024.", "2024-10-01"),
    ("Quyết định này có hiệu lực kể từ ngày ký và thay thế Quyết định số 1046/QĐ-UBND.", "2024-03-12"),
    ("Thông tư này có hiệu lực thi hành sau 15 ngày, kể từ ngày đăng Công báo.", None),
    ("Các quy định trước đây tiếp tục có hiệu lực.", None),
    ("Luật Đất đai số 31/2024/QH15 có hiệu lực thi hành từ ngày 01/8/2024. Công văn này có hiệu lực kể từ "
     "ngày ký.", "2024-03-12"),
    ("Quyết định số 12/2020/QĐ-UBND (đã có hiệu lực từ ngày 01/3/2020) được sửa đổi.\nĐiều 3. Quyết định "
     "này có hiệu lực kể từ ngày 01 tháng 10 năm 2024.", "2024-10-01"),
    ("Thong tu nay co hieu luc thi hanh ke tu ngay 15 thang 02 nam 2026.", "2026-02-15"),  # OCR without marks
    ("Luật Đất đai số 31/2024/QH15 có hiệu lực thi hành từ ngày 01/8/2024.", None),
]


@pytest.mark.parametrize("text,expected", EFFECTIVE)
def test_effective_date_where_the_text_says_so(text, expected):
    from ingest.extract.body import effective_date
    assert effective_date(text, "2024-03-12") == expected


def test_every_citation_of_a_parsed_record_carries_a_relation(tmp_path):
    path = tmp_path / "qd.txt"
    path.write_text("UBND PHƯỜNG AN PHÚ\nSố: 12/QĐ-UBND\nAn Phú, ngày 02 tháng 3 năm 2024\nQUYẾT ĐỊNH\n"
                    "Về việc thay thế Quyết định số 5/QĐ-UBND ngày 02/01/2024\nCăn cứ Luật Tổ chức chính quyền "
                    "địa phương số 65/2025/QH15;\n", encoding="utf-8")
    record = parse_file(str(path)).to_dict()
    assert [(c["symbol"], c["relation"], c["also"]) for c in record["citations"]] == [
        ("5/QĐ-UBND", "thay_the", []), ("65/2025/QH15", "can_cu", [])]


# --- the hand labels of the real documents ----------------------------------------

def test_relations_against_the_hand_labels(truth, shared_ocr_cache):
    """Each labelled cited document's first citation in the main part, against
    ``relations.jsonl``: the confusion table, and the floor of the issue (90%).
    Without Tesseract the scans are left out."""
    need_shared(REAL / "relations.jsonl")
    with open(REAL / "relations.jsonl", encoding="utf-8") as handle:
        labels = [json.loads(line) for line in handle if line.strip()]
    scans = bool(tesseract_version())
    formats = {t["file"]: t["format"] for t in truth}
    labels = [lab for lab in labels if scans or formats[lab["file"]] != "pdf_scan"]
    settings = OcrSettings(cache_dir=shared_ocr_cache)
    docs = {name: parse_file(str(REAL / name), settings) for name in sorted({lab["file"] for lab in labels})}
    confusion: collections.Counter = collections.Counter()
    missing = []
    for lab in labels:
        cites = [c for c in docs[lab["file"]].citations if c.symbol and norm_symbol(c.symbol) == norm_symbol(lab["symbol"])]
        first = next((c for c in cites if c.part == "main"), cites[0] if cites else None)
        if first is None:
            missing.append(f"{lab['file']} {lab['symbol']}")
            continue
        confusion[lab["relation"], first.relation] += 1
        if first.relation != lab["relation"]:
            print(f"  {lab['file']} {lab['symbol']}: {first.relation}, labelled {lab['relation']}: {lab['evidence'][:80]}")
    kinds = [k for k in RELATIONS if any(k in pair for pair in confusion)]
    print("\nlabelled \\ found " + " ".join(f"{k[:9]:>9s}" for k in kinds))
    for want in kinds:
        print(f"{want:16s} " + " ".join(f"{confusion[want, got] or '':>9}" for got in kinds))
    right, found = sum(n for (want, got), n in confusion.items() if want == got), sum(confusion.values())
    print(f"\n{right}/{found} citations found related right ({right / found:.1%}); {len(missing)} of "
          f"{len(labels)} labelled not found as citations ({', '.join(missing)}): {right / len(labels):.1%} of all"
          + ("" if scans else "; scans left out: no Tesseract"))
    assert right / found >= 0.90
    assert right / len(labels) >= 0.88  # the citations OCR loses (handwriting, broken symbols) count as wrong here


# --- both ends of a relation in one archive, on both backends ------------------------

@pytest.fixture(scope="module", params=BACKENDS)
def amended(request, tmp_path_factory):
    """Our samples' Quyết định 215/QĐ-UBND (it issues a Quy chế and replaces
    1046/QĐ-UBND) and 305/QĐ-UBND, which amends that Quy chế, in one archive."""
    return archive_of(request, tmp_path_factory, {"qd_with_attachment.docx": None, "qd_sua_doi.docx": None})


def test_cites_keeps_the_documents_citing_in_one_role(amended):
    folder, index = amended
    [amending] = lines(run("cites", "--json", "215/QĐ-UBND", "--relation", "sua_doi", index=index))
    assert amending["path"] == str(folder / "qd_sua_doi.docx")
    assert (amending["citation"]["relation"], amending["citation"]["also"]) == ("sua_doi", [])
    text = run("cites", "215/QĐ-UBND", index=index).stdout
    assert "cited by 1" in text and "[sửa đổi, bổ sung]" in text
    nothing = run("cites", "215/qd-ubnd", "--relation", "can_cu", index=index)
    assert nothing.exit_code == 0 and "no document in the archive cites 215/qd-ubnd" in nothing.stdout
    refused = run("cites", "215/QĐ-UBND", "--relation", "amends", index=index)
    assert refused.exit_code == 2 and "amends" in refused.output


def test_show_says_what_in_the_archive_amends_a_document(amended):
    folder, index = amended
    [shown] = lines(run("show", "--json", str(folder / "qd_with_attachment.docx"), index=index))
    assert [(s["relation"], s["symbol"], s["date"], s["effective_date"], s["path"]) for s in shown["standing"]] == [
        ("sua_doi", "305/QĐ-UBND", "2024-09-20", "2024-10-01", str(folder / "qd_sua_doi.docx"))]
    text = run("show", str(folder / "qd_with_attachment.docx"), index=index).stdout
    assert "được sửa đổi, bổ sung bởi Quyết định 305/QĐ-UBND (2024-09-20), from 2024-10-01" in text
    assert "[thay thế] Quyết định 1046/QĐ-UBND" in text
    [amending] = lines(run("show", "--json", str(folder / "qd_sua_doi.docx"), index=index))
    assert amending["standing"] == []


def test_trace_names_every_edge_both_ways(amended):
    folder, index = amended
    [tree] = lines(run("trace", "--json", str(folder / "qd_sua_doi.docx"), index=index))
    edges = {(c["label"].split(" (")[0], c["status"], c["relation"], c["edge"]) for c in tree["children"]}
    assert ("Quyết định 215/QĐ-UBND", "archived", "sua_doi", "sửa đổi, bổ sung") in edges
    assert ("Nghị định 107/2021/NĐ-CP", "missing", "can_cu", "căn cứ") in edges
    assert ("Tờ trình 88/TTr-VP", "missing", "de_nghi", "đề nghị") in edges
    [back] = lines(run("trace", "--json", "--reverse", str(folder / "qd_with_attachment.docx"), index=index))
    assert [(c["path"], c["edge"]) for c in back["children"]] == [
        (str(folder / "qd_sua_doi.docx"), "được sửa đổi, bổ sung bởi")]
    assert "[được sửa đổi, bổ sung bởi] Quyết định 305/QĐ-UBND" in run(
        "trace", "--reverse", str(folder / "qd_with_attachment.docx"), index=index).stdout
    dot = folder.parent / f"trace-{folder.name}.dot"
    assert run("trace", "--dot", str(dot), str(folder / "qd_sua_doi.docx"), index=index).exit_code == 0
    assert '[label="sửa đổi, bổ sung, ×2"]' in dot.read_text(encoding="utf-8")  # in the title and in Điều 1
    assert '[label="căn cứ"]' in dot.read_text(encoding="utf-8")
