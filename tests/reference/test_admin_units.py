"""Reference units as a history of dated lists (issue 10), against the sources themselves: the
committed GSO lists (reference/unit_lists/*.csv.gz, read here with gzip and csv) and the data of
vietnamadminunits (its sqlite database and its official 2025 crosswalk, read here directly).
Every expected count is computed from those files, never from ``etl.reference``."""

from __future__ import annotations

import csv
import gzip
import json
import sqlite3
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
import vietnamadminunits

from etl import reference

pytestmark = pytest.mark.unit

DATA = Path(vietnamadminunits.__file__).parent / "data"
DB = DATA / "dataset.db"
LISTS = Path(__file__).resolve().parents[2] / "reference" / "unit_lists"
PROVENANCE = json.loads((LISTS / "provenance.json").read_text(encoding="utf-8"))
COMMITTED = {entry["data_date"]: entry["file"] for entry in PROVENANCE["lists"]}
# The two lists of vietnamadminunits: the eve of the reform (in force from the day after the GSO
# export of 4 January 2025, reference/unit_lists/EVIDENCE.md) and the 34 provinces of 1 July 2025.
EVE, REFORM = "2025-06-30", "2025-07-01"
EVE_VALID_FROM = date(2025, 1, 5)
LIST_IDS = [*sorted(COMMITTED), EVE, REFORM]
PRE2025_IN_SCOPE = {"xã", "thị trấn"}
HAI_DUONG = "30"
RELATIONS = {"same", "respelled", "renamed", "retyped", "moved", "merged_into", "divided", "unmapped"}


def _rows(sql: str) -> list[tuple]:
    with sqlite3.connect(f"file:{DB}?mode=ro", uri=True) as con:
        return con.execute(sql).fetchall()


def _count(sql: str) -> int:
    return _rows(sql)[0][0]


@cache
def _source(list_id: str) -> tuple[dict[str, str], ...]:
    """The commune-level units of one list as its source gives them: code, name, type (from the
    name's prefix, as the committed lists record it), district and province codes."""
    if list_id in COMMITTED:
        with gzip.open(LISTS / COMMITTED[list_id], "rt", encoding="utf-8", newline="") as f:
            return tuple(csv.DictReader(f))
    if list_id == EVE:
        rows = _rows("select wardCode, ward, districtCode, provinceCode from admin_units_legacy"
                     " where wardCode is not null")
    else:
        rows = _rows("select wardCode, ward, null, provinceCode from admin_units")
    prefixes = ("Thị trấn", "Phường", "Đặc khu", "Xã")
    return tuple({"unit_code": code, "name": name, "district_code": district, "province_code": province,
                  "type": next(p.lower() for p in prefixes if name.lower().startswith(p.lower() + " "))}
                 for code, name, district, province in rows)


def _island_districts() -> set[tuple[str, str]]:
    """(district, province) of the eve's districts without any commune-level unit."""
    return set(_rows("select distinct districtCode, provinceCode from admin_units_legacy where wardCode is null"))


def _valid_from(list_id: str) -> date:
    return EVE_VALID_FROM if list_id == EVE else date.fromisoformat(list_id)


# --- Each list, as the units in force ------------------------------------------------------------


@pytest.mark.parametrize("list_id", LIST_IDS)
def test_the_units_in_force_are_those_of_the_list(list_id):
    units = reference.in_force(list_id)
    source = _source(list_id)
    communes = units[units.level == "commune"]
    assert sorted(communes.unit_code) == sorted(u["unit_code"] for u in source)
    assert set(units[units.level == "province"].unit_code) == {u["province_code"] for u in source}
    assert len(units[units.level == "province"]) == (34 if list_id == REFORM else 63)
    districts = set(units[units.level == "district"].unit_code)
    if list_id == REFORM:
        assert districts == set()  # no districts from 1 July 2025
    else:
        provinces = {u["province_code"] for u in source}
        islands = {d for d, p in _island_districts() if p in provinces}
        assert districts == {u["district_code"] for u in source} | islands
    # A list is in force from its own date (the eve's from the day after the export of January 2025).
    assert reference.in_force(_valid_from(list_id), "commune").unit_code.sort_values().tolist() == sorted(
        communes.unit_code)


def test_eve_list_counts_match_the_package():
    units = reference.in_force(EVE)
    by = units.groupby("level").size().to_dict()
    assert by["province"] == _count("select count(distinct provinceCode) from admin_units_legacy") == 63
    assert by["district"] == _count("select count(distinct districtCode) from admin_units_legacy")
    assert by["commune"] == _count("select count(*) from admin_units_legacy where wardCode is not null")
    new = reference.in_force(REFORM).groupby("level").size().to_dict()
    assert new == {"province": _count("select count(distinct provinceCode) from admin_units"),
                   "commune": _count("select count(*) from admin_units")}
    assert new["commune"] == 3321


def test_a_day_before_the_oldest_list_is_said_to_be():
    oldest = min(COMMITTED)
    unit_list, before = reference.list_for(date.fromisoformat(oldest) - timedelta(days=1))
    assert unit_list.list_id == oldest and before
    unit_list, before = reference.list_for(date(2021, 4, 23))
    assert unit_list.list_id == "2021-02-03" and not before


# --- Versions ------------------------------------------------------------------------------------


def test_versions_of_one_unit_follow_each_other_without_overlap():
    units = reference.admin_units().sort_values(["level", "unit_code", "valid_from"])
    assert (units.valid_from <= units.valid_to).all()
    same = units.level.eq(units.level.shift(-1)) & units.unit_code.eq(units.unit_code.shift(-1))
    assert (units.valid_to[same] < units.valid_from.shift(-1)[same]).all()
    # Every commune code of every list has a version, and no other code has one.
    every_code = {u["unit_code"] for list_id in LIST_IDS for u in _source(list_id)}
    assert set(units[units.level == "commune"].unit_code) == every_code
    starts = {_valid_from(list_id) for list_id in LIST_IDS}
    assert set(units.valid_from) <= starts


def test_hai_duong_ninh_giang_through_the_lists():
    # Checked by hand in the csv.gz: Thị trấn Ninh Giang 11155 is in the lists of 2020, 2021 and
    # 2023, not in that of January 2025, where 'Thị trấn Ninh Giang' is 11203 (Xã Đồng Tâm of the
    # same district until 2023); the package's 2025 list has Xã Ninh Giang 11203 in Hải Phòng (31).
    units = reference.admin_units()
    communes = units[units.level == "commune"]
    town = communes[communes.unit_code == "11155"]
    assert len(town) == 1
    assert (town.name.iloc[0], str(town.first_list.iloc[0]), str(town.last_list.iloc[0])) == (
        "Thị trấn Ninh Giang", "2020-02-25", "2023-05-07")
    assert town.valid_to.iloc[0] == date(2025, 1, 3)  # the day before the list of 4 January 2025
    versions = communes[communes.unit_code == "11203"].sort_values("valid_from")
    assert list(versions.name) == ["Xã Đồng Tâm", "Thị trấn Ninh Giang", "Xã Ninh Giang"]
    assert list(versions.province_code) == ["30", "30", "31"]
    assert [str(d) for d in versions.first_list] == ["2020-02-25", "2025-01-04", "2025-07-01"]
    assert [str(d) for d in versions.last_list] == ["2023-05-07", EVE, "2025-07-01"]


# --- Scope ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("list_id", LIST_IDS)
def test_scope_follows_the_list_and_its_era(list_id):
    units = reference.in_force(list_id, "commune")
    in_scope = units[units.is_in_scope]
    source = _source(list_id)
    if list_id == REFORM:
        assert set(in_scope.unit_type) == {"xã", "phường", "đặc khu"} and len(in_scope) == len(source) == 3321
        expected = {u["unit_code"] for u in source}
    else:
        assert set(in_scope.unit_type) == PRE2025_IN_SCOPE
        expected = {u["unit_code"] for u in source if u["type"] in PRE2025_IN_SCOPE}
    assert set(in_scope.unit_code) == expected
    scope = reference.province_scope()
    scope = scope[scope.list_id == list_id]
    assert scope.communes_in_scope.sum() == len(expected)
    per_province = pd.Series([u["province_code"] for u in source if u["unit_code"] in expected]).value_counts()
    assert scope.set_index("province_code").communes_in_scope.to_dict() == {
        p: int(per_province.get(p, 0)) for p in {u["province_code"] for u in source}}


def test_eve_scope_takes_the_type_from_the_name():
    # The package types two phường of Hồ Chí Minh City (27046 Phường 5, 27076 Phường 15) as 'Xã':
    # the official full name decides, so they are not in the scope of the pre-2025 programme.
    by_type = {c for (c,) in _rows("select wardCode from admin_units_legacy where wardType in ('Xã', 'Thị trấn')")}
    by_name = {u["unit_code"] for u in _source(EVE) if u["type"] in PRE2025_IN_SCOPE}
    assert by_type - by_name == {"27046", "27076"} and by_name <= by_type
    units = reference.in_force(EVE, "commune")
    assert set(units[units.is_in_scope].unit_code) == by_name


def test_hai_duong_in_scope_on_dates():
    scope = reference.province_scope()
    hd = scope[scope.province_code == HAI_DUONG].set_index("list_id").communes_in_scope
    # "188/188 xã, thị trấn" (the Ministry's article, April 2021); 161 in the list of January 2025.
    for list_id, expected in (("2020-02-25", 188), ("2021-02-03", 188), ("2023-05-07", 188), ("2025-01-04", 161)):
        counted = sum(u["province_code"] == HAI_DUONG and u["type"] in PRE2025_IN_SCOPE for u in _source(list_id))
        assert hd[list_id] == counted == expected, list_id
    assert HAI_DUONG not in set(scope[scope.list_id == REFORM].province_code)


def test_codes_are_zero_padded_text():
    units = reference.admin_units()
    widths = {"province": 2, "district": 3, "commune": 5}
    for level, width in widths.items():
        codes = units[units.level == level].unit_code
        assert codes.str.fullmatch(rf"\d{{{width}}}").all(), level
    assert "00001" in set(units.unit_code)


# --- Crosswalks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("from_list", "to_list"), list(zip(LIST_IDS, LIST_IDS[1:], strict=False)))
def test_each_hop_maps_every_unit_of_its_list_once(from_list, to_list):
    walk = reference.crosswalk()
    step = walk[(walk.from_list == from_list) & (walk.to_list == to_list)]
    old = {u["unit_code"]: u for u in _source(from_list)}
    new = {u["unit_code"]: u for u in _source(to_list)}
    assert sorted(step.from_code) == sorted(old)
    assert set(step.relation) <= RELATIONS
    unmapped = step[step.relation == "unmapped"]
    assert unmapped.to_code.isna().all()
    mapped = step[step.relation != "unmapped"]
    assert set(mapped.to_code) <= set(new)
    for row in mapped.itertuples(index=False):
        assert row.to_province_code == new[row.to_code]["province_code"]
    same = step[step.relation == "same"]
    for row in same.itertuples(index=False):
        before, after = old[row.from_code], new[row.to_code]
        assert row.to_code == row.from_code and before["name"] == after["name"]
        # From July 2025 there are no districts: the same code, name and type is the same unit.
        assert before["type"] == after["type"]
        assert to_list == REFORM or before["district_code"] == after["district_code"]
    kept = step[step.relation.isin(["respelled", "renamed", "retyped", "moved"])]
    assert (kept.to_code == kept.from_code).all()
    if to_list == REFORM:
        # The official crosswalk decides where each unit goes; the relation says whether the new
        # unit kept the old one's code (same, respelled, retyped, renamed) or is another (merged_into).
        assert "moved" not in set(step.relation)
        merged = step[step.relation == "merged_into"]
        assert (merged.to_code != merged.from_code).all()
    else:
        # Within the 63 provinces a kept code is the same unit, and no unit moves province.
        assert not step[step.relation == "merged_into"].from_code.isin(set(new)).any()
        assert (mapped.to_province_code == mapped.from_province_code).all()


def test_ninh_giang_town_of_2021_is_merged_into_the_renamed_dong_tam():
    walk = reference.crosswalk().set_index(["from_list", "from_code"])
    town = walk.loc[("2023-05-07", "11155")]
    assert (town.relation, town.to_code) == ("merged_into", "11203")
    assert walk.loc[("2023-05-07", "11203")].relation == "renamed"  # Xã Đồng Tâm -> Thị trấn Ninh Giang
    # The official 2025 crosswalk (converter_2025.json, checked by hand): Thị trấn Ninh Giang of
    # Hải Dương -> Xã Ninh Giang (11203) of Hải Phòng (31).
    assert reference.follow("2021-02-03", "11155", REFORM) == ("11203", False)
    chain = reference.chain_to_2025().set_index(["list_id", "unit_code"]).loc[("2021-02-03", "11155")]
    assert (chain.new_commune_code, chain.new_province_code, chain.comparability) == ("11203", "31", "exact")


def test_crosswalk_to_2025_covers_every_eve_commune_within_one_new_province():
    walk = reference.crosswalk()
    walk = walk[walk.from_list == EVE]
    assert len(walk) == _count("select count(*) from admin_units_legacy where wardCode is not null")
    new_codes = {c for (c,) in _rows("select wardCode from admin_units")}
    assert set(walk.to_code.dropna()) <= new_codes
    # No old province is split across new ones: province-level re-aggregation is exact.
    assert walk.dropna(subset=["to_code"]).groupby("from_province_code").to_province_code.nunique().max() == 1
    # Hải Dương (30) became part of the new Hải Phòng (31).
    assert set(walk[walk.from_province_code == HAI_DUONG].to_province_code.dropna()) == {"31"}
    assert walk.is_approximate.any() and not walk.is_approximate.all()
    assert set(walk[walk.is_approximate].relation) == {"divided"}


def test_province_crosswalk_is_the_official_one():
    converter = json.loads((DATA / "converter_2025.json").read_text(encoding="utf-8"))["DICT_PROVINCE"]
    old_code = dict(_rows("select distinct provinceKey, provinceCode from admin_units_legacy"))
    new_code = dict(_rows("select distinct provinceKey, provinceCode from admin_units"))
    expected = {(old_code[old], new_code[new]) for new, olds in converter.items() for old in olds}
    pairs = reference.province_crosswalk()
    assert set(zip(pairs.old_province_code, pairs.new_province_code, strict=True)) == expected
    assert len(pairs) == pairs.old_province_code.nunique() == 63
    assert pairs.new_province_code.nunique() == 34
    assert ("30", "31") in expected


def test_every_pre2025_unit_chains_to_2025_or_says_it_does_not():
    chain = reference.chain_to_2025()
    for list_id in LIST_IDS[:-1]:
        assert sorted(chain[chain.list_id == list_id].unit_code) == sorted(u["unit_code"] for u in _source(list_id))
    assert set(chain.comparability) == {"exact", "approximate", "unmapped"}
    assert chain[chain.comparability == "unmapped"].new_commune_code.isna().all()
    assert chain[chain.comparability != "unmapped"].new_commune_code.notna().all()
    # The province is always known: the province crosswalk is exact.
    assert chain.new_province_code.notna().all()
    pairs = reference.province_crosswalk().set_index("old_province_code").new_province_code
    assert (chain.province_code.map(pairs) == chain.new_province_code).all()


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
    assert reference.era_of(date(2025, 6, 30)) == "pre2025"
    assert reference.era_of(date(2025, 7, 1)) == "2025"
