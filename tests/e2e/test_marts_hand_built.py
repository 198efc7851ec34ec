"""Marts over small hand-built submissions whose expected figures are worked out by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from etl.pipeline import run_night
from tests.builders import arrive as _arrive
from tests.builders import make_settings
from tests.builders import query_frame as _query
from tests.builders import write_workbook as _write

pytestmark = pytest.mark.e2e



def _id_card_file(folder: Path, name: str, days: list[tuple[str, str, int]], target: str = "1.000") -> Path:
    rows = [["CÔNG AN TỈNH HẢI DƯƠNG"], ["BÁO CÁO TIẾN ĐỘ THU NHẬN HỒ SƠ CCCD"],
            [f"Chỉ tiêu được giao: {target} hồ sơ, thời hạn 30/6/2021"],
            ["Ngày", "Huyện, thị xã, thành phố", "Số hồ sơ thu nhận trong ngày"],
            *[[day, district, count] for day, district, count in days]]
    return _write(folder / name, rows, "Biểu 03 - Thu nhận hồ sơ CCCD")




@pytest.fixture
def id_card_night(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    _id_card_file(landing, "hd_1.xlsx", [("12/5/2021", "Huyện Tứ Kỳ", 300), ("12/5/2021", "TP Chí Linh", 100),
                                         ("13/5/2021", "Huyện Tứ Kỳ", 500)])
    _id_card_file(landing, "hd_2.xlsx", [("14/5/2021", "Huyện Tứ Kỳ", 150), ("14/5/2021", "TP Chí Linh", 50),
                                         ("15/5/2021", "Huyện Tứ Kỳ", 10)])
    settings = make_settings(tmp_path)
    result = run_night([landing], settings)
    return settings, result, landing


def test_id_card_progress_reaches_target_47_days_ahead(id_card_night):
    settings, result, _ = id_card_night
    assert {o.status for o in result.outcomes} == {"loaded"}
    progress = _query(settings.warehouse, """
        select province_code, report_date, applications, cumulative_applications, target, target_deadline,
               target_reached_date, days_ahead
        from mart.id_card_progress order by province_code, report_date""")
    hai_duong = progress[progress.province_code == "30"]
    assert list(hai_duong.applications) == [400, 500, 200, 10]
    assert list(hai_duong.cumulative_applications) == [400, 900, 1100, 1110]
    assert set(hai_duong.target) == {1000} and set(hai_duong.target_deadline) == {date(2021, 6, 30)}
    # Reached on 14/5 (1,100 >= 1,000): 47 days before 30/6; null on the days before.
    assert list(hai_duong.target_reached_date) == [None, None, date(2021, 5, 14), date(2021, 5, 14)]
    assert list(hai_duong.days_ahead) == [None, None, 47, 47]
    assert set(progress.province_code) == {"30"}
    national = _query(settings.warehouse, """select report_date, cumulative_applications, target, days_ahead
                                             from mart.national_id_card_progress order by report_date""")
    assert list(national.cumulative_applications) == [400, 900, 1100, 1110] and set(national.target) == {1000}
    assert list(national.days_ahead) == [None, None, 47, 47]


def test_id_card_lines_as_of_a_day_count_up_to_that_day(id_card_night, monkeypatch):
    """Issue 11: `cax indicators --as-of D` printed the whole campaign's count whatever D."""
    from typer.testing import CliRunner

    from etl import report
    from etl.cli import app

    settings, _, _ = id_card_night
    # Worked out by hand from the fixture: 400 on 12/5, 900 by 13/5, 1,100 by 14/5 (target 1,000
    # reached, 47 days ahead), 1,110 by 15/5.
    for as_of, cumulative, reached in ((date(2021, 5, 13), 900, None), (date(2021, 5, 14), 1100, date(2021, 5, 14)),
                                       (None, 1110, date(2021, 5, 14))):
        for frame in (report.id_card_milestones(settings.warehouse, as_of),
                      report.national_id_card_milestones(settings.warehouse, as_of)):
            row = frame.iloc[0]
            assert int(row.cumulative_applications) == cumulative, (as_of, frame)
            assert (None if pd.isna(row.target_reached_date) else row.target_reached_date) == reached
    monkeypatch.setenv("CAX_WAREHOUSE", str(settings.warehouse))
    shown = CliRunner().invoke(app, ["indicators", "--as-of", "2021-05-13"])
    assert shown.exit_code == 0, shown.stdout
    line = next(line for line in shown.stdout.splitlines() if line.startswith("CCCD toàn quốc"))
    assert "đến ngày / up to 13/05/2021): 900 hồ sơ" in line and "0/1 tỉnh đã đạt" in line, line


def test_daily_resubmission_replaces_only_the_dates_it_lists(id_card_night, tmp_path):
    settings, _, landing = id_card_night
    correction = _arrive(_id_card_file(landing, "hd_2_sua.xlsx", [("14/5/2021", "Huyện Tứ Kỳ", 160)]),
                         2021, 5, 20, 9)
    result = run_night([correction], settings)
    assert [o.status for o in result.outcomes] == ["loaded"]
    daily = _query(settings.warehouse, """select report_date, applications from mart.id_card_progress
                                          where province_code = '30' order by report_date""")
    # 14/5 is now the correction's 160 alone; 12, 13 and 15/5 are as first sent.
    assert list(daily.applications) == [400, 500, 160, 10]
    statuses = _query(settings.warehouse, "select file_name, status from dw.dim_submission order by file_name")
    # hd_2 still has 15/5 in the warehouse, so it is not superseded.
    assert dict(zip(statuses.file_name, statuses.status, strict=True)) == {
        "hd_1.xlsx": "loaded", "hd_2.xlsx": "loaded", "hd_2_sua.xlsx": "loaded"}


def _staffing(folder: Path, name: str, month: int, day: int, officers: tuple[int, int]) -> Path:
    rows = [["CÔNG AN TỈNH HẢI DƯƠNG"], [f"Tháng {month} năm 2021 (Số liệu tính đến ngày {day}/{month}/2021)"],
            ["STT", "Huyện", "Xã, thị trấn", "Số CA chính quy"],
            [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", officers[0]], [2, "TP Chí Linh", "Xã Hưng Đạo", officers[1]]]
    return _write(folder / name, rows, "Biểu 01")


def _security(folder: Path, name: str, month: int, tips: int) -> Path:
    rows = [["CÔNG AN TỈNH HẢI DƯƠNG"], [f"Tháng {month} năm 2021"],
            ["STT", "Huyện", "Xã, thị trấn", "Tin về ANTT tiếp nhận", "Tin báo, tố giác tội phạm"],
            [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", tips, 1]]
    return _write(folder / name, rows, "Biểu 02")


# Written here, not read from warehouse/indicators.csv: flipping a stock to a flow there must fail.
STOCKS = {"officers", "communes_in_scope", "communes_staffed", "id_card_cumulative", "id_card_target"}
FLOWS = {"tips_received", "crime_reports", "cases_clarified", "subjects", "admin_violation_cases", "fines_vnd",
         "education_dossiers", "rehab_dossiers", "reform_school_dossiers", "id_card_applications",
         "commendation_collectives", "commendation_individuals"}


def test_definitions_file_says_which_indicators_are_stocks():
    definitions = pd.read_csv(Path(__file__).resolve().parents[2] / "warehouse" / "indicators.csv")
    kinds = dict(zip(definitions.indicator_code, definitions.aggregation, strict=True))
    assert {code for code, kind in kinds.items() if kind == "stock"} == STOCKS
    assert {code for code, kind in kinds.items() if kind == "flow"} == FLOWS


def test_stocks_take_the_last_value_and_flows_are_summed_over_a_quarter(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    _staffing(landing, "t4.xlsx", 4, 23, (5, 5))
    _staffing(landing, "t5.xlsx", 5, 20, (6, 0))
    _security(landing, "antt4.xlsx", 4, 10)
    _security(landing, "antt5.xlsx", 5, 7)
    _id_card_file(landing, "cccd4.xlsx", [("29/4/2021", "Huyện Tứ Kỳ", 300), ("30/4/2021", "Huyện Tứ Kỳ", 200)])
    _id_card_file(landing, "cccd5.xlsx", [("1/5/2021", "Huyện Tứ Kỳ", 400), ("2/5/2021", "Huyện Tứ Kỳ", 100)])
    settings = make_settings(tmp_path)
    run_night([landing], settings)
    values = _query(settings.warehouse, """
        select indicator_code, grain, period_start, value, aggregation from mart.indicators
        where province_code = '30' and boundary_basis = 'as_reported'""")
    quarter = values[(values.grain == "quarter") & (values.period_start == date(2021, 4, 1))]
    by_code = dict(zip(quarter.indicator_code, quarter.value, strict=True))
    # Stocks: May's value (6 officers, 1 commune staffed; 1,000 applications by 2/5), never April + May.
    # Hải Dương had 188 xã and thị trấn in the list in force in April-May 2021 (the list of
    # 3/2/2021; the Ministry's "188/188"), 161 only from January 2025.
    assert by_code["officers"] == 6 and by_code["communes_staffed"] == 1 and by_code["communes_in_scope"] == 188
    assert by_code["id_card_cumulative"] == 1000 and by_code["id_card_target"] == 1000
    assert by_code["officers_per_commune"] == 6 and by_code["coverage_pct"] == pytest.approx(100 / 188)
    assert by_code["id_card_target_pct"] == pytest.approx(100)
    # Flows: April + May.
    assert by_code["tips_received"] == 17 and by_code["crime_reports"] == 2
    assert by_code["id_card_applications"] == 1000
    months = values[values.grain == "month"]
    april = dict(zip(months[months.period_start == date(2021, 4, 1)].indicator_code,
                     months[months.period_start == date(2021, 4, 1)].value, strict=True))
    assert (april["id_card_cumulative"], april["id_card_applications"], april["officers"]) == (500, 500, 10)
    national = _query(settings.warehouse, "select as_of_date, officers from mart.national_staffing order by 1")
    assert list(national.officers) == [10, 6]
