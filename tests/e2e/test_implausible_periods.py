"""Whole nights with implausible periods: they are rejected alone and never reach the facts or the
completeness mart, and a staffing report's partition is the month of its title, whatever its as-of date."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from etl.pipeline import run_night
from tests.builders import arrive, make_settings, query
from tests.builders import write_workbook as _write

pytestmark = pytest.mark.e2e

HEADER = ["STT", "Huyện", "Xã, thị trấn", "Số CA chính quy"]


def _hai_duong(folder, name: str, title: str, officers: int):
    return _write(folder / name, [["CÔNG AN TỈNH HẢI DƯƠNG"], [title], HEADER,
                                  [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", officers]])


def test_a_staffing_report_replaces_the_month_of_its_title_not_the_month_of_its_as_of_date(tmp_path):
    """April as of 10/5 (allowed: within 15 days of April's end) must survive May's report and be
    replaced by April's correction; the partition was the as-of date's month, so May wiped April."""
    settings = make_settings(tmp_path)
    night = datetime(2021, 6, 1, 1, 0)
    landing = tmp_path / "landing"
    landing.mkdir()
    arrive(_hai_duong(landing, "hd_t4.xlsx", "Tháng 4 năm 2021 (Số liệu tính đến ngày 10/5/2021)", 5), 2021, 5, 10, 9)
    arrive(_hai_duong(landing, "hd_t5.xlsx", "Tháng 5 năm 2021 (Số liệu tính đến ngày 23/5/2021)", 8), 2021, 5, 23, 9)
    assert run_night([landing], settings, cutoff=night).exit_code == 0
    facts = "select as_of_date, officers from dw.fact_commune_staffing order by as_of_date"
    assert query(settings.warehouse, facts) == [(date(2021, 5, 10), 5), (date(2021, 5, 23), 8)]
    assert _staffing_marts(settings) == _months((date(2021, 5, 10), 5), (date(2021, 5, 23), 8))
    arrive(_hai_duong(landing, "hd_t4_sua.xlsx", "Tháng 4 năm 2021 (Số liệu tính đến ngày 12/5/2021)", 6),
           2021, 5, 12, 9)
    assert run_night([landing], settings, cutoff=night).exit_code == 0
    assert query(settings.warehouse, facts) == [(date(2021, 5, 12), 6), (date(2021, 5, 23), 8)]
    assert _staffing_marts(settings) == _months((date(2021, 5, 12), 6), (date(2021, 5, 23), 8))


def _staffing_marts(settings) -> list[tuple]:
    """(month, as-of date, officers) of Hải Dương's one commune in staffing_by_province,
    national_staffing and staffing_by_commune, then (month, null, officers) in indicators: the marts
    too put a snapshot in the month of its title, not in the month of its as-of date."""
    return query(settings.warehouse, """
        select period_start, as_of_date, officers from mart.staffing_by_province
        union all select period_start, as_of_date, officers from mart.national_staffing
        union all select period_start, as_of_date, officers from mart.staffing_by_commune
        where boundary_basis = 'as_reported'
        union all select period_start, null, value::int from mart.indicators
        where boundary_basis = 'as_reported' and grain = 'month' and indicator_code = 'officers'
        order by 1, 2""")


def _months(april: tuple[date, int], may: tuple[date, int]) -> list[tuple]:
    """What _staffing_marts should return for April's and May's (as-of date, officers)."""
    return [row for month, (as_of, officers) in ((date(2021, 4, 1), april), (date(2021, 5, 1), may))
            for row in [(month, as_of, officers)] * 3 + [(month, None, officers)]]


def test_reports_of_2099_and_1900_are_rejected_and_the_completeness_mart_never_sees_them(tmp_path):
    settings = make_settings(tmp_path)
    landing = tmp_path / "landing"
    landing.mkdir()
    _hai_duong(landing, "hd.xlsx", "Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)", 5)
    _hai_duong(landing, "hd_1900.xlsx", "Tháng 4 năm 1900", 5)
    _write(landing / "hp_2099.xlsx", [["CÔNG AN THÀNH PHỐ HẢI PHÒNG"], ["Tháng 10 năm 2099"],
                                      ["STT", "Xã, phường, đặc khu", "Số CA chính quy"],
                                      [1, "Đặc khu Bạch Long Vĩ", 7]])
    for path in landing.iterdir():
        arrive(path, 2021, 4, 23, 16)
    result = run_night([landing], settings, cutoff=datetime(2021, 4, 24, 1, 0))
    assert result.exit_code == 3
    audit = dict(query(settings.warehouse, "select file_name, status from audit.submission"))
    assert audit == {"hd.xlsx": "loaded", "hd_1900.xlsx": "rejected", "hp_2099.xlsx": "rejected"}
    reasons = dict(query(settings.warehouse,
                         "select file_name, reason from audit.submission where status = 'rejected'"))
    assert "04/1900" in reasons["hd_1900.xlsx"] and "01/01/2018" in reasons["hd_1900.xlsx"]
    assert "10/2099" in reasons["hp_2099.xlsx"] and "24/04/2021" in reasons["hp_2099.xlsx"]
    periods = query(settings.warehouse, "select distinct period_start from mart.reporting_completeness")
    assert periods == [(date(2021, 4, 1),)]
    assert query(settings.warehouse, "select count(*) from dw.fact_commune_staffing") == [(1,)]


def test_a_sheet_rejected_for_its_period_is_still_its_province_s_rejected_report(tmp_path):
    """Rejected for an as-of date a year late, Hải Dương's April report is Hải Dương's: its feedback in
    its folder and April counted as rejected, not missing (the province was read from the file name)."""
    settings = make_settings(tmp_path)
    landing = tmp_path / "landing"
    landing.mkdir()
    arrive(_hai_duong(landing, "bao_cao.xlsx", "Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2022)", 5), 2021, 4, 23)
    result = run_night([landing], settings, cutoff=datetime(2022, 5, 1, 1, 0))
    assert result.exit_code == 3
    assert query(settings.warehouse, "select province_code, period_start, status from audit.submission") == [
        ("30", date(2021, 4, 1), "rejected")]
    assert [p.parent.name for p in result.feedback] == ["30"]
    completeness = "select status from mart.reporting_completeness where province_code = '30' and sheet = '01'"
    assert query(settings.warehouse, completeness + " and period_start = '2021-04-01'") == [("rejected",)]
