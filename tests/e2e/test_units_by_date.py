"""Units as they were on the report's date (issue 10), through whole nights on workbooks built here:
a report resolves against the unit list in force on its as-of date, a name of another date's list
says so, and the 2025 basis follows the crosswalks.

Expected values come from the committed lists read here with gzip and csv, and from examples
checked by hand in those files and in vietnamadminunits' dataset.db and converter_2025.json (the
comments say how), never from the warehouse itself.
"""

from __future__ import annotations

import csv
import gzip
from datetime import date, datetime
from pathlib import Path

import pytest

from etl.pipeline import run_night
from tests.builders import arrive, make_settings, query
from tests.builders import query_frame as _frame
from tests.builders import write_workbook as _write

pytestmark = pytest.mark.e2e

LISTS = Path(__file__).resolve().parents[2] / "reference" / "unit_lists"
HAI_DUONG_TITLE, HAI_PHONG_TITLE = "CÔNG AN TỈNH HẢI DƯƠNG", "CÔNG AN THÀNH PHỐ HẢI PHÒNG"
HEADER_2021 = ["STT", "Huyện", "Xã, thị trấn", "Số CA chính quy"]
HEADER_2026 = ["STT", "Xã, phường, đặc khu", "Số CA chính quy"]
CUTOFF = datetime(2026, 4, 1, 1, 0)

# Checked by hand in reference/unit_lists/units_*.csv.gz (zcat | grep), Hải Dương (30):
# 11155 'Thị trấn Ninh Giang' (Huyện Ninh Giang, 299) is in the lists of 2020, 2021 and 2023 and not
# in that of 4/1/2025, whose 'Thị trấn Ninh Giang' is 11203 (in 2021 'Xã Đồng Tâm', 299): merged in
# 2024 into 11203. In dataset.db, admin_units_legacy has 11203 'Thị trấn Ninh Giang' (30), and
# converter_2025.json maps tinhhaiduong_huyenninhgiang_thitranninhgiang (and ..._xahongdu) to
# thanhphohaiphong/xaninhgiang, which admin_units codes 11203 'Xã Ninh Giang' of Hải Phòng (31).
NINH_GIANG_TOWN_2021 = "11155"
DONG_TAM_2021 = "11203"
HONG_DU = "11215"  # 'Xã Hồng Dụ' (299): in every list up to 30/6/2025, under its code, then in Xã Ninh Giang
NINH_GIANG_2025 = ("11203", "Xã Ninh Giang")
# 10852 'Xã Thanh Xá' (Huyện Thanh Hà, 294): in the lists of 2020, 2021 and 2023, in none after,
# and no unit of Hải Dương or Hải Phòng in a later list (nor in admin_units) bears its name.
THANH_XA = "10852"
# 10861 keeps its code and is renamed: 'Xã Thanh Thủy' (294) in the lists of 2020, 2021 and 2023,
# 'Xã Thanh Tân' (294) in that of 4/1/2025 and in admin_units_legacy; neither name is in the other
# lists of Hải Dương. converter_2025.json: tinhhaiduong_huyenthanhha_xathanhtan -> xathanhha, coded
# 10813 'Xã Thanh Hà' (31) in admin_units.
THANH_THUY_THANH_TAN = "10861"
THANH_HA_2025 = "10813"


def _staffing(folder: Path, name: str, title: str, rows: list[tuple[str, str, int]],
              province: str = HAI_DUONG_TITLE) -> Path:
    """A sheet 01 of a province: (district, commune, officers) rows; district '' for the 34-province era."""
    body: list[list[object]]
    if all(not district for district, _, _ in rows):
        body = [[i + 1, commune, officers] for i, (_, commune, officers) in enumerate(rows)]
        header: list[object] = list(HEADER_2026)
    else:
        body = [[i + 1, district, commune, officers] for i, (district, commune, officers) in enumerate(rows)]
        header = list(HEADER_2021)
    return _write(folder / name, [[province], [title], header, *body], "Biểu 01")


def _quarantine(warehouse: Path, file_name: str) -> dict[str, tuple[str, str]]:
    rows = query(warehouse, f"select value, rule, message_vi from audit.quarantine where file_name = '{file_name}'")
    assert len({value for value, _, _ in rows}) == len(rows), rows  # one entry per unresolved name
    return {value: (rule, message) for value, rule, message in rows}


def _loaded(warehouse: Path, as_of: date) -> set[tuple[str, str, int]]:
    """(unit code, unit list, officers) of the staffing facts of a snapshot."""
    return set(query(warehouse, f"""select unit_code, unit_list, officers from dw.fact_commune_staffing
                                     where as_of_date = date '{as_of}'"""))


# --- Done when: Hải Dương, April 2021, the 188 xã and thị trấn of its time ---------------------------

def _hai_duong_2021() -> list[dict[str, str]]:
    with gzip.open(LISTS / "units_2021-02-03.csv.gz", "rt", encoding="utf-8", newline="") as f:
        return [u for u in csv.DictReader(f) if u["province_code"] == "30" and u["type"] in ("xã", "thị trấn")]


@pytest.fixture(scope="module")
def april_2021(tmp_path_factory):
    root = tmp_path_factory.mktemp("april_2021")
    landing = root / "landing"
    landing.mkdir()
    units = _hai_duong_2021()
    rows = [(u["district_name"], u["name"], 5) for u in units]
    arrive(_staffing(landing, "hai_duong_t4_2021.xlsx", "Tháng 4 năm 2021 (Số liệu tính đến ngày 23/4/2021)", rows),
           2021, 4, 24, 9)
    settings = make_settings(root)
    return settings, units, run_night([landing], settings, cutoff=CUTOFF)


def test_hai_duong_april_2021_loads_its_188_communes_without_quarantine(april_2021):
    settings, units, result = april_2021
    assert len(units) == 188  # "188/188 xã, thị trấn" (the Ministry's article)
    assert [o.status for o in result.outcomes] == ["loaded"] and result.exit_code == 0
    assert query(settings.published, "select count(*) from audit.quarantine") == [(0,)]
    assert query(settings.published, "select rows_read, rows_loaded, rows_quarantined from audit.submission") == [
        (188, 188, 0)]
    loaded = _loaded(settings.published, date(2021, 4, 23))
    assert {code for code, _, _ in loaded} == {u["unit_code"] for u in units}
    assert {(unit_list, officers) for _, unit_list, officers in loaded} == {("2021-02-03", 5)}


def test_hai_duong_april_2021_is_188_of_188_staffed_940_officers_100_percent(april_2021):
    settings, _, _ = april_2021
    assert query(settings.published, """
        select province_code, communes_in_scope, communes_staffed, officers, coverage_pct, unit_list
        from mart.staffing_by_province where as_of_date = date '2021-04-23'""") == [
        ("30", 188, 188, 940, 100.0, "2021-02-03")]


# --- One night of reports of several dates --------------------------------------------------------

MAY_2021, JUNE_2023, DEC_2024, FEB_2025, MARCH_2026, DEC_2019 = (
    date(2021, 5, 20), date(2023, 6, 20), date(2025, 1, 4), date(2025, 2, 20), date(2026, 3, 20), date(2019, 12, 20))


@pytest.fixture(scope="module")
def dated_night(tmp_path_factory):
    root = tmp_path_factory.mktemp("dated")
    landing = root / "landing"
    landing.mkdir()
    ninh_giang, thanh_ha = "Huyện Ninh Giang", "Huyện Thanh Hà"
    files = [
        ("hd_2021_05.xlsx", "Tháng 5 năm 2021 (Số liệu tính đến ngày 20/5/2021)", MAY_2021, HAI_DUONG_TITLE, [
            (ninh_giang, "Thị trấn Ninh Giang", 7), (ninh_giang, "Xã Đồng Tâm", 3), (ninh_giang, "Xã Hồng Dụ", 11),
            (thanh_ha, "Xã Thanh Xá", 2), (thanh_ha, "Xã Thanh Thủy", 6)]),
        ("hd_2023_06.xlsx", "Tháng 6 năm 2023 (Số liệu tính đến ngày 20/6/2023)", JUNE_2023, HAI_DUONG_TITLE, [
            (thanh_ha, "Xã Thanh Thủy", 4), (thanh_ha, "Xã Thanh Tân", 1)]),
        # December 2024, as of 4/1/2025: the one day the GSO export of 4/1/2025 is in force.
        ("hd_2024_12.xlsx", "Tháng 12 năm 2024 (Số liệu tính đến ngày 4/1/2025)", DEC_2024, HAI_DUONG_TITLE, [
            (thanh_ha, "Xã Thanh Tân", 8), (thanh_ha, "Xã Thanh Thủy", 9)]),
        ("hd_2025_02.xlsx", "Tháng 2 năm 2025 (Số liệu tính đến ngày 20/2/2025)", FEB_2025, HAI_DUONG_TITLE, [
            (thanh_ha, "Xã Thanh Tân", 5), (thanh_ha, "Xã Thanh Thủy", 2)]),
        ("hp_2026_03.xlsx", "Tháng 3 năm 2026 (Số liệu tính đến ngày 20/3/2026)", MARCH_2026, HAI_PHONG_TITLE, [
            ("", "Xã Ninh Giang", 10), ("", "Thị trấn Ninh Giang", 5), ("", "Xã Hồng Dụ", 3), ("", "Xã Thanh Xá", 2)]),
    ]
    for name, title, as_of, province, rows in files:
        arrive(_staffing(landing, name, title, rows, province), as_of.year, as_of.month, as_of.day, 18)
    settings = make_settings(root)
    result = run_night([landing], settings, cutoff=CUTOFF)
    return settings, result


def test_every_dated_report_loads(dated_night):
    settings, result = dated_night
    assert len(result.outcomes) == 5
    assert {o.status for o in result.outcomes} <= {"loaded", "loaded_with_errors"}
    statuses = dict(query(settings.published, "select file_name, status from audit.submission"))
    assert set(statuses) == {"hd_2021_05.xlsx", "hd_2023_06.xlsx", "hd_2024_12.xlsx", "hd_2025_02.xlsx",
                             "hp_2026_03.xlsx"}


def test_a_2021_report_naming_a_commune_merged_in_2024_loads_and_counts_it(dated_night):
    settings, _ = dated_night
    assert _quarantine(settings.published, "hd_2021_05.xlsx") == {}
    assert _loaded(settings.published, MAY_2021) == {
        (NINH_GIANG_TOWN_2021, "2021-02-03", 7), (DONG_TAM_2021, "2021-02-03", 3), (HONG_DU, "2021-02-03", 11),
        (THANH_XA, "2021-02-03", 2), (THANH_THUY_THANH_TAN, "2021-02-03", 6)}
    assert query(settings.published, f"""
        select communes_in_scope, communes_staffed, officers, unit_list from mart.staffing_by_province
        where as_of_date = date '{MAY_2021}'""") == [(188, 5, 29, "2021-02-03")]


GONE_IN_2026 = {
    # The last list holding 'Thị trấn Ninh Giang' is vietnamadminunits' list of 30/6/2025 (as 11203),
    # which the official crosswalk puts into Xã Ninh Giang, keeping the code 11203: it is now that unit.
    "Thị trấn Ninh Giang": "có trong danh mục ngày 30/06/2025, nay là Xã Ninh Giang (11203)",
    # Hồng Dụ (11215), another code, was merged into it.
    "Xã Hồng Dụ": "có trong danh mục ngày 30/06/2025, đã nhập vào Xã Ninh Giang (11203)",
    # The last list with 'Xã Thanh Xá' is that of 7/5/2023; the crosswalk does not know where it went.
    "Xã Thanh Xá": "có trong danh mục ngày 07/05/2023",
}


@pytest.mark.parametrize("name", sorted(GONE_IN_2026))
def test_a_name_gone_by_2025_is_quarantined_in_2026_naming_what_it_became_where_known(dated_night, name):
    settings, _ = dated_night
    found = _quarantine(settings.published, "hp_2026_03.xlsx")
    assert set(found) == set(GONE_IN_2026)
    assert found[name] == ("unit_gone_from_list", f"Đơn vị '{name}' không còn trong danh mục ngày 01/07/2025 "
                                                  f"(danh mục áp dụng cho ngày báo cáo); {GONE_IN_2026[name]}")
    assert _loaded(settings.published, MARCH_2026) == {(NINH_GIANG_2025[0], "2025-07-01", 10)}


def test_a_renamed_unit_resolves_by_each_name_in_its_own_time(dated_night):
    settings, _ = dated_night
    # The old name in the old lists' time, the new name in the new lists' time: one code.
    assert _loaded(settings.published, JUNE_2023) == {(THANH_THUY_THANH_TAN, "2023-05-07", 4)}
    assert _loaded(settings.published, DEC_2024) == {(THANH_THUY_THANH_TAN, "2025-01-04", 8)}
    assert _loaded(settings.published, FEB_2025) == {(THANH_THUY_THANH_TAN, "2025-06-30", 5)}
    assert (THANH_THUY_THANH_TAN, "2021-02-03", 6) in _loaded(settings.published, MAY_2021)


def test_a_renamed_unit_by_its_old_name_in_the_new_time_is_gone_from_the_list(dated_night):
    settings, _ = dated_night
    for file_name, in_force in (("hd_2024_12.xlsx", "04/01/2025"), ("hd_2025_02.xlsx", "30/06/2025")):
        found = _quarantine(settings.published, file_name)
        assert set(found) == {"Xã Thanh Thủy"}, file_name
        rule, message = found["Xã Thanh Thủy"]
        assert rule == "unit_gone_from_list"
        assert message.startswith(f"Đơn vị 'Xã Thanh Thủy' không còn trong danh mục ngày {in_force} (danh mục áp "
                                  "dụng cho ngày báo cáo); có trong danh mục ngày 07/05/2023"), message
        assert "Xã Thanh Tân (10861)" in message  # the crosswalk knows what it became


def test_a_renamed_unit_by_its_new_name_in_the_old_time_is_not_yet_in_the_list(dated_night):
    settings, _ = dated_night
    found = _quarantine(settings.published, "hd_2023_06.xlsx")
    assert found == {"Xã Thanh Tân": ("unit_not_yet_in_list", "Đơn vị 'Xã Thanh Tân' chưa có trong danh mục ngày "
                                      "07/05/2023 (danh mục áp dụng cho ngày báo cáo); có từ danh mục ngày 04/01/2025")}


def test_a_merged_2021_commune_is_counted_in_its_2025_commune(dated_night):
    settings, _ = dated_night
    rows = _frame(settings.published, f"""
        select admin_era, province_code, unit_code, unit_name, officers, comparability, unit_list
        from mart.staffing_by_commune where boundary_basis = '2025' and as_of_date = date '{MAY_2021}'""")
    by_code = {r.unit_code: r for r in rows.itertuples()}
    assert set(by_code) == {NINH_GIANG_2025[0], THANH_HA_2025, THANH_XA}
    # Thị trấn Ninh Giang (7), Xã Đồng Tâm (3) and Xã Hồng Dụ (11) of 2021 are all in Xã Ninh Giang.
    ninh_giang = by_code[NINH_GIANG_2025[0]]
    assert (ninh_giang.province_code, ninh_giang.unit_name, ninh_giang.officers, ninh_giang.comparability) == (
        "31", NINH_GIANG_2025[1], 21, "exact")
    thanh_ha = by_code[THANH_HA_2025]
    assert (thanh_ha.province_code, thanh_ha.officers, thanh_ha.comparability) == ("31", 6, "exact")
    # Xã Thanh Xá (10852 of 2021): counted in Hải Phòng as itself (unmapped), never guessed into a 2025 commune.
    unmapped = by_code[THANH_XA]
    assert (unmapped.admin_era, unmapped.province_code, unmapped.unit_name, unmapped.officers,
            unmapped.comparability) == ("pre2025", "31", "Xã Thanh Xá", 2, "unmapped")


def test_a_report_before_the_oldest_list_resolves_against_it_and_says_so(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    arrive(_staffing(landing, "hd_2019_12.xlsx", "Tháng 12 năm 2019 (Số liệu tính đến ngày 20/12/2019)", [
        ("Huyện Ninh Giang", "Thị trấn Ninh Giang", 4), ("Huyện Thanh Hà", "Xã Thanh Thủy", 1)]), 2019, 12, 21, 9)
    settings = make_settings(tmp_path)
    result = run_night([landing], settings, cutoff=CUTOFF)
    assert [o.status for o in result.outcomes] == ["loaded"]
    assert _quarantine(settings.published, "hd_2019_12.xlsx") == {}
    assert _loaded(settings.published, DEC_2019) == {(NINH_GIANG_TOWN_2021, "2020-02-25", 4),
                                                     (THANH_THUY_THANH_TAN, "2020-02-25", 1)}
    warnings = query(settings.published, "select file_name, rule, message_vi from audit.warning")
    assert [(f, r) for f, r, _ in warnings] == [("hd_2019_12.xlsx", "report_before_oldest_unit_list")]
    assert "20/12/2019" in warnings[0][2] and "25/02/2020" in warnings[0][2]
    assert query(settings.published, "select warnings from audit.submission") == [(1,)]
