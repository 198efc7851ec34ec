"""Vietnamese numbers, dates and names as provinces write them."""

from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime

import pytest

from etl.extract.values import copy_value, find_date, parse_date, parse_number, raw_text
from etl.names import accent_key, fold_key, split_prefix

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("cell", "number"), [
    (5, 5.0), (5.0, 5.0), ("5", 5.0), ("1.234", 1234.0), ("5,2", 5.2), ("1.234,5", 1234.5),
    ("5 (đủ)", 5.0), (" 7\u00a0", 7.0), ("", None), (None, None), ("-", None), ("991.830", 991830.0),
])
def test_parse_number(cell, number):
    assert parse_number(cell) == number


@pytest.mark.parametrize("cell", ["năm", "5 người x", "1e308x", float("nan"), True])
def test_parse_number_refuses(cell):
    with pytest.raises(ValueError):
        parse_number(cell)


# What float() reads and no Vietnamese report means: Python's digit separators, exponents, words
# for infinity and NaN, digits of other scripts (Arabic-Indic, full-width), hexadecimal.
@pytest.mark.parametrize("cell", ["1_0", "1_000", "1e3", "2E+05", "inf", "-Infinity", "nan", " \u0661\u0662",
                                  "\uff11\uff12", "0x10", "1.2.3,4", "+-5", "5-"])
def test_parse_number_refuses_what_float_reads_but_a_report_never_means(cell):
    with pytest.raises(ValueError):
        parse_number(cell)


@pytest.mark.parametrize("cell", ["1 0", "12 3", "1 20", "1 2000", "5 5 (đủ)"])
def test_digits_apart_are_no_number_unless_a_space_groups_thousands(cell):
    with pytest.raises(ValueError):
        parse_number(cell)


@pytest.mark.parametrize(("cell", "number"), [("1 200", 1200), ("12 345 678", 12345678), ("1 200,5", 1200.5),
                                              ("- 5", -5), (" 7 ", 7), ("5 (đủ)", 5)])
def test_a_space_grouping_thousands_or_around_a_number_is_read(cell, number):
    assert parse_number(cell) == number


@pytest.mark.parametrize(("cell", "day"), [
    (date(2021, 4, 23), date(2021, 4, 23)), (datetime(2021, 4, 23, 0, 0), date(2021, 4, 23)),
    ("23/4/2021", date(2021, 4, 23)), ("23-04-2021", date(2021, 4, 23)), ("2021-04-23", date(2021, 4, 23)),
    (44309, date(2021, 4, 23)), (44309.0, date(2021, 4, 23)), ("44309", date(2021, 4, 23)),
    ("ngày 14 tháng 5 năm 2021", date(2021, 5, 14)), (None, None), ("", None),
])
def test_parse_date(cell, day):
    assert parse_date(cell) == day


@pytest.mark.parametrize("cell", ["31/2/2021", "hôm qua", "23/4"])
def test_parse_date_refuses(cell):
    with pytest.raises(ValueError):
        parse_date(cell)


def test_raw_text_keeps_what_a_person_reads():
    assert raw_text(5.0) == "5" and raw_text(None) == "" and raw_text(date(2021, 4, 3)) == "03/04/2021"
    assert raw_text("=5 người") == "=5 người"


@pytest.mark.parametrize("written", [
    "Xã Hưng Đạo", "X. Hưng Đạo", "XÃ HƯNG ĐẠO", "xa hung dao", "Hưng Đạo", "Xã  Hưng\u00a0Đạo",
    unicodedata.normalize("NFD", "Xã Hưng Đạo"), "X.HUNG DAO",
])
def test_spellings_of_one_name_fold_together(written):
    assert fold_key(written) == "hungdao"


def test_tone_placement_old_and_new_style_are_one_name():
    assert accent_key("Hoà Bình") == accent_key("Hòa Bình")
    assert accent_key("Thuỵ An") == accent_key("Thụy An")
    assert accent_key("Hòa Bình") != accent_key("Hóa Bình")


@pytest.mark.parametrize(("written", "kind", "rest"), [
    ("TT. Gia Lộc", "thị trấn", "Gia Lộc"), ("Thị trấn Gia Lộc", "thị trấn", "Gia Lộc"),
    ("P.1", "phường", "1"), ("Xá Lượng", None, "Xá Lượng"), ("Ma Đa Guôi (Thị trấn)", "thị trấn", "Ma Đa Guôi"),
])
def test_split_prefix(written, kind, rest):
    assert split_prefix(written) == (kind, rest)


def test_phuong_01_is_phuong_1():
    assert fold_key("Phường 01") == fold_key("Phường 1") == fold_key("P.1")


def test_cells_copied_back_keep_what_the_province_wrote():
    assert copy_value("Xã  Vĩnh\u00a0Trạch ") == "Xã  Vĩnh\u00a0Trạch "  # spaces as sent, not tidied
    assert copy_value("=5 người") == "=5 người"  # text, never a formula
    assert copy_value(5) == 5 and copy_value(5.5) == 5.5
    # NaN and infinities stay numbers, for the writer (etl.safe) to write blank with a note naming them.
    assert math.isnan(copy_value(float("nan"))) and copy_value(float("-inf")) == float("-inf")
    assert copy_value(True) == "True"
    assert copy_value(datetime(2021, 4, 23)) == "23/04/2021"
    assert copy_value(datetime(2021, 4, 23, 14, 5)) == "23/04/2021 14:05"
    assert copy_value(date(2021, 4, 23)) == "23/04/2021"
    assert copy_value("") is None and copy_value(None) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("tinh den ngay 23/4/2021", date(2021, 4, 23)), ("tinh den ngay 2021-04-23", date(2021, 4, 23)),
    ("den ngay 23.04.2021, chi tieu 30/6/2021", date(2021, 4, 23)),
    ("so lieu ngay 23 thang 4 nam 2021", date(2021, 4, 23)), ("khong co ngay", None),
])
def test_the_first_date_written_is_read_in_either_order(text, expected):
    assert find_date(text) == expected


@pytest.mark.parametrize("text", ["tinh den ngay 04/23/2021, han 30/6/2021", "den ngay 31/02/2021", "ngay 23/4/21"])
def test_a_first_date_that_cannot_be_read_is_named_never_skipped_for_a_later_one(text):
    with pytest.raises(ValueError) as unreadable:
        find_date(text)
    assert str(unreadable.value) in text
