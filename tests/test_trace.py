"""A trace an auditor can trust, on both backends: our samples' ward report
follows a decision that issues a plan, which resolves to that plan only when it is
archived (never to another plan of the ward with a like title that cites the same
decision); a national symbol printed without its year resolves by date and issuer;
one node per cited document, with its relations and how many times it is cited,
in the tree, ``--json`` and ``--dot``."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import BACKENDS, archive_of
from search_cli import cli

REPORT, PLAN, OTHER_PLAN = "bc_ward_report.docx", "kh_cchc_2024.docx", "kh_tuyen_truyen.docx"

# A decree and a provincial report that cites it twice, without its year.
DECREE = ("CHÍNH PHỦ\nSố: 308/2025/NĐ-CP\nHà Nội, ngày 28 tháng 11 năm 2025\nNGHỊ ĐỊNH\n"
          "Quy định chi tiết một số điều về chuyển đổi số trong cơ quan nhà nước\n"
          "Căn cứ Luật Tổ chức Chính phủ số 63/2025/QH15;\nChính phủ ban hành Nghị định này.\n")
PROVINCE_REPORT = ("UBND TỈNH QUẢNG NGÃI\nSố: 12/BC-UBND\nQuảng Ngãi, ngày 20 tháng 12 năm 2025\nBÁO CÁO\n"
                   "Kết quả chuyển đổi số năm 2025\nThực hiện Nghị định số 308/NĐ-CP ngày 28/11/2025 của "
                   "Chính phủ, UBND tỉnh báo cáo như sau:\nI. Kết quả\nCác sở đã triển khai Nghị định số "
                   "308/NĐ-CP ngày 28/11/2025 của Chính phủ.\n")


def run(*args, index):
    return CliRunner().invoke(cli, [*args, "--index", str(index)])


def tree(*args, index) -> dict:
    result = run("trace", "--json", *args, index=index)
    assert result.exit_code == 0, result.output
    [root] = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return root


def child(node: dict, label: str) -> dict:
    [found] = [c for c in node["children"] if c["label"].startswith(label)]
    return found


@pytest.fixture(scope="module", params=BACKENDS)
def ward(request, tmp_path_factory):
    """The ward report, the plan its decision issues, and the ward's other plan."""
    return archive_of(request, tmp_path_factory, {REPORT: None, PLAN: None, OTHER_PLAN: None,
                                                "nd_308.txt": DECREE, "bc_12.txt": PROVINCE_REPORT})


# The ward's plan of the next year, citing the same decision with a title 0.96 alike.
NEXT_YEAR = ("UBND THỊ XÃ ĐỨC PHỔ\nUBND PHƯỜNG PHỔ NINH\nSố: 9/KH-UBND\nPhổ Ninh, ngày 10 tháng 01 năm 2025\n"
             "KẾ HOẠCH\nCải cách hành chính năm 2025\nCăn cứ Quyết định số 120/QĐ-UBND ngày 15/01/2024 của UBND "
             "phường Phổ Ninh về việc ban hành Kế hoạch cải cách hành chính năm 2024;\nI. MỤC ĐÍCH\n")


@pytest.fixture(scope="module", params=BACKENDS)
def ward_without_the_plan(request, tmp_path_factory):
    return archive_of(request, tmp_path_factory, {REPORT: None, OTHER_PLAN: None, "kh_2025.txt": NEXT_YEAR})


def test_the_plan_a_decision_issues_resolves_to_that_plan_only(ward):
    folder, index = ward
    report = tree(str(folder / REPORT), index=index)
    decision = child(report, "Quyết định 120/QĐ-UBND")
    assert (decision["status"], decision["relation"], decision["edge"]) == ("missing", "thuc_hien", "thực hiện")
    [issued] = decision["children"]
    assert (issued["status"], issued["path"], issued["resolved_by"]) == (
        "archived", str(folder / PLAN), "names the decision")
    plan = child(report, "Kế hoạch 16/KH-UBND")  # cited twice, its issuer spelled two ways: one node
    assert (plan["status"], plan["path"], plan["resolved_by"]) == ("archived", str(folder / OTHER_PLAN), "symbol")
    assert (plan["mentions"], plan["relation"], plan["also"]) == (2, "thuc_hien", ["dan_chieu"])
    text = run("trace", str(folder / REPORT), index=index).stdout
    assert f"→ {folder / PLAN} (names the decision)" in text
    assert f"→ {folder / OTHER_PLAN} (symbol)" in text


def test_without_the_plan_the_issued_plan_is_missing_not_another(ward_without_the_plan):
    folder, index = ward_without_the_plan
    [issued] = child(tree(str(folder / REPORT), index=index), "Quyết định 120/QĐ-UBND")["children"]
    assert (issued["status"], issued["path"], issued["resolved_by"]) == ("missing", None, None)


def test_a_symbol_printed_without_its_year_resolves_by_date_and_issuer(ward):
    folder, index = ward
    report = tree(str(folder / "bc_12.txt"), index=index)
    [decree] = report["children"]  # cited twice: one node
    assert (decree["status"], decree["path"], decree["resolved_by"]) == (
        "archived", str(folder / "nd_308.txt"), "symbol + date")
    assert (decree["mentions"], decree["relation"], decree["also"]) == (2, "thuc_hien", ["dan_chieu"])
    lines = run("trace", str(folder / "bc_12.txt"), index=index).stdout.splitlines()
    assert lines[2].startswith("    [thực hiện, dẫn chiếu] Nghị định 308/2025/NĐ-CP (CHÍNH PHỦ)  ×2  2025-11-28")
    assert lines[3] == f"      → {folder / 'nd_308.txt'} (symbol + date)"


def test_the_dot_picture_draws_each_document_once(ward, tmp_path):
    folder, index = ward
    dot = tmp_path / "trace.dot"
    assert run("trace", "--depth", "3", "--dot", str(dot), str(folder / REPORT), index=index).exit_code == 0
    picture = dot.read_text(encoding="utf-8")
    boxes = [line for line in picture.splitlines() if "[label=" in line and "->" not in line]
    assert len(boxes) == len({b.split("[label=")[1] for b in boxes})  # no document drawn twice
    assert sum("16/KH-UBND (UBND PHƯỜNG PHỔ NINH)" in b for b in boxes) == 1
    assert '[label="thực hiện"]' in picture


def test_two_missing_documents_of_one_label_are_two_boxes():
    """``16/KH-UBND`` of 2023 and of 2024 from one ward (numbers restart every year)."""
    from index.graph import Node, to_dot
    root = Node("Báo cáo 45/BC-UBND", "document", "archived", "/a.docx", "2024-04-05", children=[
        Node("Kế hoạch 16/KH-UBND (UBND phường)", "cited", "missing", None, "2023-02-20", relation="dan_chieu"),
        Node("Kế hoạch 16/KH-UBND (UBND phường)", "cited", "missing", None, "2024-02-20", relation="thuc_hien")])
    picture = to_dot(root)
    assert picture.count("16/KH-UBND") == 2 and picture.count(" -> ") == 2
