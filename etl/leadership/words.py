"""Figures in the words of the Ministry's reports (docs/indicators.md, "Figures for leadership").

Vietnamese number format (a dot for thousands, a comma for decimals), dates day/month/year, and the
rounding words: 44,123 is "hơn 44.000", 8,311 "hơn 8.300", 192 "gần 200". A figure is never rounded
up past what it is, and a round figure is written as it is (44,000 is "44.000", not "hơn 44.000").
Every text this module returns is NFC.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date

from etl.report import vn_number

# The boundary basis of the figures, in the brief's footer and the workbook's overview.
BASIS = {"as_reported": "theo báo cáo (ranh giới tỉnh tại ngày số liệu)",
         "2025": "34 tỉnh, thành phố từ 1/7/2025 (số liệu trước đó cộng vào tỉnh mới)"}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def exact(value: int | float) -> str:
    """A count written whole: 991830 -> '991.830'."""
    return vn_number(int(round(value)))


def about(value: int | float) -> str:
    """A count in the rounding words: 10,000 and more floored to thousands, 1,000 to 9,999 floored to
    hundreds ("hơn ..." unless already round); below 1,000 exact, or "gần N" within 10% below a round
    hundred N."""
    count = int(round(value))
    if count >= 1000:
        step = 1000 if count >= 10_000 else 100
        floored = count // step * step
        return vn_number(floored) if floored == count else f"hơn {vn_number(floored)}"
    hundred = math.ceil(count / 100) * 100
    if 0 < hundred - count <= hundred / 10:
        return f"gần {vn_number(hundred)}"
    return vn_number(count)


def ratio(value: float, decimals: int = 1) -> str:
    """A ratio rounded to ``decimals``: 5.219 -> '5,2' (officers per commune, as the article prints
    44,000 / 8,500 = 5.18)."""
    return vn_number(round(value, decimals), decimals)


def percent(value: float) -> str:
    """A percentage floored to one decimal, without ',0' when whole: '100', '99,9', '80,1'. Flooring
    never turns 3,320 of 3,321 into 100."""
    floored = math.floor(value * 10 + 1e-9) / 10
    return vn_number(floored, 0 if floored == int(floored) else 1)


def day(value: date) -> str:
    """23/4/2021, as the article writes dates."""
    return f"{value.day}/{value.month}/{value.year}"


def month(value: date) -> str:
    return f"tháng {value.month}/{value.year}"


def months(first: date, last: date) -> str:
    """'tháng 4/2021', or 'từ tháng 7/2025 đến tháng 10/2026'."""
    if (first.year, first.month) == (last.year, last.month):
        return month(first)
    return f"từ {month(first)} đến {month(last)}"


def province(name: str) -> str:
    """A province's official name inside a sentence: 'Tỉnh Hải Dương' -> 'tỉnh Hải Dương' (as in
    "Công an tỉnh Hải Dương"); 'Thành phố Hà Nội' -> 'thành phố Hà Nội'."""
    for kind in ("Tỉnh ", "Thành phố "):
        if name.startswith(kind):
            return kind.lower() + name[len(kind):]
    return name


def listing(names: list[str], at_most: int = 5) -> str:
    """'A, B và C'; beyond ``at_most`` names, the first ones and how many more."""
    if len(names) > at_most:
        return f"{', '.join(names[:at_most])} và {len(names) - at_most} tỉnh khác"
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} và {names[-1]}"
