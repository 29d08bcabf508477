"""One hit per document (index/duplicates.py): the same document in several files
is shown once, its other files under "also at". Real files written here (text and
DOCX by python-docx), ingested into a real archive of each backend, searched
through the CLI."""
from __future__ import annotations

import json
import shutil

import docx
import pytest
from click.testing import CliRunner

from conftest import ROOT
from index.duplicates import Window, identity, near_identical, window_for
from ingest.fingerprint import text_hash, words
from search_cli import cli

HEADER = ["UBND PHƯỜNG PHỔ NINH", "Số: {number}/BC-UBND", "Phổ Ninh, ngày 04 tháng 3 năm 2024", "BÁO CÁO",
          "Kết quả công tác {topic} quý I năm 2024"]
BODY = ["Thực hiện Kế hoạch số 16/KH-UBND ngày 10/01/2024 của UBND phường về công tác {topic} năm 2024.",
        "1. Kết quả đạt được: tiếp nhận 109 hồ sơ, giải quyết đúng hạn 98,6% hồ sơ.",
        "2. Tồn tại, hạn chế: một số thủ tục còn chậm, cơ sở vật chất chưa đáp ứng yêu cầu.",
        "3. Phương hướng quý II: tiếp tục đẩy mạnh ứng dụng công nghệ thông tin trong giải quyết thủ tục.",
        "Trên đây là báo cáo kết quả công tác {topic} quý I năm 2024 của UBND phường Phổ Ninh."]

# Another document under the same header (the same number given twice by mistake).
OTHER_BODY = ["Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
              "Xét đề nghị của công chức Văn phòng - Thống kê về tổ chức hội nghị {topic}.",
              "Hội nghị tổ chức vào lúc 8 giờ ngày 15 tháng 3 năm 2024 tại hội trường UBND phường.",
              "Thành phần gồm lãnh đạo UBND phường, công chức chuyên môn và trưởng các tổ dân phố.",
              "Đề nghị các đơn vị cử người tham dự đúng thành phần, đúng giờ."]


def paragraphs(number: int = 32, topic: str = "cải cách hành chính", extra: list[str] = (),
               body: list[str] = BODY) -> list[str]:
    return [line.format(number=number, topic=topic) for line in HEADER + body] + list(extra)


def write_txt(path, lines: list[str], joiner: str = "\n") -> None:
    path.write_text(joiner.join(lines) + "\n", encoding="utf-8")


def write_docx(path, lines: list[str]) -> None:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))


def run(*args, index):
    return CliRunner().invoke(cli, [*args, "--index", str(index)])


def hits(index, query: str, *options: str) -> list[dict]:
    result = run("search", "--json", *options, query, index=index)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


# --- the fingerprint and the comparison, on their own --------------------------------

@pytest.mark.parametrize("a, b, same", [
    ("\n".join(paragraphs()), "  ".join(paragraphs()), True),                                 # spacing
    ("\n".join(paragraphs()), "\n".join(p.upper() for p in paragraphs()), True),              # case
    ("\n".join(paragraphs()), "\n".join(paragraphs()).replace("hòa", "hoà"), True),           # tone placement
    ("\n".join(paragraphs()), "\n".join(paragraphs()).replace(", ", " , "), True),            # punctuation
    ("\n".join(paragraphs()), "\n".join(paragraphs(number=33)), False),                      # another number
    ("\n".join(paragraphs()), "\n".join(paragraphs(topic="y tế")), False),                    # other words
])
def test_the_text_hash_agrees_across_layouts_not_across_words(a, b, same):
    assert (text_hash(a) == text_hash(b)) is same
    assert text_hash(a) is not None


def test_too_little_text_has_no_hash():
    assert text_hash("Số: 12/QĐ-UBND") is None and text_hash("") is None


@pytest.mark.parametrize("b, near", [
    ("\n".join(paragraphs(extra=["Trang 2"])), True),                                        # a page number
    ("\n".join(paragraphs()).replace("109", "110"), True),                                   # a figure retyped
    ("\n".join(paragraphs(body=OTHER_BODY)), False),                                        # another document
    ("\n".join(paragraphs()[:5]), False),                                                    # the header alone
])
def test_near_identical_texts(b, near):
    assert near_identical("\n".join(paragraphs()), b) is near


# (identities of the ranked documents, None for none; how many hits) -> how many are taken
WINDOWS = [
    (["a", "b", "c", "d"], 2, 2),           # all apart: as many as the hits
    (["a", "a", "a", "b"], 2, 4),           # copies of a may fold: taken until b is in
    ([None, None, None], 2, 2),             # no identity: each document alone
    (["a"] * 30, 2, 9),                     # never more than window_for(2)
    (["a", None, "a", "b", "c"], 3, 4),
]


@pytest.mark.parametrize("identities, limit, taken", WINDOWS)
def test_the_window_takes_documents_until_the_hits_are_settled(identities, limit, taken):
    window = Window(limit)
    for ident in identities:
        if window.full:
            break
        window.take(ident)
    assert window.taken == taken and window_for(2) == 9
    late = Window(limit, early=False)  # copies among the candidates: all compared, as before
    for ident in identities:
        if late.full:
            break
        late.take(ident)
    assert late.taken == min(len(identities), window_for(limit))


def test_identity_needs_symbol_issuer_and_date():
    assert identity("32/BC-UBND", "uy ban nhan dan phuong pho ninh", "2024-03-04") == \
        "32/bc-ubnd|uy ban nhan dan phuong pho ninh|2024-03-04"
    assert identity("32/BC-UBND", "", "2024-03-04") is None and identity(None, "x", "2024-03-04") is None
    assert words("Số: 32/BC-UBND") == ["so", "32", "bc", "ubnd"]


# --- searching: both backends ----------------------------------------------------------

def _other(folder):
    write_txt(folder / "other.txt", paragraphs(number=7, topic="cải cách hành chính và chuyển đổi số"))


CASES = {
    # name: (files written, query, paths expected as hits each with its also_at)
    "txt and docx": (lambda d: (write_txt(d / "bc.txt", paragraphs()), write_docx(d / "bc.docx", paragraphs())),
                     {"bc.docx": ["bc.txt"]}),
    "txt and docx without a number (the hash alone)": (
        lambda d: (write_txt(d / "tb.txt", paragraphs()[2:]), write_docx(d / "tb.docx", paragraphs()[2:])),
        {"tb.docx": ["tb.txt"]}),
    "saved again, other spacing": (
        lambda d: (write_txt(d / "bc.txt", paragraphs()), write_txt(d / "bc (1).txt", paragraphs(), "\n\n   ")),
        {"bc (1).txt": ["bc.txt"]}),
    "same number, issuer and date, other text": (
        lambda d: (write_txt(d / "bc.txt", paragraphs()),
                   write_txt(d / "kh.txt", paragraphs(body=OTHER_BODY))),
        {"bc.txt": [], "kh.txt": []}),
    "same number, issuer and date, near-identical text": (
        lambda d: (write_txt(d / "bc.txt", paragraphs()), write_txt(d / "bc-scan.txt", paragraphs(extra=["Trang 2"]))),
        {"bc.txt": ["bc-scan.txt"]}),
}


@pytest.mark.parametrize("case", CASES)
def test_one_hit_per_document(tmp_path, new_index, case):
    write, expected = CASES[case]
    folder, index = tmp_path / "docs", new_index()
    folder.mkdir()
    write(folder)
    _other(folder)
    assert run("ingest", str(folder), index=index).exit_code == 0
    found = hits(index, "cai cach hanh chinh", "--limit", "2")
    everything = {h["path"].rsplit("/", 1)[1]: sorted(p.rsplit("/", 1)[1] for p in h["also_at"])
                  for h in hits(index, "cai cach hanh chinh")}
    shown = {name: also for name, also in everything.items() if name != "other.txt"}
    # the best-ranked copy is the hit: either file of a pair may be it
    assert sorted(sorted([n, *a]) for n, a in shown.items()) == sorted(sorted([n, *a]) for n, a in expected.items())
    assert everything.get("other.txt") == []
    result = run("search", "cai cach hanh chinh", index=index)
    assert f"{len(expected) + 1} document(s)" in result.output.splitlines()[0]
    if any(expected.values()):
        assert "also at: " in result.output
    # the page shows `limit` documents: a copy takes no place of another document
    assert len(found) == 2
    if len(expected) == 1:
        assert any(h["path"].endswith("other.txt") for h in found)


def test_an_index_of_the_previous_version_is_rebuilt_and_collapses_copies(tmp_path):
    """An index written before the hash columns: the next ingest rebuilds it (its
    records kept, or read again where their files are); the sample report saved as
    DOCX and as Markdown is one hit; copies ingested afterwards collapse by hash."""
    from index.indexing import index_paths
    from index.whoosh.store import WhooshStore

    index = tmp_path / "index"
    shutil.copytree(ROOT / "tests" / "data" / "index-b12a588", index)
    assert "older vanban" in run("search", "cải cách", index=index).output
    report = index_paths([], str(index), jobs=1, ocr=False)
    assert report.upgraded + report.parsed == 8 and report.failed == []
    found = hits(index, "cải cách hành chính", "--limit", "20")
    report = [h for h in found if h["symbol"] == "45/BC-UBND"]
    assert len(report) == 1
    assert sorted(p.rsplit("/", 1)[1] for p in [report[0]["path"], *report[0]["also_at"]]) == \
        ["bc_ward_report.docx", "bc_ward_report.md"]
    folder = tmp_path / "docs"
    folder.mkdir()
    unnumbered = [line for line in paragraphs(topic="tinh giản biên chế") if not line.startswith("Số:")]
    write_txt(folder / "tb.txt", unnumbered)
    write_docx(folder / "tb.docx", unnumbered)
    assert run("ingest", str(folder), index=index).exit_code == 0
    assert "text_hash" in WhooshStore(str(index)).ix.schema
    found = [h for h in hits(index, "tinh giản biên chế") if "/docs/tb." in h["path"]]
    assert len(found) == 1 and len(found[0]["also_at"]) == 1


def test_init_brings_a_version_2_archive_on_postgresql_up_with_its_hashes(pg_server, tmp_path):
    """An archive of schema version 2 (no text hash column): searches stop and say
    to run ``vanban init``, which adds the column and fills it from each row's text."""
    import psycopg

    from conftest import new_database

    folder, url = tmp_path / "docs", new_database(pg_server)
    folder.mkdir()
    write_txt(folder / "bc.txt", paragraphs()[2:])
    write_docx(folder / "bc.docx", paragraphs()[2:])
    assert run("ingest", str(folder), index=url).exit_code == 0
    with psycopg.connect(url, autocommit=True) as conn:  # as version 2 made it
        conn.execute("ALTER TABLE vanban.documents DROP COLUMN text_hash")
        conn.execute("UPDATE vanban.meta SET value = '2' WHERE key = 'schema_version'")
    stale = run("search", "cai cach", index=url)
    assert stale.exit_code == 1 and "schema version 2" in stale.output and "vanban init" in stale.output
    assert run("init", index=url).exit_code == 0
    found = hits(url, "cai cach")
    assert len(found) == 1 and len(found[0]["also_at"]) == 1
