"""Sheets 02, 03 and 04 as provinces write them, built here cell by cell."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from etl.extract import extract_workbook
from tests.builders import write_workbook

pytestmark = pytest.mark.unit

TITLE = [["BỘ CÔNG AN"], ["CÔNG AN TỈNH HẢI DƯƠNG"], ["BÁO CÁO"],
         ["Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)"]]


def test_security_sheet_blank_means_zero_and_columns_are_told_apart(tmp_path):
    header = ["STT", "Huyện", "Xã, thị trấn", "Mã ĐVHC", "Tin về ANTT tiếp nhận", "Tin báo, tố giác tội phạm",
              "Số vụ đã làm rõ", "Số đối tượng", "Số vụ xử phạt VPHC", "Tiền phạt (đồng)",
              "Hồ sơ giáo dục tại xã", "Hồ sơ đưa vào cơ sở cai nghiện bắt buộc", "Hồ sơ đưa vào trường giáo dưỡng",
              "Ghi chú"]
    rows = [*TITLE, header,
            [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", None, 12, "3", 2, None, 4, "1.500.000", None, 1, None, "+1 tin"],
            [None, "Tổng", None, None, 12, 3, 2, 0, 4, 1500000, 0, 1, 0]]
    (sub,) = extract_workbook(write_workbook(tmp_path / "antt.xlsx", rows, "Bieu 02")).submissions
    assert sub.sheet_code == "02" and sub.period_start == date(2021, 4, 1) and sub.period_end == date(2021, 4, 30)
    row = sub.table.rows.iloc[0]
    assert (row.tips_received, row.crime_reports, row.cases_clarified, row.subjects, row.admin_violation_cases,
            row.fines_vnd, row.education_dossiers, row.rehab_dossiers, row.reform_school_dossiers) == (
        12, 3, 2, 0, 4, 1_500_000, 0, 1, 0)
    assert row.unit_code == "11086" and row.note == "+1 tin"
    assert sub.reconciliation() == []


def test_id_card_sheet_reads_target_merged_dates_and_districts(tmp_path):
    rows = [["BỘ CÔNG AN"], ["CÔNG AN TỈNH HẢI DƯƠNG"], ["BÁO CÁO TIẾN ĐỘ THU NHẬN HỒ SƠ CCCD"],
            ["Từ ngày 13/5/2021 đến ngày 14/5/2021"], ["Chỉ tiêu được giao: 988.200 hồ sơ, thời hạn 30/6/2021"],
            ["Ngày", "Huyện, thị xã, thành phố", "Số hồ sơ thu nhận trong ngày"],
            [None, "Huyện Tứ Kỳ", 1200], [None, "TP Chí Linh", "1.300"], [None, "Cộng ngày 13/5", 2500],
            ["14-05-2021", "Kinh Môn", 900], [None, "Huyen Khong Co", 5],
            ["Tổng cộng", None, 3405]]
    merges = [(6, 0, 8, 0, "13/5/2021")]
    (sub,) = extract_workbook(write_workbook(tmp_path / "cccd.xlsx", rows, "Bieu 03", merges)).submissions
    assert sub.sheet_code == "03" and sub.target == (988_200, date(2021, 6, 30))
    assert (sub.period_start, sub.period_end, sub.admin_era) == (date(2021, 5, 13), date(2021, 5, 14), "pre2025")
    frame = sub.table.rows
    assert list(frame.report_date) == [date(2021, 5, 13), date(2021, 5, 13), date(2021, 5, 14), date(2021, 5, 14)]
    assert list(frame.unit_code[:3]) == ["298", "290", "292"] and pd.isna(frame.unit_code[3])
    assert list(frame.unit_level[:3]) == ["district"] * 3
    assert list(frame.applications) == [1200, 1300, 900, 5]
    assert sub.reconciliation() == []


def test_commendation_levels_are_canonical(tmp_path):
    rows = [*TITLE, ["STT", "Cấp khen thưởng", "Tập thể", "Cá nhân"],
            [1, "Bộ Công an", 2, 10], [2, "Chủ tịch UBND tỉnh", None, "5"], [3, "Giám đốc Công an tỉnh", 40, 120],
            [4, "UBND cấp huyện", 66, 115], [5, "Hội Phụ nữ", 1, 1], ["", "TỔNG SỐ", 109, 251]]
    (sub,) = extract_workbook(write_workbook(tmp_path / "kt.xlsx", rows, "Khen thuong")).submissions
    frame = sub.table.rows
    assert list(frame.level[:4]) == ["Bộ Công an", "UBND tỉnh", "Công an tỉnh", "Cấp huyện"]
    assert pd.isna(frame.level[4]) and frame.resolve_problem[4] == "unknown_level"
    assert list(frame.collectives) == [2, 0, 40, 66, 1] and list(frame.individuals) == [10, 5, 120, 115, 1]
    assert sub.reconciliation() == []


def test_monthly_workbook_gives_one_submission_per_sheet_and_skips_hidden_sheets(tmp_path):
    import xlsxwriter

    path = tmp_path / "thang4.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name, table in (("Biểu 04 - Khen thưởng", [["Cấp khen thưởng", "Tập thể", "Cá nhân"], ["Bộ Công an", 1, 2]]),
                        ("Biểu 01", [["STT", "Xã, thị trấn", "Số CA chính quy"], [1, "Xã Gia Xuyên", 5]]),
                        ("Bieu 04 cu", [["Cấp khen thưởng", "Tập thể", "Cá nhân"], ["Bộ Công an", 99, 99]])):
        page = book.add_worksheet(name)
        for r, row in enumerate([*TITLE, *table]):
            for c, v in enumerate(row):
                page.write(r, c, v)
    page.hide()  # an older copy of sheet 04, hidden: never read
    book.close()
    result = extract_workbook(path)
    assert [(s.sheet_code, s.sheet_name) for s in result.submissions] == [("01", "Biểu 01"),
                                                                          ("04", "Biểu 04 - Khen thưởng")]
    assert list(result.submissions[1].table.rows.collectives) == [1]
