"""How figures are printed for people (etl.report): Vietnamese separators, no gap rounded away."""

from __future__ import annotations

import pytest

from etl.report import vn_number, vn_percent

pytestmark = pytest.mark.unit


def test_vietnamese_separators():
    assert vn_number(44123) == "44.123"
    assert vn_number(5.318, 2) == "5,32"


def test_a_coverage_short_of_full_is_never_printed_as_100():
    assert vn_percent(100.0 * 3320 / 3321) == "99,9"  # 99.97%: the one commune unstaffed shows
    assert vn_percent(100.0) == "100,0"
    assert vn_percent(100.0 * 139 / 161) == "86,3"
    assert vn_percent(None) == "–"
