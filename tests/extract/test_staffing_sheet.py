"""Sheet 01 workbooks laid out differently from the generator's, built here cell by cell."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from etl.extract import extract_workbook
from tests.builders import write_workbook

pytestmark = pytest.mark.unit




def test_reordered_columns_separator_numbering_row_and_tong_so(tmp_path):
    rows = [
        ["CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["BÁO CÁO BỐ TRÍ CÔNG AN CHÍNH QUY VỀ XÃ"],
        ["Số liệu tính đến ngày 23-04-2021"],
        [],
        ["TT", "Tên xã, thị trấn", "Thuộc huyện", None, "Mã ĐVHC", "Tổng số CA chính quy", "Trưởng CA",
         "Phó trưởng CA", "Ghi chú"],
        ["(1)", "(2)", "(3)", None, "(4)", "(5)", "(6)", "(7)", "(8)"],
        [1, "Hưng Đạo", "Tứ Kỳ", None, 11086, "6", 1, 2, "=5 người"],
        [2, "TT. Tứ Kỳ", "Tứ Kỳ", None, None, 4, 1, 1, None],
        [None, "Cộng huyện Tứ Kỳ", None, None, None, 10, 2, 3, None],
        [3, "Phường Không Có", "Chí Linh", None, None, 5, 1, 1, None],
        [None, "TỔNG SỐ", None, None, None, 15, 3, 4, None],
        [None, "Người lập biểu", None, None, None, None, None, None, None],
    ]
    path = write_workbook(tmp_path / "Hai Duong - bao cao 04.2021.xlsx", rows)
    result = extract_workbook(path)
    assert result.rejection is None
    (sub,) = result.submissions
    assert (sub.province_code, sub.admin_era, sub.as_of_date, sub.period_start) == (
        "30", "pre2025", date(2021, 4, 23), date(2021, 4, 1))
    frame = sub.table.rows
    assert list(frame.row_number) == [7, 8, 10]
    assert list(frame.unit_code[:2]) == ["11086", frame.unit_code[1]] and frame.unit_code[1] is not None
    assert pd.isna(frame.unit_code[2]) and frame.resolve_problem[2] == "unknown"
    assert list(frame.district_name) == ["Tứ Kỳ", "Tứ Kỳ", "Chí Linh"]
    assert list(frame.officers) == [6.0, 4.0, 5.0]
    assert frame.note[0] == "=5 người"
    assert sub.table.total_row_number == 11
    assert sub.reconciliation() == []


def test_total_that_does_not_add_up_is_reported(tmp_path):
    rows = [
        ["CÔNG AN TỈNH HẢI DƯƠNG"], ["Tháng 4 năm 2021"],
        ["STT", "Huyện", "Xã, thị trấn", "Số CA chính quy đã bố trí"],
        [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5],
        [None, "Tổng cộng", None, 9],
    ]
    (sub,) = extract_workbook(write_workbook(tmp_path / "x.xlsx", rows)).submissions
    assert sub.reconciliation() == [("officers", 9.0, 5.0)]
    assert sub.as_of_date == date(2021, 4, 30)  # no as-of date written: the month's end


def test_two_row_merged_header_and_hidden_sheet(tmp_path):
    rows = [["BỘ CÔNG AN"], ["CÔNG AN TỈNH HẢI DƯƠNG"], ["Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)"],
            [], [], [None, None, None, None, None, "Trưởng CA xã", "Phó trưởng CA xã"],
            [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", "11086", 5, 1, 3]]
    merges = [(4, 0, 5, 0, "STT"), (4, 1, 5, 1, "Huyện, thị xã, thành phố"), (4, 2, 5, 2, "Xã, thị trấn"),
              (4, 3, 5, 3, "Mã ĐVHC"), (4, 4, 5, 4, "Số CA chính quy đã bố trí"), (4, 5, 4, 6, "Trong đó")]
    result = extract_workbook(write_workbook(tmp_path / "y.xlsx", rows, "Biểu 01", merges, hidden_first=True))
    (sub,) = result.submissions
    assert sub.sheet_name == "Biểu 01" and sub.header_row == 5
    row = sub.table.rows.iloc[0]
    assert (row.officers, row.chiefs, row.deputies, row.unit_code) == (5.0, 1.0, 3.0, "11086")


def test_report_of_the_2025_era_has_no_district_column(tmp_path):
    rows = [["CÔNG AN THÀNH PHỐ HẢI PHÒNG"], ["Tháng 10 năm 2026 (Số liệu tính đến ngày 15/10/2026)"],
            ["STT", "Xã, phường, đặc khu", "Số CA chính quy", "Trưởng CA", "Phó trưởng CA"],
            [1, "Đặc khu Bạch Long Vĩ", 7, 1, 2], [None, "Tổng cộng", 7, 1, 2]]
    (sub,) = extract_workbook(write_workbook(tmp_path / "hp.xlsx", rows)).submissions
    assert (sub.province_code, sub.admin_era) == ("31", "2025")
    assert list(sub.table.rows.unit_code) == ["11948"]


def test_files_rejected_whole_say_why(tmp_path):
    not_excel = tmp_path / "notes.xlsx"
    not_excel.write_text("không phải Excel")
    assert extract_workbook(not_excel).rejection.code == "unreadable"
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert extract_workbook(empty).rejection.code == "unreadable"
    other = write_workbook(tmp_path / "other.xlsx", [["Danh sách cán bộ"], ["Họ tên", "Chức vụ"], ["A", "B"]])
    assert extract_workbook(other).rejection.code == "no_sheet"
    blank = write_workbook(tmp_path / "blank.xlsx", [["CÔNG AN TỈNH HẢI DƯƠNG"], ["Tháng 4 năm 2021"],
                                             ["STT", "Xã, thị trấn", "Số CA chính quy"], [1, "Xã Hưng Đạo", None]])
    rejection = extract_workbook(blank).rejection
    assert rejection.code == "rejected" and "no figures" in rejection.reason_en
    nowhere = write_workbook(tmp_path / "bao_cao.xlsx", [["Tháng 4 năm 2021"],
                                                         ["STT", "Xã, thị trấn", "Số CA chính quy"],
                                                         [1, "Xã Hưng Đạo", 5]])
    assert extract_workbook(nowhere).rejection.code == "unknown_province"
    undated = write_workbook(tmp_path / "hai_duong.xlsx", [["CÔNG AN TỈNH HẢI DƯƠNG"],
                                                   ["STT", "Xã, thị trấn", "Số CA chính quy"], [1, "Xã Hưng Đạo", 5]])
    assert extract_workbook(undated).rejection.code == "unknown_period"
