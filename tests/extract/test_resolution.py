"""Names -> codes within a province and era: narrowed by type, district, code and diacritics."""

from __future__ import annotations

import pytest

from etl.reference import UnitResolver

pytestmark = pytest.mark.unit


def test_hai_duong_has_two_xa_hung_dao_told_apart_by_district():
    units = UnitResolver("pre2025", "30")
    assert units.resolve("Xã Hưng Đạo").problem == "ambiguous"
    assert set(units.resolve("Xã Hưng Đạo").candidates) == {"10561", "11086"}
    assert units.resolve("Xã Hưng Đạo", "Huyện Tứ Kỳ").unit_code == "11086"
    assert units.resolve("X. HUNG DAO", "TP Chí Linh").unit_code == "10561"
    assert units.resolve("Hưng Đạo", "Thành phố Chí Linh").unit_code == "10561"


def test_code_breaks_a_tie_the_name_cannot():
    units = UnitResolver("pre2025", "30")
    assert units.resolve("Xã Hưng Đạo", None, "11086").unit_code == "11086"


def test_unknown_name_is_not_guessed():
    units = UnitResolver("pre2025", "30")
    assert units.resolve("Xã Không Có Thật").unit_code is None
    assert units.resolve("Xã Không Có Thật").problem == "unknown"


def test_type_prefix_tells_xa_from_thi_tran_of_one_name():
    units = UnitResolver("pre2025", "95")  # Bạc Liêu: Thị trấn and Xã Phước Long, one district
    town, commune = units.resolve("Thị trấn Phước Long"), units.resolve("XA PHUOC LONG")
    assert town.unit_code and commune.unit_code and town.unit_code != commune.unit_code


def test_diacritics_tell_names_apart_only_when_written():
    units = UnitResolver("pre2025", "64")  # Gia Lai, Chư Prông: Ia Băng and Ia Bang
    assert units.resolve("Xã Ia Băng", "Huyện Chư Prông").unit_code != units.resolve(
        "Xã Ia Bang", "Huyện Chư Prông").unit_code
    assert units.resolve("Xa Ia Bang", "Huyen Chu Prong").problem == "ambiguous"


def test_name_that_starts_like_a_prefix():
    units = UnitResolver("pre2025", "11")  # Điện Biên: Xã Xa Dung
    assert units.resolve("Xa Dung").unit_code == units.resolve("Xã Xa Dung").unit_code is not None


def test_2025_units_resolve_without_district():
    units = UnitResolver("2025", "31")  # the new Hải Phòng
    assert units.resolve("Đặc khu Bạch Long Vĩ").unit_code == "11948"
