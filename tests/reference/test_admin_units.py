"""Reference units against the package's own data, counted independently with sqlite3."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import vietnamadminunits

from etl import reference

pytestmark = pytest.mark.unit

DB = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"


def _count(sql: str) -> int:
    with sqlite3.connect(DB) as con:
        return con.execute(sql).fetchone()[0]


def test_counts_match_the_package():
    units = reference.admin_units()
    by = units.groupby(["admin_era", "level"]).size().to_dict()
    assert by[("pre2025", "province")] == _count("select count(distinct provinceCode) from admin_units_legacy") == 63
    assert by[("pre2025", "district")] == _count("select count(distinct districtCode) from admin_units_legacy")
    assert by[("pre2025", "commune")] == _count("select count(*) from admin_units_legacy where wardCode is not null")
    assert by[("2025", "province")] == _count("select count(distinct provinceCode) from admin_units") == 34
    assert by[("2025", "commune")] == _count("select count(*) from admin_units") == 3321
    assert ("2025", "district") not in by


def test_scope_follows_the_era():
    units = reference.admin_units()
    pre = units[(units.admin_era == "pre2025") & units.is_in_scope]
    assert len(pre) == _count("select count(*) from admin_units_legacy where wardType in ('Xã', 'Thị trấn')")
    assert set(pre.unit_type) == {"xã", "thị trấn"}
    new = units[(units.admin_era == "2025") & units.is_in_scope]
    assert set(new.unit_type) == {"xã", "phường", "đặc khu"} and len(new) == 3321


def test_codes_are_zero_padded_text():
    units = reference.admin_units()
    widths = {"province": 2, "district": 3, "commune": 5}
    for level, width in widths.items():
        codes = units[units.level == level].unit_code
        assert codes.str.fullmatch(rf"\d{{{width}}}").all(), level
    assert "00001" in set(units.unit_code)


def test_crosswalk_covers_every_old_commune_within_one_new_province():
    walk = reference.crosswalk()
    assert len(walk) == _count("select count(*) from admin_units_legacy where wardCode is not null")
    new_codes = set(reference.communes("2025").unit_code)
    assert set(walk.new_commune_code) <= new_codes
    # No old province is split across new ones: province-level re-aggregation is exact.
    assert walk.groupby("old_province_code").new_province_code.nunique().max() == 1
    # Hải Dương (30) became part of the new Hải Phòng (31).
    assert set(walk[walk.old_province_code == "30"].new_province_code) == {"31"}
    assert walk.is_approximate.any() and not walk.is_approximate.all()


@pytest.mark.parametrize(("text", "era", "code"), [
    ("CÔNG AN TỈNH HẢI DƯƠNG", "pre2025", "30"),
    ("CONG AN TINH BA RIA - VUNG TAU", "pre2025", "77"),
    ("Công an Thành phố Hồ Chí Minh", "pre2025", "79"),
    ("CÔNG AN TỈNH THỪA THIÊN HUẾ", "pre2025", "46"),
    ("30_hai_duong_T04-2021.xlsx", "pre2025", "30"),
    ("CÔNG AN TỈNH BẮC NINH", "2025", "24"),
    ("CÔNG AN TỈNH KHÔNG CÓ", "pre2025", None),
])
def test_find_province(text, era, code):
    assert reference.find_province(text, era) == code


def test_era_switch():
    from datetime import date

    assert reference.era_of(date(2025, 6, 30)) == "pre2025"
    assert reference.era_of(date(2025, 7, 1)) == "2025"
