"""Figures in the words of the Ministry's reports (docs/indicators.md, "Figures for leadership"): the
examples are the document's own and the source article's."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from etl.leadership import words

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("value", "written"), [
    (44_123, "hơn 44.000"), (46_345, "hơn 46.000"), (44_000, "44.000"), (10_000, "10.000"), (10_001, "hơn 10.000"),
    (991_830, "hơn 991.000"), (8_311, "hơn 8.300"), (8_880, "hơn 8.800"), (1_850, "hơn 1.800"), (1_800, "1.800"),
    (9_999, "hơn 9.900"), (1_000, "1.000"), (192, "gần 200"), (180, "gần 200"), (179, "179"), (150, "150"),
    (200, "200"), (95, "gần 100"), (89, "89"), (999, "gần 1.000"), (0, "0"), (7, "7"), (108, "108"),
])
def test_counts_are_floored_or_nearly_as_the_article_writes_them(value, written):
    assert words.about(value) == written


def test_ratios_percentages_and_dates_are_vietnamese():
    assert words.ratio(44_000 / 8_500) == "5,2"  # the article's 5,2
    assert words.ratio(5.219) == "5,2" and words.ratio(17.0976) == "17,1" and words.ratio(5.0) == "5,0"
    assert words.percent(100.0) == "100" and words.percent(3320 / 3321 * 100) == "99,9"
    assert words.percent(90.26) == "90,2" and words.percent(100.4) == "100,4"
    assert words.exact(991_830) == "991.830" and words.exact(56_664_588) == "56.664.588"
    assert words.day(date(2021, 4, 23)) == "23/4/2021" and words.day(date(2021, 5, 14)) == "14/5/2021"
    assert words.months(date(2021, 4, 1), date(2021, 4, 1)) == "tháng 4/2021"
    assert words.months(date(2025, 7, 1), date(2026, 10, 1)) == "từ tháng 7/2025 đến tháng 10/2026"


def test_province_names_inside_a_sentence_and_lists():
    assert words.province("Tỉnh Hải Dương") == "tỉnh Hải Dương"
    assert words.province("Thành phố Hà Nội") == "thành phố Hà Nội"
    assert words.listing(["A"]) == "A" and words.listing(["A", "B", "C"]) == "A, B và C"
    assert words.listing([str(n) for n in range(8)], at_most=5) == "0, 1, 2, 3, 4 và 3 tỉnh khác"


def test_text_is_nfc():
    decomposed = unicodedata.normalize("NFD", "Tỉnh Đắk Lắk")
    assert words.nfc(decomposed) == "Tỉnh Đắk Lắk" and words.nfc(decomposed) != decomposed
