"""``index.terminal``: the lines the commands print, rendered from real records
(the files in ``samples/`` parsed, or read back from an index built of them)."""
from __future__ import annotations

import copy
import re

import pytest

from conftest import SAMPLES
from index import terminal
from index.backends import open_archive as open_store
from index.graph import cites, find_roots, trace
from index.indexing import index_paths as ingest
from index.query import Hit, Results
from index.report import stats
from index.run import IngestReport
from ingest.parse import parse_file

BOLD, YELLOW, RESET = "\x1b[1m", "\x1b[33m", "\x1b[0m"
WARD_MD, WARD_DOCX, DECISION = (str(SAMPLES / name) for name in
                                ("bc_ward_report.md", "bc_ward_report.docx", "qd_with_attachment.docx"))


@pytest.fixture(scope="module")
def parsed():
    """Records as ``vanban parse`` gets them (no OCR: the scan waits for it)."""
    names = ("bc_scan.png", "bc_ward_report.md", "qd_tcvn3_legacy.docx", "qd_esigned.pdf")
    return {name: parse_file(str(SAMPLES / name)).to_dict() for name in names}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """An index of the ward's report (twice: .md and .docx) and a decision; the report of its ingest."""
    folder = str(tmp_path_factory.mktemp("terminal") / "ix")
    report = ingest([WARD_DOCX, WARD_MD, DECISION], folder, jobs=1, ocr=False)
    return open_store(folder), report


RECORD_SUMMARIES = [
    ("bc_scan.png", [
        "{path}  (image, 1 page(s), unicode)",
        "  type and number not found",
        "  Issuer:     —",
        "  Title:      —",
        "  Signer:     —",
        "  Recipients: 0",
        "  Needs OCR:  pages 1",
        "  Note:       no text layer on page(s) 1: waiting for OCR",
    ]),
    ("bc_ward_report.md", [
        "{path}  (md, 1 page(s), unicode)",
        "  Báo cáo 45/BC-UBND — 2024-04-05, Phổ Ninh",
        "  Issuer:     UBND PHƯỜNG PHỔ NINH  (under UBND THỊ XÃ ĐỨC PHỔ)",
        "  Title:      Kết quả thực hiện công tác cải cách hành chính Quý I năm 2024 và nhiệm vụ trọng tâm "
        "Quý II năm 2024",
        "  Signer:     Trần Minh Khoa, CHỦ TỊCH  (TM. ỦY BAN NHÂN DÂN)",
        "  Recipients: 5 (UBND thị xã Đức Phổ; Phòng Nội vụ thị xã; TT Đảng ủy, TT HĐND phường; …)",
        "  Cites:      5",
        "    - [thực hiện] Quyết định 120/QĐ-UBND (2024-01-15); issues Kế hoạch cải cách hành chính năm 2024",
        "    - [thực hiện] Kế hoạch 16/KH-UBND (2024-02-20)",
        "    - [dẫn chiếu] Công văn 35/UBND-NV (2024-01-08)",
        "    - [dẫn chiếu] Kế hoạch 16/KH-UBND (2024-02-20)",
        "    - [dẫn chiếu] Quyết định 412/QĐ-UBND (2024-03-18)",
        "  Period:     Quý I năm 2024 (2024-01-01 to 2024-03-31)",
        "  Figures:    19 (02 cuộc, 215 hồ sơ, 138 hồ sơ, 64,2%, 209 hồ sơ, …)",
    ]),
    ("qd_tcvn3_legacy.docx", [
        "{path}  (docx, 1 page(s), tcvn3)",
        "  Quyết định 87/QĐ-SGDĐT — 2003-08-14, Quảng Ngãi",
        "  Issuer:     SỞ GIÁO DỤC VÀ ĐÀO TẠO  (under UBND TỈNH QUẢNG NGÃI)",
        "  Title:      Về việc thành lập Hội đồng tuyển sinh vào lớp 10 năm học 2003 - 2004",
        "  Signer:     Huỳnh Văn Lợi, PHÓ GIÁM ĐỐC  (KT. GIÁM ĐỐC)",
        "  Recipients: 3 (Như Điều 3; UBND tỉnh (b/c); Lưu: VT, GDTrH.)",
        "  Cites:      2",
        "    - [căn cứ] Quyết định 2317/QĐ-UB (1997-07-22)",
        "    - [thực hiện] Kế hoạch 35/KH-SGDĐT (2003-05-10)",
    ]),
    ("qd_esigned.pdf", [
        "{path}  (pdf, 1 page(s), unicode)",
        "  Quyết định 2280/QĐ-UBND — 2026-04-29, Quảng Ngãi",
        "  Issuer:     ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
        "  Title:      Về việc công bố Danh mục thủ tục hành chính được tiếp nhận và giải quyết trực tuyến "
        "toàn trình trên địa bàn tỉnh Quảng Ngãi năm 2026",
        "  Signer:     Hồ Quốc Trung, PHÓ CHỦ TỊCH  (KT. CHỦ TỊCH)",
        "  Recipients: 4 (Như Điều 3; Văn phòng Chính phủ (Cục KSTTHC); CT, các PCT UBND tỉnh; …)",
        "  Cites:      3",
        "    - [căn cứ] Luật Tổ chức chính quyền địa phương (2025-06-16)",
        "    - [căn cứ] Nghị định 118/2025/NĐ-CP (2025-06-09)",
        "    - [đề nghị] Tờ trình 85/TTr-VP (2026-04-24)",
        "  Period:     năm 2026 (2026-01-01 to 2026-12-31)",
        "  Note:       page 1: signature widgets read from their appearance",
    ]),
]


@pytest.mark.parametrize("name, expected", RECORD_SUMMARIES, ids=[name for name, _ in RECORD_SUMMARIES])
def test_record_summary(parsed, name, expected):
    record = parsed[name]
    assert terminal.record_lines(record) == [line.format(path=record["path"]) for line in expected]


def _more_citations(record):
    main = [c for c in record["citations"] if c.get("part") == "main"]
    record["citations"] = main * 2 + [dict(main[0], part="attachment")]  # 10 in the main part


# A real record changed one way: (what is changed, the line that says it, where it is).
RECORD_VARIANTS = [
    ("marked", lambda r: r.update(confidentiality="Mật", urgency="Hỏa tốc"),
     "  Marks:      độ mật: Mật, độ khẩn: Hỏa tốc", 4),
    ("issuer inferred", lambda r: r["provenance"].update(issuer="inferred"),
     "  Issuer:     UBND PHƯỜNG PHỔ NINH  (under UBND THỊ XÃ ĐỨC PHỔ)  [inferred from the body]", 2),
    ("no date, place or pages", lambda r: r.update(date=None, place=None, pages=0),
     "{path}  (md, ? page(s), unicode)\n  Báo cáo 45/BC-UBND", 0),
    ("read by OCR", lambda r: r.update(needs_ocr=False, ocr_pages=[0, 2], ocr_confidence=91.5),
     "  OCR:        pages 1, 3, mean word confidence 91.5%", -1),
    ("main part cites ten", _more_citations, "  Cites:      10", 6),
    ("more than eight cited", _more_citations, "    … and 2 more", 15),
    ("a newline in its name", lambda r: r.update(path="/tmp/a\nb.md"),
     "/tmp/a\\nb.md  (md, 1 page(s), unicode)", 0),
    ("one recipient, no signer", lambda r: r.update(recipients=["UBND tỉnh"], signer_name=None, signer_title=None,
                                                    signer_authority=None),
     "  Signer:     —\n  Recipients: 1 (UBND tỉnh)", 4),
]


@pytest.mark.parametrize("change, expected, at", [v[1:] for v in RECORD_VARIANTS], ids=[v[0] for v in RECORD_VARIANTS])
def test_record_summary_variants(parsed, change, expected, at):
    record = copy.deepcopy(parsed["bc_ward_report.md"])
    change(record)
    expected = expected.format(path=record["path"]).split("\n")
    lines = terminal.record_lines(record)
    start = at if at >= 0 else len(lines) + at
    assert lines[start:start + len(expected)] == expected


def test_search_lines(parsed):
    record = parsed["bc_ward_report.md"]
    hit = Hit(path=record["path"], symbol=record["symbol"], doc_type=record["doc_type"], date=record["date"],
              issuer=record["issuer"], title=record["title"], score=2.51, snippet="«báo» «cáo» kết quả")
    untyped = Hit(path="/tmp/x\ty.txt", symbol=None, doc_type=None, date=None, issuer=None, title=None,
                  score=0.5, snippet="")
    results = Results(total=12, hits=[hit, untyped], exact=False,
                      facets={"year": {"2023": 1, "2024": 11}, "type": {"Báo cáo": 12}})
    assert terminal.search_lines(results) == [
        "about 12 document(s)",
        "",
        f"{BOLD}Báo cáo 45/BC-UBND{RESET}  2024-04-05  UBND PHƯỜNG PHỔ NINH  [2.51]",
        f"  {record['title']}",
        "  «báo» «cáo» kết quả",
        f"  {record['path']}",
        "",
        f"{BOLD}—{RESET}      [0.5]",
        "  ",
        "  ",
        "  /tmp/x\\ty.txt",
        "",
        "by year: 2024: 11, 2023: 1",
        "",
        "by type: Báo cáo: 12",
    ]
    assert terminal.search_lines(Results(total=0, hits=[])) == ["0 document(s)"]


def test_search_lines_from_the_index(archive):
    store, _ = archive
    results = store.search("45/BC-UBND", limit=10)
    lines = terminal.search_lines(results)
    assert lines[0] == "1 document(s)"  # the report as Markdown and as DOCX: one document, two files
    other = ({WARD_MD, WARD_DOCX} - {results.hits[0].path}).pop()
    assert lines[5:7] == [f"  {results.hits[0].path}", f"  also at: {other}"]
    assert lines[2] == f"{BOLD}Báo cáo 45/BC-UBND{RESET}  2024-04-05  UBND PHƯỜNG PHỔ NINH  [{results.hits[0].score:g}]"


CITED = "Kế hoạch số 16/KH-UBND ngày 20/02/2024 của UBND phường"
CITING_CASES = [
    ("all", None, [
        f"{BOLD}16/KH-UBND  issuer: Ủy ban nhân dân phường Phổ Ninh  year: 2024  cited by 2{RESET}",
        "  Báo cáo 45/BC-UBND  2024-04-05  UBND PHƯỜNG PHỔ NINH  [thực hiện]",
        f"    {CITED} Phổ Ninh về tuyên truyền cải cách hành chính năm 2024",
        f"    {WARD_DOCX}",
        "  Báo cáo 45/BC-UBND  2024-04-05  UBND PHƯỜNG PHỔ NINH  [thực hiện]",
        f"    {CITED} Phổ Ninh về tuyên truyền cải cách hành chính năm 2024",
        f"    {WARD_MD}",
        f"{BOLD}16/KH-UBND  issuer: Ủy ban nhân dân phường  year: 2024  cited by 2{RESET}",
        "  Báo cáo 45/BC-UBND  2024-04-05  UBND PHƯỜNG PHỔ NINH  [dẫn chiếu]",
        f"    {CITED}",
        f"    {WARD_DOCX}",
        "  Báo cáo 45/BC-UBND  2024-04-05  UBND PHƯỜNG PHỔ NINH  [dẫn chiếu]",
        f"    {CITED}",
        f"    {WARD_MD}",
    ]),
    ("one each", 1, [
        f"{BOLD}16/KH-UBND  issuer: Ủy ban nhân dân phường Phổ Ninh  year: 2024  cited by 2{RESET}",
        "  Báo cáo 45/BC-UBND  2024-04-05  UBND PHƯỜNG PHỔ NINH  [thực hiện]",
        f"    {CITED} Phổ Ninh về tuyên truyền cải cách hành chính năm 2024",
        f"    {WARD_DOCX}",
        "  ... and 1 more (--limit 0 lists them all)",
        f"{BOLD}16/KH-UBND  issuer: Ủy ban nhân dân phường  year: 2024  cited by 2{RESET}",
        "  Báo cáo 45/BC-UBND  2024-04-05  UBND PHƯỜNG PHỔ NINH  [dẫn chiếu]",
        f"    {CITED}",
        f"    {WARD_DOCX}",
        "  ... and 1 more (--limit 0 lists them all)",
    ]),
]


@pytest.mark.parametrize("limit, expected", [c[1:] for c in CITING_CASES], ids=[c[0] for c in CITING_CASES])
def test_citing_lines(archive, limit, expected):
    store, _ = archive
    groups = cites(store, "16/KH-UBND", limit=limit)
    assert terminal.citing_lines(groups.values(), "16/KH-UBND") == expected


def test_citing_lines_none(archive):
    store, _ = archive
    groups = cites(store, "999/QĐ-UBND")
    assert terminal.citing_lines(groups.values(), "999/QD-UBND") == ["no document in the archive cites 999/QD-UBND"]


MISSING = f"{YELLOW}  [missing]{RESET}"
TRACES = [
    ("215/QĐ-UBND", 3, [
        "Quyết định 215/QĐ-UBND (UBND HUYỆN SƠN TỊNH)  2024-03-12",
        "  Về việc ban hành Quy chế làm việc của Bộ phận Tiếp nhận và Trả kết quả huyện Sơn Tịnh",
        f"    [căn cứ] Luật Tổ chức chính quyền địa phương  2015-06-19{MISSING}",
        f"    [căn cứ] Nghị định 61/2018/NĐ-CP (Chính phủ)  2018-04-23{MISSING}",
        "      thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính",
        f"    [thay thế] Quyết định 1046/QĐ-UBND (UBND huyện Sơn Tịnh)  2019-06-20{MISSING}",
    ]),
    (WARD_MD, 2, [  # a plan the decision issues: no words of its own
        "Báo cáo 45/BC-UBND (UBND PHƯỜNG PHỔ NINH)  2024-04-05",
        "  Kết quả thực hiện công tác cải cách hành chính Quý I năm 2024 và nhiệm vụ trọng tâm Quý II năm 2024",
        f"    [thực hiện] Quyết định 120/QĐ-UBND (UBND phường Phổ Ninh)  2024-01-15{MISSING}",
        "      ban hành Kế hoạch cải cách hành chính năm 2024",
        f"        issues Kế hoạch: cải cách hành chính năm 2024{MISSING}",
        f"    [thực hiện] Kế hoạch 16/KH-UBND (UBND phường Phổ Ninh)  2024-02-20{MISSING}",
        "      tuyên truyền cải cách hành chính năm 2024",
        f"    [dẫn chiếu] Công văn 35/UBND-NV (UBND thị xã Đức Phổ)  2024-01-08{MISSING}",
        "      triển khai nhiệm vụ cải cách hành chính năm 2024",
        f"    [dẫn chiếu] Kế hoạch 16/KH-UBND (UBND phường)  2024-02-20{MISSING}",
        f"    [dẫn chiếu] Quyết định 412/QĐ-UBND (UBND thị xã Đức Phổ)  2024-03-18{MISSING}",
    ]),
]


@pytest.mark.parametrize("target, depth, expected", TRACES, ids=["decision", "report"])
def test_trace_lines(archive, target, depth, expected):
    store, _ = archive
    [root] = find_roots(store, target)
    assert terminal.trace_lines(trace(store, root, depth=depth)) == expected


def test_stats_lines(archive):
    store, _ = archive
    assert terminal.stats_lines(stats(store)) == [
        "3 documents",
        "by year: 2024 3",
        "by type: Báo cáo 2, Quyết định 1",
        "by issuer: Ủy ban nhân dân phường Phổ Ninh 2, Ủy ban nhân dân huyện Sơn Tịnh 1",
        "failed files: 0",
        "waiting for OCR: 0",
        "citations: 12, of which resolve to nothing in the archive: 7",  # 7 documents cited, none archived
        "numbers given to two different documents: 0",  # the ward report as DOCX and as Markdown: one document
    ]
    failed = dict(stats(store), failed=[{"path": "/tmp/bad\n.pdf", "error": "not a PDF\n(starts like a zip)"}])
    assert terminal.stats_lines(failed)[4:6] == ["failed files: 1",
                                                 "  /tmp/bad\\n.pdf: not a PDF\\n(starts like a zip)"]


def test_ingest_report_lines(archive):
    _, report = archive
    totals = (f"3 added, 0 replaced, 0 unchanged, 0 from the cache, 0 pruned, 0 failed ({report.seconds:g} s); "
              "0 waiting for OCR")
    assert terminal.ingest_report_lines(report, verbose=False) == [totals]
    assert terminal.ingest_report_lines(report, verbose=True) == [
        *(f"added: {path}" for path in report.added_paths), totals]
    assert sorted(report.added_paths) == sorted([WARD_MD, WARD_DOCX, DECISION])


def _totals(replaced=0, pruned=0, waiting=0):
    return (f"0 added, {replaced} replaced, 0 unchanged, 0 from the cache, {pruned} pruned, 0 failed (1.5 s); "
            f"{waiting} waiting for OCR")


REPORT_LINES = [
    ("replaced and pruned", dict(replaced=1, pruned=1, replaced_paths=[WARD_MD], pruned_paths=["/gone\n.pdf"]),
     [f"replaced: {WARD_MD}", "pruned: /gone\\n.pdf", _totals(replaced=1, pruned=1)]),
    ("rebuilt", dict(upgraded=7),
     [_totals(), "index rebuilt in this version's format: 7 document(s) carried over from their parsed records"]),
    ("repaired", dict(repaired=5), [_totals(), "index repaired: 5 document(s) restored from their parsed records"]),
    ("repaired in part", dict(repaired=5, unrestorable=2),
     [_totals(), "index repaired: 5 document(s) restored from their parsed records; 2 had no parsed record kept: "
                 "ingest their files again"]),
    ("OCR", dict(ocr_pages_read=3, ocr_seconds=4.25, ocr_pages_cached=1, waiting_ocr=["/a.png"]),
     [_totals(waiting=1), "OCR: 3 page(s) read (4.25 s of Tesseract), 1 from the OCR cache"]),
    ("everything", dict(upgraded=1, unrestorable=1, ocr_pages_cached=2),
     [_totals(), "index rebuilt in this version's format: 1 document(s) carried over from their parsed records",
      "index repaired: 0 document(s) restored from their parsed records; 1 had no parsed record kept: "
      "ingest their files again",
      "OCR: 0 page(s) read (0 s of Tesseract), 2 from the OCR cache"]),
]


@pytest.mark.parametrize("fields, expected", [c[1:] for c in REPORT_LINES], ids=[c[0] for c in REPORT_LINES])
def test_ingest_report_variants(fields, expected):
    assert terminal.ingest_report_lines(IngestReport(seconds=1.5, **fields), verbose=True) == expected


SKIPPED = [{"path": "/d/notes.py", "reason": "type not read (.py)"},
           {"path": "/d/link", "reason": "a link out of the folders named (not followed)"},
           {"path": "/d/data.jsonl", "reason": "type not read (.jsonl)"},
           {"path": "/d/b.py", "reason": "type not read (.py)"}]
SKIPPED_LINES = [
    (False, ["skipped: /d/link: a link out of the folders named (not followed)",
             "skipped: 3 file(s) of a type not read (.jsonl 1, .py 2); --verbose names them"]),
    (True, ["skipped: /d/notes.py: type not read (.py)",
            "skipped: /d/link: a link out of the folders named (not followed)",
            "skipped: /d/data.jsonl: type not read (.jsonl)",
            "skipped: /d/b.py: type not read (.py)"]),
]


@pytest.mark.parametrize("verbose, expected", SKIPPED_LINES, ids=["counted", "named"])
def test_skipped_lines(verbose, expected):
    assert terminal.skipped_lines(SKIPPED, verbose) == expected
    assert terminal.skipped_lines([], verbose) == []


@pytest.mark.parametrize("path, reason, expected", [
    ("/d/x.pdf", "not a PDF (the file starts like something else)",
     "error: /d/x.pdf: not a PDF (the file starts like something else)"),
    ("/d/a\nb.docx", "bad zip: member 'w\rord.xml'", "error: /d/a\\nb.docx: bad zip: member 'w\\rord.xml'"),
])
def test_error_line(path, reason, expected):
    assert terminal.error_line(path, reason) == expected


def test_one_liners():
    assert terminal.failed_count_line(2) == "2 file(s) could not be parsed"
    assert terminal.archive_ready_line("/srv/ix", 8) == "archive ready: /srv/ix (8 documents)"


def test_no_click_and_nothing_in_index_imports_it():
    """It renders for the command line and is no part of the index: it needs no
    click, and nothing in ``index/`` needs it."""
    index = SAMPLES.parent / "index"
    source = (index / "terminal.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+(click|search_cli)\b", source, re.M)
    importing = re.compile(r"^\s*(from\s+(index|\.)\s+import\s+.*\bterminal\b|(from|import)\s+(index)?\.terminal\b)",
                           re.M)
    assert [m.name for m in index.rglob("*.py") if m.name != "terminal.py"
            and importing.search(m.read_text(encoding="utf-8"))] == []
