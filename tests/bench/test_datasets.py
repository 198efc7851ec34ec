"""The benchmark's generated workbooks (bench/datasets.py) on tiny sizes: each kind read back by the
extractor with every row it should hold and no rejection, the expected rows counted from the unit
lists themselves; the template writer's files read by openpyxl too; a week made of the year's own
bytes, with its nights; the resent file its original but for one figure."""

from __future__ import annotations

import hashlib
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from etl import reference
from etl.clock import VIETNAM
from etl.discover import identify
from etl.extract.submission import extract_workbook

pytestmark = pytest.mark.unit

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.append(str(BENCH))  # appended: bench/'s script modules never shadow an installed package

import datasets  # noqa: E402

LIST_2022 = "2021-02-03"  # in force from 3/2/2021 to 6/5/2023 (reference/unit_lists/EVIDENCE.md)
LIST_2026 = "2025-07-01"


def _districts(province_code: str) -> set[str]:
    units = reference.in_force(LIST_2022, "district")
    return set(units[units.province_code == province_code].unit_code)


def _communes_2026(province_code: str) -> set[str]:
    units = reference.communes(reference.ERA2025, province_code, in_scope_only=True, on=LIST_2026)
    return set(units.unit_code)


def _read(path: Path):
    """The one submission the extractor reads from ``path``, after checking nothing was refused."""
    extract = extract_workbook(identify(path), cutoff=datetime(2027, 1, 1, tzinfo=VIETNAM))
    assert extract.rejection is None and not extract.sheet_rejections, path.name
    (submission,) = extract.submissions
    rows = submission.table.rows
    assert rows.row_problem.isna().all() and rows.unit_code.notna().all(), path.name
    assert submission.reconciliation() == [], "the total row adds up the rows"
    return submission, rows


def test_backfill_workbooks_hold_each_district_of_their_day(tmp_path):
    landing = datasets.backfill_year(tmp_path, provinces=2, days=2)
    provinces = sorted(reference.provinces(reference.PRE2025, on=LIST_2022).unit_code)[:2]  # '01' Hà Nội, '02' Hà Giang
    expected_rows = sum(len(_districts(code)) for code in provinces) * 2
    assert (landing.workbooks, landing.data_rows) == (4, expected_rows)
    files = sorted(landing.path.iterdir())
    assert len(files) == 4
    for path in files:
        submission, rows = _read(path)
        day = date(2022, 1, 1) if "_01.01.2022" in path.name else date(2022, 1, 2)
        assert (submission.spec.code, submission.admin_era, submission.unit_list) == ("03", "pre2025", LIST_2022)
        assert (submission.period_start, submission.period_end) == (day, day)
        assert sorted(rows.unit_code) == sorted(_districts(submission.province_code))
        assert submission.province_code in provinces
        assert submission.target is not None and submission.target[1] == date(2022, 12, 31) and submission.target[0] > 0
        assert rows.applications.between(0, 2000).all()
        received = datetime.fromtimestamp(path.stat().st_mtime, VIETNAM)
        assert received.date() == day and received.hour >= 17, "sent on the evening of its day"


def test_a_day_is_the_same_bytes_whatever_else_is_generated(tmp_path):
    one = datasets.backfill_year(tmp_path / "a", provinces=1, days=1)
    two = datasets.backfill_year(tmp_path / "b", provinces=1, days=2)
    (first,) = one.path.iterdir()
    assert (two.path / first.name).read_bytes() == first.read_bytes()
    again = datasets.backfill_year(tmp_path / "a", provinces=1, days=1)  # cached: returned at once, not rewritten
    assert again == one and first.stat().st_mtime_ns == (one.path / first.name).stat().st_mtime_ns


def test_the_template_writer_is_a_workbook_openpyxl_reads(tmp_path):
    landing = datasets.backfill_year(tmp_path, provinces=1, days=1)
    (path,) = landing.path.iterdir()
    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "Biểu 03 - Thu nhận hồ sơ CCCD"
    assert [sheet.cell(r, 1).value for r in (1, 2, 3)] == ["BỘ CÔNG AN", "CÔNG AN THÀNH PHỐ HÀ NỘI",
                                                             "BÁO CÁO TIẾN ĐỘ THU NHẬN HỒ SƠ CCCD"]
    assert "A3:C3" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.cell(6, 2).value == "Huyện, thị xã, thành phố"
    assert sheet.cell(7, 1).value == datetime(2022, 1, 1) and sheet.cell(7, 1).number_format == "dd/mm/yyyy"
    names = reference.in_force(LIST_2022, "district")
    assert sheet.cell(7, 2).value in set(names[names.province_code == "01"].name), "named as the list writes it"
    last = sheet.max_row
    assert sheet.cell(last, 1).value == "Tổng cộng"
    assert sheet.cell(last, 3).value == sum(sheet.cell(r, 3).value for r in range(7, last))


def test_week_links_the_first_seven_days_and_names_their_nights(tmp_path):
    landing, nights = datasets.week(tmp_path, provinces=1)
    files = sorted(landing.path.iterdir())
    assert landing.workbooks == len(files) == 7
    assert landing.data_rows == 7 * len(_districts("01"))
    source = tmp_path / f"backfill_2022-v{datasets.VERSION}-1p-7d" / "landing"
    for path in files:
        assert path.stat().st_ino == (source / path.name).stat().st_ino, "a hard link to the backfill's file"
    assert nights == [datetime(2022, 1, d, 1, 0, tzinfo=VIETNAM) for d in range(2, 9)]
    for path, night in zip(files, nights, strict=True):  # each day's file arrives before its night's cut-off
        received = datetime.fromtimestamp(path.stat().st_mtime, VIETNAM)
        assert night - timedelta(hours=8) < received < night


def test_the_national_daily_workbook_has_each_commune_each_day_of_october(tmp_path):
    province = min(datasets.national_provinces(), key=lambda p: len(p.communes))
    path, data_rows = datasets.write_national_daily(tmp_path, province)
    communes = _communes_2026(province.code)
    assert data_rows == 31 * len(communes)
    submission, rows = _read(path)
    assert (submission.admin_era, submission.unit_list, submission.province_code) == ("2025", LIST_2026, province.code)
    assert (submission.period_start, submission.period_end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert len(rows) == data_rows and set(rows.unit_code) == communes
    assert rows.groupby("unit_code").report_date.nunique().eq(31).all()
    assert rows.applications.between(0, 300).all()
    received = datetime.fromtimestamp(path.stat().st_mtime, VIETNAM)
    assert received.date() == date(2026, 10, 31) and received < datasets.national_cutoff()


def test_the_resent_workbook_changes_one_figure_of_its_original(tmp_path):
    resent = datasets.resent(tmp_path / "cache")
    original, _ = datasets.write_national_daily(tmp_path, datasets.national_provinces(1)[0])
    assert hashlib.sha256(resent.read_bytes()).digest() != hashlib.sha256(original.read_bytes()).digest()
    assert resent.stat().st_mtime > datasets.national_cutoff().timestamp() > original.stat().st_mtime
    (sent, before), (again, after) = _read(original), _read(resent)
    assert (sent.province_code, sent.spec.code, sent.period_start, sent.period_end) == \
        (again.province_code, again.spec.code, again.period_start, again.period_end)
    key = ["unit_code", "report_date"]
    joined = before[[*key, "applications"]].merge(after[[*key, "applications"]], on=key, suffixes=("", "_resent"))
    assert len(joined) == len(before) == len(after)
    changed = joined[joined.applications != joined.applications_resent]
    assert len(changed) == 1 and changed.iloc[0].report_date == date(2026, 10, 15)
