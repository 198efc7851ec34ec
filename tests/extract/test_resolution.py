"""Names -> codes within a province and unit list: narrowed by type, district, code and diacritics.

A resolver works on one dated list (``etl.unit_lists``). The cases below hold in the list of the
eve of the 2025 reform (``EVE``, what the era "pre2025" meant before the lists were dated); the two
Hưng Đạo of Hải Dương are also in the list of 2021 (reference/unit_lists/units_2021-02-03.csv.gz).
"""

from __future__ import annotations

import pytest

from etl.reference import UnitResolver

pytestmark = pytest.mark.unit

EVE, REFORM = "2025-06-30", "2025-07-01"  # the last list of 63 provinces, the first of 34


@pytest.mark.parametrize("list_id", ["2021-02-03", EVE])
def test_hai_duong_has_two_xa_hung_dao_told_apart_by_district(list_id):
    units = UnitResolver(list_id, "30")
    assert units.resolve("Xã Hưng Đạo").problem == "ambiguous"
    assert set(units.resolve("Xã Hưng Đạo").candidates) == {"10561", "11086"}
    assert units.resolve("Xã Hưng Đạo", "Huyện Tứ Kỳ").unit_code == "11086"
    assert units.resolve("X. HUNG DAO", "TP Chí Linh").unit_code == "10561"
    assert units.resolve("Hưng Đạo", "Thành phố Chí Linh").unit_code == "10561"


def test_code_breaks_a_tie_the_name_cannot():
    units = UnitResolver(EVE, "30")
    assert units.resolve("Xã Hưng Đạo", None, "11086").unit_code == "11086"


def test_unknown_name_is_not_guessed():
    units = UnitResolver(EVE, "30")
    assert units.resolve("Xã Không Có Thật").unit_code is None
    assert units.resolve("Xã Không Có Thật").problem == "unknown"


def test_type_prefix_tells_xa_from_thi_tran_of_one_name():
    units = UnitResolver(EVE, "95")  # Bạc Liêu: Thị trấn and Xã Phước Long, one district
    town, commune = units.resolve("Thị trấn Phước Long"), units.resolve("XA PHUOC LONG")
    assert town.unit_code and commune.unit_code and town.unit_code != commune.unit_code


def test_diacritics_tell_names_apart_only_when_written():
    units = UnitResolver(EVE, "64")  # Gia Lai, Chư Prông: Ia Băng and Ia Bang
    assert units.resolve("Xã Ia Băng", "Huyện Chư Prông").unit_code != units.resolve(
        "Xã Ia Bang", "Huyện Chư Prông").unit_code
    assert units.resolve("Xa Ia Bang", "Huyen Chu Prong").problem == "ambiguous"


def test_name_that_starts_like_a_prefix():
    units = UnitResolver(EVE, "11")  # Điện Biên: Xã Xa Dung
    assert units.resolve("Xa Dung").unit_code == units.resolve("Xã Xa Dung").unit_code is not None


def test_2025_units_resolve_without_district():
    units = UnitResolver(REFORM, "31")  # the new Hải Phòng
    assert units.resolve("Đặc khu Bạch Long Vĩ").unit_code == "11948"
