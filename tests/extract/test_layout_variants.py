"""Layouts found when people outside the team wrote sheet 01 from the template, docs/template.md (built here)."""

from __future__ import annotations

import pandas as pd
import pytest

from etl.extract import extract_workbook
from tests.builders import write_workbook

pytestmark = pytest.mark.unit

TITLE = [["CÔNG AN TỈNH HẢI DƯƠNG"], ["Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)"]]


def _rows(tmp_path, rows, merges=()):
    (sub,) = extract_workbook(write_workbook(tmp_path / "hd.xlsx", rows, "Biểu 01", merges)).submissions
    return sub, sub.table.rows


def test_officers_heading_that_mentions_a_date(tmp_path):
    _, rows = _rows(tmp_path, [*TITLE, ["STT", "Huyện", "Xã, thị trấn",
                                        "Số CA chính quy đã bố trí (tính đến ngày 23/4/2021)", "Ngày hoàn thành"],
                               [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5, "01/3/2021"]])
    assert list(rows.officers) == [5] and str(rows.staffed_date[0]) == "2021-03-01"


def test_district_headed_ten_huyen_tells_namesakes_apart(tmp_path):
    _, rows = _rows(tmp_path, [*TITLE, ["STT", "Tên huyện", "Tên xã", "Số CA chính quy"],
                               [1, "Tứ Kỳ", "Hưng Đạo", 5], [2, "Chí Linh", "Hưng Đạo", 6]])
    assert list(rows.unit_code) == ["11086", "10561"]


def test_short_sub_headings_under_a_group_heading(tmp_path):
    rows = [*TITLE, [None, None, None, None, None],
            [None, None, None, "Tổng số", "Trưởng", "Phó"],
            [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5, 1, 2]]
    merges = [(2, 0, 3, 0, "STT"), (2, 1, 3, 1, "Huyện"), (2, 2, 3, 2, "Xã, thị trấn"),
              (2, 3, 2, 5, "Số CA chính quy đã bố trí")]
    sub, frame = _rows(tmp_path, rows, merges)
    assert sub.header_row == 3 and len(frame) == 1
    assert (frame.officers[0], frame.chiefs[0], frame.deputies[0]) == (5, 1, 2)


def test_subtotals_named_by_district_alone_and_district_heading_rows(tmp_path):
    rows = [*TITLE, ["STT", "Xã, thị trấn", "Số CA chính quy"],
            ["I", "HUYỆN TỨ KỲ", None], [1, "Xã Hưng Đạo", 5], [None, "Cộng Tứ Kỳ", 5],
            ["II", "THÀNH PHỐ CHÍ LINH", None], [2, "Xã Hưng Đạo", 6], [None, "Cộng Chí Linh", 6],
            [3, "Xã Cộng Lạc", 4],
            [None, "Tổng số toàn tỉnh", 15]]
    sub, frame = _rows(tmp_path, rows)
    # "Cộng Lạc" is a commune of Hải Dương (11140, the only one of that name in the list of 2021,
    # in force on the title's date), not a subtotal "Cộng ...".
    assert list(frame.unit_code) == ["11086", "10561", "11140"]
    assert sub.table.total == {"officers": 15.0} and sub.reconciliation() == []


def test_total_written_above_the_rows(tmp_path):
    sub, frame = _rows(tmp_path, [*TITLE, ["STT", "Huyện", "Xã, thị trấn", "Số CA chính quy"],
                                  [None, "Tổng cộng", None, 11], [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5],
                                  [2, "TP Chí Linh", "Xã Hưng Đạo", 6]])
    assert len(frame) == 2 and sub.reconciliation() == []


def test_code_that_contradicts_the_name_is_not_taken(tmp_path):
    _, frame = _rows(tmp_path, [*TITLE, ["STT", "Huyện", "Xã, thị trấn", "Mã ĐVHC", "Số CA chính quy"],
                                [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", "10561", 5],
                                [2, "Huyện Tứ Kỳ", "Xã Hưng Đạo", "99999", 5]])
    assert pd.isna(frame.unit_code[0]) and frame.resolve_problem[0] == "code_mismatch"
    # A code that is no unit at all is a slip: the name decides, with a warning.
    assert frame.unit_code[1] == "11086" and frame.resolve_problem[1] == "code_unknown"


def test_a_sheet_written_with_diacritics_keeps_them_meaningful(tmp_path):
    rows = [["CÔNG AN TỈNH GIA LAI"], ["Tháng 4 năm 2021"], ["STT", "Huyện", "Xã, thị trấn", "Số CA chính quy"],
            [1, "Huyện Chư Prông", "Ia Bang", 5], [2, "Huyện Chư Prông", "Ia Băng", 6]]
    (sub,) = extract_workbook(write_workbook(tmp_path / "gl.xlsx", rows, "Biểu 01")).submissions
    assert list(sub.table.rows.unit_code) == ["23924", "23905"]


def test_a_type_word_that_contradicts_the_unit_is_not_guessed(tmp_path):
    rows = [["CÔNG AN TỈNH NAM ĐỊNH"], ["Tháng 4 năm 2021"], ["STT", "Xã, thị trấn", "Số CA chính quy"],
            [1, "Xã Lộc Hòa", 5], [2, "Phường Lộc Hòa", 5], [3, "Lộc Hòa", 5]]
    (sub,) = extract_workbook(write_workbook(tmp_path / "nd.xlsx", rows, "Biểu 01")).submissions
    frame = sub.table.rows
    assert frame.resolve_problem[0] == "type_mismatch" and pd.isna(frame.unit_code[0])
    assert list(frame.unit_code[1:]) == ["13693", "13693"]


def test_abbreviations_without_a_dot(tmp_path):
    rows = [["CÔNG AN THÀNH PHỐ HẢI PHÒNG"], ["Tháng 10 năm 2026"], ["STT", "Xã, phường, đặc khu", "Số CA chính quy"],
            [1, "ĐK Bạch Long Vĩ", 5], [2, "P Hải Dương", 5], [3, "X Nam Sách", 5]]
    (sub,) = extract_workbook(write_workbook(tmp_path / "hp.xlsx", rows, "Biểu 01")).submissions
    frame = sub.table.rows
    assert frame.unit_code[0] == "11948" and not pd.isna(frame.unit_code[1]) and not pd.isna(frame.unit_code[2])


def test_a_province_of_the_other_era_is_named_as_such(tmp_path):
    rows = [["CÔNG AN TỈNH NAM ĐỊNH"], ["Tháng 8 năm 2025"], ["STT", "Xã, phường, đặc khu", "Số CA chính quy"],
            [1, "Xã Hải Hậu", 5]]
    rejection = extract_workbook(write_workbook(tmp_path / "nd.xlsx", rows, "Biểu 01")).rejection
    assert rejection.code == "unknown_province" and "1 July 2025" in rejection.reason_en


def test_no_district_level_commendations_after_the_merger(tmp_path):
    rows = [["CÔNG AN TỈNH BẮC NINH"], ["Tháng 9 năm 2025"], ["Cấp khen thưởng", "Tập thể", "Cá nhân"],
            ["Bộ Công an", 1, 2], ["Cấp huyện", 3, 4], ["Cấp xã", 5, 6]]
    (sub,) = extract_workbook(write_workbook(tmp_path / "bn.xlsx", rows, "Khen thưởng")).submissions
    assert list(sub.table.rows.resolve_problem.fillna("")) == ["", "level_not_in_era", ""]
