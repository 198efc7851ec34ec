"""e2e: the leadership workbook of the sample night, read back with openpyxl, every number of every sheet
against the marts queried here (SQL on mart.*, never through etl.leadership.figures), as of 31/5/2021
as reported, on the 2025 basis and with Hải Dương (30) singled out; its sheets, frozen headers, filters,
conditional formats and native line charts; and not one formula anywhere."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

import openpyxl
import pytest

from etl.leadership.figures import collect
from etl.leadership.workbook import write_workbook
from tests.builders import query_frame

pytestmark = pytest.mark.e2e

AS_OF = date(2021, 5, 31)  # the Ministry's review conference (issue 12)
CASES = {"as_reported": ("as_reported", ()), "2025": ("2025", ()), "hai_duong": ("as_reported", ("30",))}
SHEETS = ["Tổng quan", "Theo tỉnh", "CCCD", "ANTT", "Khen thưởng", "Chất lượng báo cáo"]
CHART_DATA = "Dữ liệu biểu đồ"
REPORTED = "('on_time', 'late')"
STATUS = {"on_time": "đúng hạn", "late": "muộn", "missing": "thiếu", "rejected": "bị từ chối"}
SUBMISSION_STATUS = {"loaded": "Đã nạp đủ", "loaded_with_errors": "Đã nạp, có dòng bị loại", "rejected": "Bị từ chối",
                     "duplicate": "Trùng tệp đã gửi", "superseded": "Đã được thay bằng bản gửi sau"}
# Headers of the province tables -> indicator of mart.indicators, and whether the cell holds a % (a fraction).
STAFFING = {"Số xã thuộc phạm vi": "communes_in_scope", "Số xã có CA chính quy": "communes_staffed",
            "Tỷ lệ xã có CA chính quy": "coverage_pct", "Số CA chính quy đã bố trí": "officers",
            "Số CA chính quy bình quân mỗi xã": "officers_per_commune"}
SECURITY = {"Tin về ANTT tiếp nhận": "tips_received", "Tin báo, tố giác tội phạm": "crime_reports",
            "Số vụ đã làm rõ": "cases_clarified", "Số đối tượng": "subjects",
            "Số vụ xử phạt VPHC": "admin_violation_cases",
            "Tiền phạt (đồng)": "fines_vnd", "Hồ sơ giáo dục tại xã": "education_dossiers",
            "Hồ sơ đưa vào cơ sở cai nghiện bắt buộc": "rehab_dossiers",
            "Hồ sơ đưa vào trường giáo dưỡng": "reform_school_dossiers"}
COMMENDATIONS = {"Tập thể được khen thưởng": "commendation_collectives",
                 "Cá nhân được khen thưởng": "commendation_individuals"}
ID_CARDS = {"Lũy kế hồ sơ CCCD": "id_card_cumulative", "Chỉ tiêu CCCD được giao": "id_card_target",
            "Tỷ lệ hoàn thành chỉ tiêu CCCD": "id_card_target_pct"}
PERCENT = {"coverage_pct", "id_card_target_pct"}
# Old province -> the province of 2025 it is counted in (the identity as reported).
ON_BASIS = {"as_reported": "select province_code as old, province_code as new from dw.dim_province"
                           " where admin_era = 'pre2025'",
            "2025": "select p.province_code as old, coalesce(x.new_province_code, p.province_code) as new"
                    " from dw.dim_province p left join ref.province_crosswalk x"
                    " on x.old_province_code = p.province_code where p.admin_era = 'pre2025'"}


@pytest.fixture(scope="module")
def db(sample_night) -> Path:
    return sample_night[0].published


class Written(NamedTuple):
    path: Path
    book: openpyxl.Workbook


@pytest.fixture(scope="module")
def books(db, tmp_path_factory) -> dict[str, Written]:
    out = tmp_path_factory.mktemp("extracts")
    paths = {case: write_workbook(collect(db, AS_OF, basis, provinces), out / case / f"TongHop_{AS_OF}.xlsx")
             for case, (basis, provinces) in CASES.items()}
    return {case: Written(path, openpyxl.load_workbook(path)) for case, path in paths.items()}


def sql(db: Path, text: str) -> list[dict]:
    return query_frame(db, text).to_dict("records")


def table(sheet, name: str) -> list[dict]:
    """The rows of an Excel table as dicts by header."""
    ref = sheet.tables[name].ref
    cells = list(sheet[ref])
    headers = [c.value for c in cells[0]]
    return [dict(zip(headers, (c.value for c in row), strict=True)) for row in cells[1:]]


def cell_of(sheet, name: str, header: str, key: str, value: str):
    """The cell of ``header`` in the row of table ``name`` whose ``key`` column is ``value``."""
    cells = list(sheet[sheet.tables[name].ref])
    headers = [c.value for c in cells[0]]
    row = next(r for r in cells[1:] if r[headers.index(key)].value == value)
    return row[headers.index(header)]


def same(actual, expected, percent: bool = False) -> bool:
    if expected is None:
        return actual is None
    if isinstance(expected, date) and not isinstance(expected, datetime):
        return actual == datetime(expected.year, expected.month, expected.day)
    if isinstance(expected, str):
        return actual == expected
    return actual == pytest.approx(float(expected) / (100 if percent else 1), rel=1e-12, abs=1e-9)


def staffing_month(db: Path) -> date:
    return sql(db, f"select max(period_start) as m from mart.national_staffing where period_start <= '{AS_OF}'")[0]["m"]


def window(db: Path, sheet: str) -> tuple[date, date]:
    """The months of a flow sheet summed "so far": its first to its last month with an accepted report."""
    row = sql(db, f"select min(period_start) as first, max(period_start) as last from mart.reporting_completeness"
                  f" where sheet = '{sheet}' and status in {REPORTED} and period_start <= '{AS_OF}'")[0]
    return row["first"], row["last"]


def indicators(db: Path, basis: str) -> dict[tuple[str, str], float]:
    """(province code, indicator) -> value on ``basis``: staffing of its month, flows summed over their
    windows, ID cards of the month of the as-of day (its last day)."""
    staffing, security, commendations = staffing_month(db), window(db, "02"), window(db, "04")
    rows = sql(db, f"""
        select province_code, indicator_code, sum(value) as value from mart.indicators
        where boundary_basis = '{basis}' and grain = 'month' and (
            (indicator_code in ('communes_in_scope', 'communes_staffed', 'coverage_pct', 'officers',
                                'officers_per_commune') and period_start = '{staffing}')
         or (indicator_code in ('tips_received', 'crime_reports', 'cases_clarified', 'subjects',
                                'admin_violation_cases', 'fines_vnd', 'education_dossiers', 'rehab_dossiers',
                                'reform_school_dossiers') and period_start between '{security[0]}' and '{security[1]}')
         or (indicator_code like 'commendation_%'
             and period_start between '{commendations[0]}' and '{commendations[1]}')
         or (indicator_code like 'id_card_%' and period_start = date_trunc('month', date '{AS_OF}')))
        group by all""")
    return {(r["province_code"], r["indicator_code"]): r["value"] for r in rows}


def provinces(db: Path, basis: str) -> dict[str, str]:
    era = "2025" if basis == "2025" else "pre2025"
    return {r["province_code"]: r["province_name"]
            for r in sql(db, f"select province_code, province_name from dw.dim_province where admin_era = '{era}'")}


def reports(db: Path) -> list[dict]:
    """The expected reports the figures add up: the staffing month (01), the flows' windows (02, 04) and
    the campaign's days up to the as-of day, the last one reported (03), due or not."""
    month, (s_first, s_last), (c_first, c_last) = staffing_month(db), window(db, "02"), window(db, "04")
    return sql(db, f"""
        with c as (select target_deadline, min(report_date) as first_day from mart.national_id_card_progress
                   where target_deadline = (select min(target_deadline) from mart.national_id_card_progress
                                            where target_deadline >= '{AS_OF}')
                   group by all)
        select r.* from mart.reporting_completeness r
        where (sheet = '01' and period_start = '{month}')
           or (sheet = '02' and period_start between '{s_first}' and '{s_last}')
           or (sheet = '04' and period_start between '{c_first}' and '{c_last}')
           or (sheet = '03' and period_start between (select first_day from c) and (select target_deadline from c)
               and period_start <= '{AS_OF}')""")


def milestones(db: Path, basis: str) -> dict[str, dict]:
    """Per province of the basis: the campaign of the day's target, last day, count, the first day the
    count reached the target (the daily counts and targets of merged provinces added), days ahead."""
    rows = sql(db, f"""
        with b as ({ON_BASIS[basis]}),
        c as (select target_deadline from mart.national_id_card_progress
              where report_date <= '{AS_OF}' and target_deadline >= '{AS_OF}' limit 1),
        daily as (
            select b.new as province_code, p.report_date, sum(p.cumulative_applications) as cumulative,
                   sum(p.target) as target, any_value(p.target_deadline) as deadline
            from mart.id_card_progress p join b on b.old = p.province_code
            where p.admin_era = 'pre2025' and p.report_date <= '{AS_OF}'
              and p.target_deadline = (select target_deadline from c)
            group by all)
        select province_code, arg_max(target, report_date) as target, max(report_date) as last_day,
               arg_max(cumulative, report_date) as cumulative, any_value(deadline) as deadline,
               min(report_date) filter (where cumulative >= target) as reached,
               arg_min(cumulative, report_date) filter (where cumulative >= target) as on_reached
        from daily group by all""")
    return {r["province_code"]: r | {"ahead": (r["deadline"] - r["reached"]).days if r["reached"] else None}
            for r in rows}


# --- structure -------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_sheets_headers_filters_and_conditional_formats(books, case):
    book = books[case].book
    assert book.sheetnames == [*SHEETS, CHART_DATA]
    assert [book[s].sheet_state for s in SHEETS] == ["visible"] * 6 and book[CHART_DATA].sheet_state == "hidden"
    for name in SHEETS:
        sheet = book[name]
        assert sheet["A1"].value and sheet["A1"].font.b, f"{name}: no title row"
        assert sheet.freeze_panes is not None, f"{name}: header rows not frozen"
        frozen_row = sheet[sheet.freeze_panes].row
        first_table = min(sheet.tables.values(), key=lambda t: openpyxl.utils.cell.range_boundaries(t.ref)[1])
        assert openpyxl.utils.cell.range_boundaries(first_table.ref)[1] == frozen_row - 1, name
        assert sheet.tables, f"{name}: no table"
        for t in sheet.tables.values():
            assert t.autoFilter is not None and t.autoFilter.ref, f"{name}: table {t.name} has no filter"
        for letter, dimension in sheet.column_dimensions.items():
            assert dimension.width is None or 6 <= dimension.width <= 64, (name, letter, dimension.width)
    rules = {name: {str(r.sqref): [x.type for x in r.rules] for r in book[name].conditional_formatting}
             for name in SHEETS}
    coverage = cell_of(book["Theo tỉnh"], "TheoTinh", "Tỷ lệ xã có CA chính quy", "Mã tỉnh", "01")
    target_pct = cell_of(book["CCCD"], "CCCDTheoTinh", "Tỷ lệ hoàn thành chỉ tiêu CCCD", "Mã tỉnh", "01")
    status = cell_of(book["Chất lượng báo cáo"], "TinhTrangBaoCao", "Tình trạng", "Mã tỉnh", "01")
    for sheet, cell in (("Theo tỉnh", coverage), ("CCCD", target_pct), ("Chất lượng báo cáo", status)):
        covering = [types for ref, types in rules[sheet].items()
                    if cell.coordinate in openpyxl.worksheet.cell_range.MultiCellRange(ref)]
        assert covering and "cellIs" in covering[0], (sheet, cell.coordinate, rules[sheet])
    overview_pct = [r for r in table(book["Tổng quan"], "TongQuan") if r["Đơn vị"] == "%"]
    assert len(overview_pct) == 2 and len(rules["Tổng quan"]) == 2


@pytest.mark.parametrize("case", CASES)
def test_no_cell_anywhere_holds_a_formula(books, case):
    book = books[case].book
    formulas = [f"{s.title}!{c.coordinate}" for s in book.worksheets for row in s.iter_rows() for c in row
                if c.data_type == "f"]
    assert formulas == []
    with zipfile.ZipFile(books[case].path) as archive:
        parts = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        assert parts and not [n for n in parts if re.search(rb"<f[ >]", archive.read(n))]


@pytest.mark.parametrize("case", CASES)
def test_numbers_and_dates_carry_formats(books, case):
    sheet = books[case].book["CCCD"]
    cells = {h: cell_of(sheet, "CCCDTheoTinh", h, "Mã tỉnh", "01") for h in
             ("Chỉ tiêu CCCD được giao", "Hạn hoàn thành", "Tỷ lệ hoàn thành chỉ tiêu CCCD")}
    assert cells["Chỉ tiêu CCCD được giao"].data_type == "n"
    assert cells["Chỉ tiêu CCCD được giao"].number_format == "#,##0"
    assert cells["Hạn hoàn thành"].is_date and cells["Hạn hoàn thành"].number_format == "dd/mm/yyyy"
    assert cells["Tỷ lệ hoàn thành chỉ tiêu CCCD"].number_format.endswith("0.0%")
    per_commune = cell_of(books[case].book["Theo tỉnh"], "TheoTinh", "Số CA chính quy bình quân mỗi xã",
                          "Mã tỉnh", "01")
    assert per_commune.number_format == "#,##0.0"


# --- every number against the marts ----------------------------------------------------------------


@pytest.mark.parametrize("case", ["as_reported", "2025"])
def test_theo_tinh_is_every_province_of_the_basis_against_mart_indicators(books, db, case):
    basis = CASES[case][0]
    rows = {r["Mã tỉnh"]: r for r in table(books[case].book["Theo tỉnh"], "TheoTinh")}
    names = provinces(db, basis)
    assert {code: r["Tên tỉnh"] for code, r in rows.items()} == names
    values = indicators(db, basis)
    checked = 0
    for code, row in rows.items():
        for header, indicator in {**STAFFING, **SECURITY, **COMMENDATIONS, **ID_CARDS}.items():
            expected = values.get((code, indicator))
            assert same(row[header], expected, indicator in PERCENT), (code, header, row[header], expected)
            checked += expected is not None
    assert checked >= 18 * len(rows)  # the sample's provinces all reported
    snapshots = {r["province_code"]: r["as_of_date"] for r in sql(db, f"""
        select province_code, as_of_date from mart.staffing_by_province where period_start = '{staffing_month(db)}'""")}
    national = sql(db, f"select as_of_date from mart.national_staffing where period_start = '{staffing_month(db)}'")
    for code, row in rows.items():
        expected = snapshots.get(code) if basis == "as_reported" else national[0]["as_of_date"]
        assert same(row["Ngày chốt số liệu"], expected), code
    if basis == "2025":
        comparability = {r["province_code"]: r["c"] for r in sql(db, f"""
            select province_code, max(comparability) as c from mart.indicators where boundary_basis = '2025'
            and grain = 'month' and period_start = '{staffing_month(db)}' and indicator_code = 'officers'
            group by all""")}
        words = {"exact": "đầy đủ", "partial": "một phần (thiếu báo cáo của tỉnh cũ)"}
        assert {c: r["Mức đầy đủ"] for c, r in rows.items()} == {c: words[v] for c, v in comparability.items()}
    else:
        assert "Mức đầy đủ" not in next(iter(rows.values()))


@pytest.mark.parametrize("case", ["as_reported", "2025"])
def test_tong_quan_against_the_national_marts(books, db, case):
    rows = {(r["Nhóm"], r["Chỉ tiêu"]): r["Giá trị"] for r in table(books[case].book["Tổng quan"], "TongQuan")}
    month = staffing_month(db)
    staffing = sql(db, f"select * from mart.national_staffing where period_start = '{month}'")[0]
    assert staffing["as_of_date"] == date(2021, 4, 23)  # the latest snapshot (issue 12)
    group = "Bố trí CA chính quy"
    expected = {
        (group, "Tháng báo cáo"): month, (group, "Ngày chốt số liệu"): staffing["as_of_date"],
        (group, "Số tỉnh đã báo cáo"): staffing["provinces_reporting"],
        (group, "Số tỉnh phải báo cáo"): staffing["provinces_expected"],
        (group, "Số CA chính quy đã bố trí"): staffing["officers"],
        (group, "Số xã có CA chính quy"): staffing["communes_staffed"],
        (group, "Số xã thuộc phạm vi"): staffing["communes_in_scope"],
        (group, "Số CA chính quy bình quân mỗi xã"): staffing["officers_per_commune"],
        ("Thông tin chung", "Ngày số liệu"): AS_OF,
        ("Thông tin chung", "Danh mục đơn vị hành chính"): "danh mục ngày 3/2/2021",
    }
    for (first, last), label, view, measures in (
            (window(db, "02"), "An ninh trật tự", "national_security_activity", SECURITY),
            (window(db, "04"), "Khen thưởng", "national_commendations",
             {"Tập thể được khen thưởng": "collectives", "Cá nhân được khen thưởng": "individuals"})):
        sums = sql(db, f"select {', '.join(f'sum({m}) as {m}' for m in measures.values())} from mart.{view}"
                       f" where admin_era = 'pre2025' and period_start between '{first}' and '{last}'")[0]
        expected |= {(label, "Từ tháng"): first, (label, "Đến tháng"): last,
                     (label, "Số tháng"): (last.year - first.year) * 12 + last.month - first.month + 1}
        expected |= {(label, header.replace(" (đồng)", "")): sums[m] for header, m in measures.items()}
    campaign = sql(db, f"""
        select *, (select min(report_date) from mart.national_id_card_progress n
                   where n.target_deadline = p.target_deadline and n.admin_era = p.admin_era) as first_day
        from mart.national_id_card_progress p
        where report_date <= '{AS_OF}' and target_deadline >= '{AS_OF}' order by report_date desc limit 1""")[0]
    reached = [m for m in milestones(db, CASES[case][0]).values() if m["reached"]]
    group = "Thu nhận hồ sơ CCCD"
    expected |= {(group, "Hạn hoàn thành chỉ tiêu"): campaign["target_deadline"],
                 (group, "Ngày bắt đầu thu nhận"): campaign["first_day"],
                 (group, "Ngày báo cáo gần nhất"): campaign["report_date"],
                 (group, "Lũy kế hồ sơ CCCD"): campaign["cumulative_applications"],
                 (group, "Chỉ tiêu CCCD được giao"): campaign["target"],
                 (group, "Số tỉnh đã đạt chỉ tiêu"): len(reached),
                 (group, "Ngày đạt chỉ tiêu (toàn quốc)"): campaign["target_reached_date"],
                 (group, "Số ngày trước hạn (toàn quốc)"): campaign["days_ahead"]}
    for key, value in expected.items():
        assert same(rows[key], value), (key, rows[key], value)
    assert rows[("Bố trí CA chính quy", "Tỷ lệ xã có CA chính quy")] == pytest.approx(
        staffing["communes_staffed"] / staffing["communes_in_scope"])
    assert rows[(group, "Tỷ lệ hoàn thành chỉ tiêu CCCD")] == pytest.approx(
        campaign["cumulative_applications"] / campaign["target"])
    expected_reports = reports(db)
    reporters = {r["province_code"] for r in expected_reports}
    failing = {r["province_code"] for r in expected_reports if r["status"] not in ("on_time", "late")}
    assert len(reporters) == 63
    assert rows[("Thông tin chung", "Số tỉnh đã báo cáo đủ")] == f"{len(reporters - failing)}/{len(reporters)}"
    basis_words = rows[("Thông tin chung", "Ranh giới tỉnh")]
    assert ("34 tỉnh" in basis_words) == (case == "2025")


@pytest.mark.parametrize("case", ["as_reported", "2025"])
def test_cccd_milestones_per_province(books, db, case):
    basis = CASES[case][0]
    rows = {r["Mã tỉnh"]: r for r in table(books[case].book["CCCD"], "CCCDTheoTinh")}
    expected = milestones(db, basis)
    assert set(rows) == set(provinces(db, basis))
    for code, row in rows.items():
        m = expected.get(code, {})
        for header, key in (("Chỉ tiêu CCCD được giao", "target"), ("Hạn hoàn thành", "deadline"),
                            ("Ngày báo cáo gần nhất", "last_day"), ("Lũy kế hồ sơ CCCD", "cumulative"),
                            ("Ngày đạt chỉ tiêu", "reached"), ("Lũy kế tại ngày đạt chỉ tiêu", "on_reached"),
                            ("Số ngày trước hạn", "ahead")):
            assert same(row[header], m.get(key)), (code, header, row[header], m.get(key))
        assert row["Tỷ lệ hoàn thành chỉ tiêu CCCD"] == pytest.approx(m["cumulative"] / m["target"])
    if basis == "as_reported":  # the article: Hải Dương reached its target on 14/5, 47 days ahead of 30/6
        assert same(rows["30"]["Ngày đạt chỉ tiêu"], date(2021, 5, 14)) and rows["30"]["Số ngày trước hạn"] == 47
        by_mart = {r["province_code"]: r for r in sql(db, f"""
            select province_code, min(target_reached_date) as reached, max(days_ahead) as ahead
            from mart.id_card_progress where report_date <= '{AS_OF}' and target_reached_date <= report_date
            group by all""")}
        assert {c: (r["Ngày đạt chỉ tiêu"].date(), r["Số ngày trước hạn"]) for c, r in rows.items()
                if r["Ngày đạt chỉ tiêu"]} == {c: (r["reached"], r["ahead"]) for c, r in by_mart.items()}


@pytest.mark.parametrize("case", ["as_reported", "2025"])
def test_antt_per_province_and_per_month(books, db, case):
    basis = CASES[case][0]
    sheet = books[case].book["ANTT"]
    values = indicators(db, basis)
    rows = table(sheet, "ANTTTheoTinh")
    assert [r["Mã tỉnh"] for r in rows] == sorted(provinces(db, basis))
    for row in rows:
        for header, indicator in SECURITY.items():
            assert same(row[header], values.get((row["Mã tỉnh"], indicator))), (row["Mã tỉnh"], header)
    first, last = window(db, "02")
    months = sql(db, f"select * from mart.national_security_activity where admin_era = 'pre2025'"
                     f" and period_start between '{first}' and '{last}' order by period_start")
    written = table(sheet, "ANTTTheoThang")
    assert len(written) == len(months)
    for row, month in zip(written, months, strict=True):
        assert same(row["Tháng"], month["period_start"])
        assert row["Tháng"].month == month["period_start"].month
        for header, measure in SECURITY.items():
            assert same(row[header], month[measure]), (month["period_start"], header)


@pytest.mark.parametrize("case", ["as_reported", "2025"])
def test_khen_thuong_per_province_and_level(books, db, case):
    basis = CASES[case][0]
    sheet = books[case].book["Khen thưởng"]
    first, last = window(db, "04")
    per_level = sql(db, f"""
        with b as ({ON_BASIS[basis]})
        select b.new as province_code, level, sum(collectives) as collectives, sum(individuals) as individuals
        from mart.commendations c join b on b.old = c.province_code
        where c.admin_era = 'pre2025' and period_start between '{first}' and '{last}' group by all""")
    rows = {r["Mã tỉnh"]: r for r in table(sheet, "KhenThuongTheoTinh")}
    assert set(rows) == set(provinces(db, basis))
    for r in per_level:
        row = rows[r["province_code"]]
        assert row[f"{r['level']}: tập thể"] == r["collectives"], r
        assert row[f"{r['level']}: cá nhân"] == r["individuals"], r
    values = indicators(db, basis)
    for code, row in rows.items():
        for header, indicator in COMMENDATIONS.items():
            assert same(row[header], values.get((code, indicator))), (code, header)
    national = {r["level"]: r for r in sql(db, f"""
        select level, sum(collectives) as collectives, sum(individuals) as individuals from mart.national_commendations
        where admin_era = 'pre2025' and period_start between '{first}' and '{last}' group by all""")}
    written = {r["Cấp khen thưởng"]: r for r in table(sheet, "KhenThuongTheoCap")}
    assert {lv: (r["Tập thể được khen thưởng"], r["Cá nhân được khen thưởng"]) for lv, r in written.items()} == \
        {lv: (r["collectives"], r["individuals"]) for lv, r in national.items()}


@pytest.mark.parametrize("case", ["as_reported", "2025"])
def test_chat_luong_bao_cao_reports_and_submissions(books, db, case):
    sheet = books[case].book["Chất lượng báo cáo"]
    expected = reports(db)
    titles = {"01": "Biểu 01 - Bố trí CA chính quy", "02": "Biểu 02 - Tình hình ANTT",
              "03": "Biểu 03 - Thu nhận hồ sơ CCCD", "04": "Biểu 04 - Khen thưởng"}
    written = table(sheet, "TinhTrangBaoCao")
    monthly = {(r["Biểu"], r["Mã tỉnh"], r["Từ ngày"].date()): r for r in written if r["Biểu"] != titles["03"]}
    daily = {r["Mã tỉnh"]: r for r in written if r["Biểu"] == titles["03"]}
    assert len(monthly) + len(daily) == len(written)
    expected_monthly = [r for r in expected if r["sheet"] != "03"]
    assert len(monthly) == len(expected_monthly)
    for r in expected_monthly:
        row = monthly[(titles[r["sheet"]], r["province_code"], r["period_start"])]
        assert row["Tình trạng"] == STATUS[r["status"]] and row["Số kỳ"] == 1
        assert row[{"on_time": "Đúng hạn", "late": "Muộn", "missing": "Thiếu", "rejected": "Bị từ chối"}[
            r["status"]]] == 1
        assert same(row["Hạn nộp"], r["due_date"]) and row["Nhận lần đầu"] == r["received_at"]
        assert row["Tên tỉnh"] == r["province_name"]
    days = [r for r in expected if r["sheet"] == "03"]
    assert set(daily) == {r["province_code"] for r in days}
    for code, row in daily.items():
        mine = [r for r in days if r["province_code"] == code]
        assert row["Số kỳ"] == len(mine)
        for status, header in (("on_time", "Đúng hạn"), ("late", "Muộn"), ("missing", "Thiếu"),
                               ("rejected", "Bị từ chối")):
            assert row[header] == sum(r["status"] == status for r in mine), (code, status)
        assert same(row["Từ ngày"], min(r["period_start"] for r in mine))
        assert same(row["Hạn nộp"], max(r["due_date"] for r in mine))
    first = min(r["period_start"] for r in expected)
    last = max(r["period_end"] for r in expected)
    submissions = sql(db, f"""
        select * from audit.submission
        where coalesce(period_start, received_at::date) <= '{last}'
          and coalesce(period_end, received_at::date) >= '{first}'""")
    assert any(s["status"] == "rejected" for s in submissions)  # the sample's broken files are listed

    def key(r: dict) -> tuple:
        return r["file_name"], r["sheet"], r["status"], r["rows_read"], r["rows_loaded"], r["rows_quarantined"], \
            r["warnings"], r["reason"] or None, r["province_code"]

    assert sorted(map(key, ({"file_name": r["Tệp"], "sheet": r["Trang tính"],
                             "status": next(k for k, v in SUBMISSION_STATUS.items() if v == r["Kết quả"]),
                             "rows_read": r["Số dòng đọc"], "rows_loaded": r["Số dòng đã nạp"],
                             "rows_quarantined": r["Số dòng bị loại"], "warnings": r["Cảnh báo"],
                             "reason": r["Lý do"], "province_code": r["Mã tỉnh"]}
                            for r in table(sheet, "TepDaNhan"))), key=str) == sorted(map(key, submissions), key=str)


# --- the chart -----------------------------------------------------------------------------------


def charts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        return [archive.read(n).decode("utf-8") for n in sorted(names, key=lambda n: int(re.sub(r"\D", "", n)))]


def series_refs(chart: str) -> list[tuple[str, str, str]]:
    """(name, categories, values) references of each series of a chart's XML."""
    return re.findall(r"<c:ser>.*?<c:tx><c:strRef><c:f>(.*?)</c:f>.*?<c:cat><c:numRef><c:f>(.*?)</c:f>.*?"
                      r"<c:val><c:numRef><c:f>(.*?)</c:f>", chart, re.S)


def resolve(book, ref: str) -> list:
    """The cells a chart's reference ('Sheet'!$A$2:$A$62, or one cell) points at."""
    sheet, cells = ref.rsplit("!", 1)
    found = book[sheet.strip("'")][cells.replace("$", "")]
    return [c for row in found for c in row] if isinstance(found, tuple) else [found]


def test_the_chart_of_hai_duong_plots_its_days_against_its_target(books, db):
    book, path = books["hai_duong"].book, books["hai_duong"].path
    (chart,) = charts(path)
    assert "<c:lineChart>" in chart
    series = series_refs(chart)
    assert len(series) == 2
    daily = sql(db, f"""select report_date, cumulative_applications, target from mart.id_card_progress
                        where province_code = '30' and admin_era = 'pre2025' and report_date <= '{AS_OF}'
                        order by report_date""")
    for (name, categories, values), column in zip(series, ("cumulative_applications", "target"), strict=True):
        assert all(ref.startswith(f"'{CHART_DATA}'!") for ref in (name, categories, values))
        assert "Hải Dương" in resolve(book, name)[0].value
        dates = resolve(book, categories)
        assert all(d.is_date for d in dates)  # real Excel dates, not text
        assert [d.value.date() for d in dates] == [r["report_date"] for r in daily]
        assert [c.value for c in resolve(book, values)] == [r[column] for r in daily]


@pytest.mark.parametrize("case", ["as_reported", "2025"])
def test_without_provinces_the_charts_show_the_ten_largest_targets(books, db, case):
    book, path = books[case].book, books[case].path
    found = charts(path)
    assert len(found) == 10 and all("<c:lineChart>" in c for c in found)
    names = [resolve(book, series_refs(c)[0][0])[0].value for c in found]
    largest = sorted(milestones(db, CASES[case][0]).items(), key=lambda kv: (-kv[1]["target"], kv[0]))[:10]
    basis_names = provinces(db, CASES[case][0])
    assert names == [f"{basis_names[code]}: lũy kế" for code, _ in largest]
