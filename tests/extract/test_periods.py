"""Implausible periods: a sheet whose as-of date, file name or month cannot be the report's period is
rejected alone, with both dates named; a daily row dated outside the plausible range is quarantined."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from etl.extract import extract_workbook
from etl.extract.layout import period_in_name
from tests.builders import write_workbook

pytestmark = pytest.mark.unit

HEADER = ["STT", "Huyện", "Xã, thị trấn", "Số CA chính quy"]
ROW = [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5]
NIGHT = datetime(2021, 5, 25, 1, 0)  # the night's cut-off, Vietnam time


def _staffing(tmp_path, title: str, name: str = "hai_duong.xlsx"):
    path = write_workbook(tmp_path / name, [["CÔNG AN TỈNH HẢI DƯƠNG"], [title], HEADER, ROW])
    return extract_workbook(path, cutoff=NIGHT)


@pytest.mark.parametrize(("as_of", "first", "second"), [
    ("23/4/2022", "23/04/2022", "04/2021"),  # a year after the title's month
    ("20/5/2021", "20/05/2021", "04/2021"),  # 20 days after its end
    ("31/3/2021", "31/03/2021", "04/2021"),  # before it
])
def test_an_as_of_date_outside_the_titles_month_rejects_the_sheet_naming_both_dates(tmp_path, as_of, first, second):
    result = _staffing(tmp_path, f"Tháng 4 năm 2021 (Số liệu tính đến ngày {as_of})")
    assert not result.submissions and result.rejection is not None
    assert result.rejection.code == "implausible_period"
    for reason in (result.rejection.reason_en, result.rejection.reason_vi):
        assert first in reason and second in reason


@pytest.mark.parametrize(("as_of", "expected"), [("10/5/2021", date(2021, 5, 10)), ("15/5/2021", date(2021, 5, 15)),
                                                  ("1/4/2021", date(2021, 4, 1))])
def test_an_as_of_date_in_the_month_or_at_most_15_days_after_it_loads(tmp_path, as_of, expected):
    result = _staffing(tmp_path, f"Tháng 4 năm 2021 (Số liệu tính đến ngày {as_of})")
    assert result.rejection is None
    (sub,) = result.submissions
    assert (sub.period_start, sub.period_end, sub.as_of_date) == (date(2021, 4, 1), date(2021, 4, 30), expected)


@pytest.mark.parametrize(("title", "shown"), [("Tháng 10 năm 2099", "10/2099"), ("Tháng 4 năm 1900", "04/1900"),
                                              ("Tháng 6 năm 2021", "06/2021"), ("Tháng 12 năm 2017", "12/2017")])
def test_a_month_after_the_cutoff_or_before_2018_is_rejected(tmp_path, title, shown):
    result = _staffing(tmp_path, title)
    assert result.rejection is not None and result.rejection.code == "implausible_period"
    limit = "25/05/2021" if title.endswith(("2099", "2021")) else "01/01/2018"
    for reason in (result.rejection.reason_en, result.rejection.reason_vi):
        assert shown in reason and limit in reason


def test_without_a_cutoff_the_night_is_now_so_2099_is_refused(tmp_path):
    path = write_workbook(tmp_path / "hd.xlsx", [["CÔNG AN TỈNH HẢI DƯƠNG"], ["Tháng 10 năm 2099"], HEADER, ROW])
    assert extract_workbook(path).rejection.code == "implausible_period"


def test_a_month_in_the_file_name_must_be_the_titles(tmp_path):
    result = _staffing(tmp_path, "Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)", "BC_T05-2021.xlsx")
    assert result.rejection is not None and result.rejection.code == "implausible_period"
    assert "05/2021" in result.rejection.reason_en and "04/2021" in result.rejection.reason_en
    assert "BC_T05-2021.xlsx" in result.rejection.reason_vi
    same = _staffing(tmp_path, "Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)", "BC_T04-2021.xlsx")
    assert same.rejection is None and len(same.submissions) == 1


def test_only_the_implausible_sheet_is_rejected_the_others_load(tmp_path):
    import xlsxwriter

    path = tmp_path / "hd.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for name, title, header, row in (
            ("Bieu 01", "Tháng 4 năm 2021", HEADER, ROW),
            ("Bieu 04", "Tháng 4 năm 2099", ["STT", "Cấp khen thưởng", "Tập thể", "Cá nhân"], [1, "Bộ Công an", 2, 3])):
        sheet = book.add_worksheet(name)
        for r, values in enumerate([["CÔNG AN TỈNH HẢI DƯƠNG"], [title], header, row]):
            for c, value in enumerate(values):
                sheet.write(r, c, value)
    book.close()
    result = extract_workbook(path, cutoff=NIGHT)
    assert [s.sheet_code for s in result.submissions] == ["01"]
    (rejected,) = result.sheet_rejections
    assert (rejected.sheet_name, rejected.problem.code) == ("Bieu 04", "implausible_period")


def test_daily_rows_dated_after_the_cutoff_or_before_2018_are_quarantined_not_loaded(tmp_path):
    rows = [["CÔNG AN TỈNH HẢI DƯƠNG"], ["BÁO CÁO TIẾN ĐỘ THU NHẬN HỒ SƠ CCCD"],
            ["Ngày", "Huyện, thị xã, thành phố", "Số hồ sơ thu nhận trong ngày"],
            ["13/5/2021", "Huyện Tứ Kỳ", 1200], ["14/5/2021", "Kinh Môn", 900],
            ["14/5/2099", "TP Chí Linh", 700], ["14/5/1921", "Huyện Tứ Kỳ", 600]]
    result = extract_workbook(write_workbook(tmp_path / "cccd.xlsx", rows, "Bieu 03"), cutoff=NIGHT)
    (sub,) = result.submissions
    assert (sub.period_start, sub.period_end) == (date(2021, 5, 13), date(2021, 5, 14))
    frame = sub.table.rows
    assert len(frame) == 4  # every row is still read: the two implausible ones are quarantined
    flagged = frame[frame.parse_problems.str.contains("report_date")]
    assert list(flagged.row_number) == [6, 7] and flagged.report_date.isna().all()
    assert list(flagged.report_date_raw) == ["14/5/2099", "14/5/1921"]


@pytest.mark.parametrize(("name", "month"), [
    ("Báo cáo tháng 5 năm 2021.xlsx", (2021, 5)), ("BC_T05-2021.xlsx", (2021, 5)), ("BC T5.2021.xlsx", (2021, 5)),
    ("BC_2021-05.xlsx", (2021, 5)), ("thang4-2021.xlsx", (2021, 4)),
    ("Báo cáo đợt 2 - 2021.xlsx", None),  # a round ("đợt"), not February: "t" must begin a word
    ("Bieu01_2021.xlsx", None), ("BC_05.2021.xlsx", None),  # no "tháng"/"T": the template's number or a month?
])
def test_a_month_in_a_file_name_is_read_only_where_it_is_spelled_as_one(name, month):
    assert period_in_name(name) == month
