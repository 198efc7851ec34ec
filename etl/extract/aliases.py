"""The one registry of column headings: every way a province heads a column -> our column.

Headings are compared after ``names.header_key`` (no diacritics, lower case, punctuation as
spaces). Patterns are tried in order and the first match wins, so the more specific come first
("phó trưởng" before "trưởng"; "tin báo, tố giác" before "tin ... tiếp nhận"). To accept a new
heading, add a pattern here and a case in tests/extract/test_staffing_sheet.py (or test_other_sheets.py).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from etl.names import header_key

_ROW_NO = ("row_no", r"^(stt|tt|so tt|so thu tu)$")
_CODE = ("code_given", r"\bma (dvhc|don vi|xa|hanh chinh)\b|^ma$|^ma so$")
_NOTE = ("note", r"\bghi chu\b")
_DISTRICT = ("district_name", r"^(thuoc |ten )?(huyen|quan|thi xa|thanh pho|don vi cap huyen)\b")
_COMMUNE = ("commune_name", r"^(ten )?(xa|phuong|dac khu|don vi|dvhc cap xa)\b")

# (our column, regular expression on the heading's key), per sheet code of the template.
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "01": [
        _ROW_NO, _CODE, _NOTE,
        ("deputies", r"\bpho truong\b|^(trong do )?pho\b"),
        ("chiefs", r"\btruong (ca|cong an)\b|^(trong do )?truong\b"),
        # Before the date: "Số CA chính quy đã bố trí (tính đến ngày 23/4/2021)" is the officers.
        ("officers", r"\bchinh quy\b|\bso ca\b|\bcan bo\b|\bbien che\b|\bso luong\b"),
        ("staffed_date", r"\bngay\b|\bthoi gian hoan thanh\b"),
        _DISTRICT, _COMMUNE,
    ],
    "02": [
        _ROW_NO, _CODE, _NOTE,
        ("crime_reports", r"\bto giac\b|\btin bao\b"),
        ("tips_received", r"\bantt\b|\ban ninh\b|\btiep nhan\b|\bso tin\b"),
        ("cases_clarified", r"\blam ro\b"),
        ("subjects", r"\bdoi tuong\b"),
        ("fines_vnd", r"\btien phat\b|\bso tien\b"),
        ("admin_violation_cases", r"\bxu phat\b|\bvphc\b|\bvi pham hanh chinh\b"),
        ("rehab_dossiers", r"\bcai nghien\b"),
        ("reform_school_dossiers", r"\bgiao duong\b"),
        ("education_dossiers", r"\bgiao duc\b"),
        _DISTRICT, _COMMUNE,
    ],
    "03": [
        _ROW_NO,
        ("applications", r"\bho so\b|\bthu nhan\b|\bso luong\b"),
        ("report_date", r"\bngay\b|\bthoi gian\b"),
        ("unit_name", r"^(huyen|quan|thi xa|thanh pho|xa|phuong|dac khu|don vi|dia ban|dvhc)\b"),
        _NOTE,
    ],
    "04": [
        _ROW_NO,
        ("level_written", r"\bcap khen\b|^cap\b|\bhinh thuc\b|\bcap quyet dinh\b"),
        ("collectives", r"\btap the\b"),
        ("individuals", r"\bca nhan\b"),
        _NOTE,
    ],
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "01": ("commune_name", "officers"),
    "02": ("commune_name", "tips_received", "crime_reports"),
    "03": ("report_date", "unit_name", "applications"),
    "04": ("level_written", "collectives", "individuals"),
}

# Commendation levels of sheet 04: canonical label -> how provinces write it (first match wins).
LEVELS: list[tuple[str, str]] = [
    ("Cấp xã", r"\bcap xa\b|\b(ubnd|uy ban nhan dan) (cap )?xa\b"),
    ("Cấp huyện", r"\bcap huyen\b|\bhuyen\b|\bquan\b|\bthi xa\b"),
    ("Bộ Công an", r"\bbo cong an\b|\bbca\b|\bbo truong\b"),
    ("UBND tỉnh", r"\bubnd\b|\buy ban nhan dan\b|\bchu tich\b"),
    ("Công an tỉnh", r"\bcong an (tinh|thanh pho)\b|\bgiam doc\b|\bcat\b|\bcatp\b"),
]


@cache
def _compiled(sheet_code: str) -> list[tuple[str, re.Pattern[str]]]:
    return [(column, re.compile(pattern)) for column, pattern in COLUMNS[sheet_code]]


@lru_cache(maxsize=1 << 14)
def match_heading(sheet_code: str, heading: object) -> str | None:
    """Our column for a heading of the given sheet type, or None."""
    key = header_key(heading)
    if not key:
        return None
    for column, pattern in _compiled(sheet_code):
        if pattern.search(key):
            return column
    return None


def match_level(text: object) -> str | None:
    """The canonical commendation level written in ``text``, or None."""
    key = header_key(text)
    for level, pattern in LEVELS:
        if re.search(pattern, key):
            return level
    return None
