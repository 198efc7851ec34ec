"""Synthetic provincial workbooks of both eras, with a truth file.

``generate_samples`` writes three kinds of submission (``ALL_KINDS``), laid out as in
``shared/reference/TEMPLATE.md``:

* ``monthly_2021``: the April 2021 monthly report of each of the 63 legacy provinces (era
  ``pre2025``), one workbook with the sheets "Biểu 01 - Bố trí CA chính quy" (staffing as of
  23/4/2021), "Biểu 02 - Tình hình ANTT" (security activity of the month, one row per in-scope
  commune) and "Biểu 04 - Khen thưởng" (commendations by level).
* ``id_card_2021``: the CCCD (chip-based ID card) campaign, sheet "Biểu 03 - Thu nhận hồ sơ
  CCCD" alone, one workbook per province and half-month from 1/4 to 30/6/2021 (378 files), each
  listing every day of its half-month for every district, under a header cell with the
  province's target and deadline.
* ``monthly_2026``: the October 2026 monthly report (sheets 01, 02, 04) of each of the 34 new
  provinces (era ``2025``): no district column, one row per xã, phường and đặc khu.

Many workbooks depart from the template in the ways listed under "What arrives in practice"
(``DEPARTURES``: title block size, two-row merged headers, header wording, name spellings,
numbers as text or with a trailing note, subtotals, SUM formulas, sheet names and order, date
encodings, total spellings, separator columns, extra and hidden sheets, old .xls files, text
beginning with "=" or "+", columns in another order, tone marks placed the other way ("Hoà"
for the reference's "Hòa"), phường listed beside the communes of a 2021 city, chart sheets);
every departure a kind can show is in at least three of its workbooks, and ``truth.json`` lists
those of each workbook.

Beside the April 2021 reports lie five broken files (``BROKEN_FILES``), each once and never in
place of a province's good report: a PDF named .xlsx, an empty file, the first half of a
province's workbook, a province's workbook encrypted with the password ``BROKEN_PASSWORD``
(msoffcrypto-tool, its salts and clock seeded so the bytes are reproducible), and a province's
workbook with every figure cell empty.

The figures are synthetic but shaped like the article (FACTS.md): every in-scope commune of
the reference list is staffed, more than 44,000 officers nationwide in April 2021, Hải Dương
has 5 officers in each commune, received 108 collective and 250 individual commendations in
April 2021, and its CCCD count from 1/4/2021 first reaches its target of 988,200 on 14/5/2021
with 991,830 by that day; five provinces miss their target by the 30/6/2021 deadline.

Some monthly workbooks carry seeded faults (``FAULTS``), never Hải Dương's: in each monthly
kind, one province's sheets 01 and 02 have an extra row naming a commune the province has no
unit of (in the sums, as a clerk's formulas would have it), one commune's row has a negative
figure, and one sheet's total row states a figure other than the sum of its rows. In April
2021 one province's report arrives late (12/5/2021 14:00), and another province resends its
report on 28/4/2021 10:00 as a second file, the same workbook but for a few corrected figures.

``truth.json`` records, for every workbook and data sheet, what was written and where (0-based
row indices as calamine's ``to_python(skip_empty_area=False)`` gives them, column indices,
clean figures), computed by this generator alone, so that tests can compare an extractor's
output with it. Faults are recorded where they are: a workbook's ``faults`` (names from
``FAULTS``), ``late``, ``corrects`` (on the resent file: the first file's name) and
``corrected_by``; a sheet's ``total_mismatch`` ({column, stated, sum}) and ``corrected_cells``
([{unit_code, row, col, column, was, now}]); a row that must be quarantined has ``expect``
"quarantine", ``rule`` ("unknown_unit", with ``unit_code`` null, or "negative", with the
``column`` holding the negative figure). Sums in the truth add up every written row, quarantined
ones included. A phường row (phuong_rows) has ``in_scope`` false: it loads, counts in its sheet's
sums, and stays out of ``national``. A workbook's ``chart_sheets`` lists its chart sheets (also in
``sheet_names``). A broken file is a workbook entry with ``broken`` (a name from
``BROKEN_FILES``), ``expect`` "rejected", ``sheets`` {} and, for the truncated and encrypted
copies, ``copy_of`` (the good file's name). ``national`` (April 2021) and ``national_2026``
(October 2026, null unless that kind is generated) count the in-scope staffing rows that load:
each province's final file, without the quarantined rows. Each kind draws from its own
``random.Random`` seeded from ``seed`` (its faults, its later departures and the broken files
from others), and the workbook metadata is fixed: the same seed gives the same bytes, whichever
kinds are asked for.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import xlsxwriter
import xlwt  # type: ignore[import-untyped]
from xlsxwriter.utility import xl_col_to_name

from etl import reference
from etl.clock import VIETNAM

ALL_KINDS = ("monthly_2021", "id_card_2021", "monthly_2026")
MONTHLY_2021, ID_CARD_2021, MONTHLY_2026 = ALL_KINDS

ERA = reference.PRE2025
PERIOD = (2021, 4)
AS_OF = date(2021, 4, 23)
PERIOD_2026 = (2026, 10)
AS_OF_2026 = date(2026, 10, 20)
HAI_DUONG = "30"
SHEET_01 = "Biểu 01 - Bố trí CA chính quy"
SHEET_02 = "Biểu 02 - Tình hình ANTT"
SHEET_03 = "Biểu 03 - Thu nhận hồ sơ CCCD"
SHEET_04 = "Biểu 04 - Khen thưởng"
SHEET_NAME = SHEET_01

# The CCCD campaign: daily counts from 1/4 to 30/6/2021, sent in half-month workbooks.
CAMPAIGN_START = date(2021, 4, 1)
ID_CARD_DEADLINE = date(2021, 6, 30)
HALF_MONTHS = (
    (date(2021, 4, 1), date(2021, 4, 15)), (date(2021, 4, 16), date(2021, 4, 30)),
    (date(2021, 5, 1), date(2021, 5, 15)), (date(2021, 5, 16), date(2021, 5, 31)),
    (date(2021, 6, 1), date(2021, 6, 15)), (date(2021, 6, 16), date(2021, 6, 30)),
)
HAI_DUONG_TARGET = 988_200
HAI_DUONG_REACHED = date(2021, 5, 14)
HAI_DUONG_CUMULATIVE = 991_830
PROVINCES_SHORT_OF_TARGET = 5
HAI_DUONG_COMMENDATIONS = (108, 250)  # April 2021: collectives, individuals (the article)

LEVELS_2021 = ("Bộ Công an", "UBND tỉnh", "Công an tỉnh", "Cấp huyện")
LEVELS_2026 = ("Bộ Công an", "UBND tỉnh", "Công an tỉnh", "Cấp xã")
ACTIVITY_KEYS = (
    "tips_received", "crime_reports", "cases_clarified", "subjects", "admin_violation_cases", "fines_vnd",
    "education_dossiers", "rehab_dossiers", "reform_school_dossiers",
)

# Every way a workbook may depart from the template; truth.json lists the ones applied.
DEPARTURES = (
    "title_block",          # title block of 2, 3, 5, 6, 7 or 8 rows instead of the template's 4
    "two_row_header",       # group headers merged over two header rows ("Trong đó" over "Trưởng"/"Phó")
    "header_wording",       # some columns headed by a variant wording
    "names_no_diacritics",  # unit names (and row labels) typed without diacritics
    "names_nfd",            # names in decomposed Unicode (NFD)
    "names_prefix_abbrev",  # "X. ", "TT. ", "P. ", "ĐK. ", "H. ", "TX. ", "TP. ", "Q. "
    "names_no_prefix",      # "Hưng Đạo", "Tứ Kỳ"
    "names_upper",          # names in upper case
    "names_stray_spaces",   # double, leading/trailing and non-breaking spaces in some names
    "numbers_as_text",      # figures as text, with the Vietnamese thousands dot ("1.250.000")
    "district_subtotals",   # "Cộng huyện Tứ Kỳ" after each district (sheets 01 and 02 of 2021)
    "day_subtotals",        # "Cộng ngày 01/05" after each day (sheet 03)
    "sum_formulas",         # subtotal and total rows as formulas with cached values (.xlsx only)
    "sheet_name",           # data sheets not named as in the template
    "sheet_order",          # data sheets in another order than 01, 02, 04
    "dates_as_text",        # "23/4/2020" or "23-04-2020" (sheet 01 dates, sheet 03 days)
    "dates_as_serial",      # Excel serial numbers in a general-format cell
    "merged_date_cells",    # sheet 03: the day merged down over its district rows
    "extra_sheet",          # a visible notes or instructions sheet ("Ghi chú", "Hướng dẫn")
    "hidden_sheet",         # a hidden sheet: a lookup list, or an older copy of a data sheet
    "xls_format",           # an Excel 97-2003 .xls file (written with xlwt)
    "separator_column",     # an empty column between groups of columns
    "values_with_notes",    # some figures with a trailing note: "5 (đủ)", "12 (tăng 2)"
    "total_tong",           # grand total labelled "Tổng" instead of "Tổng cộng"
    "total_cong",           # ... "Cộng"
    "total_tong_so",        # ... "TỔNG SỐ"
    "formula_like_text",    # text cells beginning with "=" or "+" (notes), written as strings
    # Drawn after the others from their own generator (``_choose_later``), so adding them left
    # every workbook without them byte-identical.
    "column_order",         # sheets 01, 02 (and 03) with their columns in another order (Mã ĐVHC first, ...)
    "old_tone_marks",       # "Hoà", "Thuỵ", "Khoá" where the reference list writes "Hòa", "Thụy", "Khóa"
    "phuong_rows",          # 2021 city: sheets 01 and 02 also list some phường (out of scope, loaded)
    "chart_sheet",          # a chart sheet: a column chart of sheet 01's officers per unit (.xlsx only)
)
_LATER = ("column_order", "old_tone_marks", "phuong_rows", "chart_sheet")
# Departures that cannot share a workbook: the second would undo or contradict the first
# (SUM over text cells evaluates to 0 in Excel, so formulas over text figures would be false;
# xlwt cannot store a formula's cached value).
_EXCLUSIVE = (
    {"names_no_diacritics", "names_nfd"},
    {"names_prefix_abbrev", "names_no_prefix"},
    {"numbers_as_text", "sum_formulas"},
    {"values_with_notes", "sum_formulas"},
    {"xls_format", "sum_formulas"},
    {"dates_as_text", "dates_as_serial"},
    {"total_tong", "total_cong", "total_tong_so"},
    {"names_no_diacritics", "old_tone_marks"},  # no tone marks left to place
    {"xls_format", "chart_sheet"},  # xlwt writes no charts
    {"merged_date_cells", "column_order"},  # sheet 03: the day merged down is its first column
)
# Departures a kind cannot show (no districts after July 2025; one data sheet in an ID-card file;
# phường were out of the programme's scope before July 2025 only).
_NOT_FOR = {
    MONTHLY_2021: {"day_subtotals", "merged_date_cells"},
    ID_CARD_2021: {"district_subtotals", "sheet_order", "phuong_rows", "chart_sheet"},
    MONTHLY_2026: {"district_subtotals", "day_subtotals", "merged_date_cells", "phuong_rows"},
}
MIN_WORKBOOKS_PER_DEPARTURE = 3
# phuong_rows: the centrally-run cities whose April 2021 sheets 01 and 02 also list some phường.
PHUONG_CITIES = ("01", "48", "79")  # Hà Nội, Đà Nẵng, Hồ Chí Minh ('Phường 01' for 'Phường 1')

# Broken files (April 2021 only), each once, beside the provinces' good reports; truth.json lists
# each as a workbook entry with "broken" (one of these), "sheets" {} and "expect" "rejected".
BROKEN_FILES = (
    "not_a_spreadsheet",   # a PDF saved under an .xlsx name
    "empty_file",          # 0 bytes
    "truncated",           # the first half of a province's good workbook, under another name
    "password_protected",  # a province's good workbook encrypted (ECMA-376 agile) with BROKEN_PASSWORD
    "blank_template",      # a province's monthly workbook, units listed, every figure cell empty
)
BROKEN_PASSWORD = "matkhau"

# Seeded faults (monthly workbooks only); truth.json lists those of each workbook under "faults".
FAULTS = (
    "unknown_unit",    # an extra data row (sheets 01 and 02) naming a commune the province has no unit of
    "negative",        # a figure written as a negative number: the row must be quarantined
    "total_mismatch",  # the total row states a figure other than the sum of the rows (a warning)
    "late",            # the file arrived after the reporting deadline (12/5/2021)
    "correction",      # a second file resent for the same province and period, with corrected figures
)
LATE_ARRIVAL = datetime(2021, 5, 12, 14, 0, tzinfo=VIETNAM)  # 12/5/2021 14:00
CORRECTION_ARRIVAL = datetime(2021, 4, 28, 10, 0, tzinfo=VIETNAM)  # 28/4/2021 10:00
_CORRECTION_SUFFIXES = (" (gui lai)", "_sua")
TOTAL_WORDS = {"total_tong": "Tổng", "total_cong": "Cộng", "total_tong_so": "TỔNG SỐ"}

OFFICERS_WORDINGS = ("Số cán bộ chính quy", "Tổng số CA chính quy", "So CA chinh quy")
_WORDINGS = {  # header_wording: the columns that get a variant, and the variants
    "tips_received": ("Số tin về ANTT đã tiếp nhận", "Tin ANTT tiếp nhận"),
    "crime_reports": ("Tin báo, tố giác về tội phạm", "Tin báo tội phạm"),
    "fines_vnd": ("Số tiền phạt (đồng)", "Tiền phạt (VNĐ)"),
    "applications": ("Số hồ sơ CCCD đã thu nhận", "Số hồ sơ thu nhận", "Số HS thu nhận trong ngày"),
    "level": ("Cấp khen", "Hình thức khen thưởng"),
    "collectives": ("Số tập thể",),
    "individuals": ("Số cá nhân",),
}

# In April 2021 province 46 was still "Tỉnh Thừa Thiên Huế"; the reference list has its 2025 name.
_NAME_IN_2021 = {"46": ("tỉnh", "Thừa Thiên Huế")}
# National officers: FACTS.md says "more than 44,000"; 8,311 communes make a mean of 5.32 to 5.46.
_NATIONAL_TARGET = (44_200, 45_400)
_OFFICER_WEIGHTS = {3: 6, 4: 17, 5: 32, 6: 24, 7: 12, 8: 6, 9: 3}
_ABBREV = {"xã": "X.", "thị trấn": "TT.", "phường": "P.", "đặc khu": "ĐK.", "huyện": "H.", "thị xã": "TX.",
           "thành phố": "TP.", "quận": "Q."}
_NOTES = ("Đủ biên chế", "+01 đ/c tăng cường", "Đang kiện toàn", "=5 đồng chí", "Bố trí đợt 2",
          "Có 01 đ/c nữ")
_NOTES_02 = ("Tiếp nhận qua đường dây nóng", "Chuyển CA huyện 02 tin", "Đang xác minh", "Có 01 vụ ma túy")
_FORMULA_NOTES = ("=5 đồng chí", "+01 đ/c tăng cường", "=> Chuyển Cơ quan CSĐT", "+2 tin so với tháng trước",
                  "=3 vụ đã khởi tố")
_VALUE_NOTES = {
    "01": ("đủ", "tăng 1", "thiếu 1"),
    "02": ("tăng 2", "giảm 1", "đã xử lý"),
    "03": ("lưu động", "tăng ca", "gồm 120 hồ sơ lưu động"),
    "04": ("đề nghị", "đã có QĐ"),
}
_FINE_STEPS = (250_000, 500_000, 750_000, 1_000_000, 1_500_000, 2_000_000, 2_500_000, 3_750_000, 5_000_000)
_REPORT_TITLE = {
    MONTHLY_2021: "BÁO CÁO KẾT QUẢ TRIỂN KHAI CÔNG AN XÃ, THỊ TRẤN CHÍNH QUY",
    MONTHLY_2026: "BÁO CÁO KẾT QUẢ CÔNG TÁC CÔNG AN XÃ, PHƯỜNG, ĐẶC KHU",
    ID_CARD_2021: "BÁO CÁO TIẾN ĐỘ THU NHẬN HỒ SƠ CCCD",
}
_UNIT_LINE = {"01": "Đơn vị tính: đồng chí", "02": "Đơn vị tính: tin, vụ, đối tượng, đồng, hồ sơ",
              "03": "Đơn vị tính: hồ sơ", "04": "Đơn vị tính: tập thể, cá nhân"}
_SHEET_TITLES = {"01": SHEET_01, "02": SHEET_02, "03": SHEET_03, "04": SHEET_04}
_SHEET_VARIANTS = {  # sheet_name departure: one naming habit per workbook
    "ascii": {"01": "Bieu 01 - Bo tri CA chinh quy", "02": "Bieu 02 - Tinh hinh ANTT",
              "03": "Bieu 03 - Thu nhan ho so CCCD", "04": "Bieu 04 - Khen thuong"},
    "short": {"01": "BienChe", "02": "ANTT", "03": "CCCD", "04": "KhenThuong"},
    "code": {"01": "Bieu 01", "02": "Bieu 02", "03": "Bieu 03", "04": "Bieu 04"},
    "sheetN": {"01": "Sheet1", "02": "Sheet2", "03": "Sheet1", "04": "Sheet3"},
}


@dataclass
class _Commune:
    unit_code: str
    district_code: str | None
    name: str        # 'Xã Hưng Đạo'
    base_name: str | None  # 'Hưng Đạo' (see _base_name)
    unit_type: str   # 'xã' / 'thị trấn' / 'phường' / 'đặc khu'
    officers: int = 0
    chiefs: int = 1
    deputies: int = 1
    staffed: date | None = None
    note: str = ""
    activity: dict[str, int] = field(default_factory=dict)  # sheet 02
    note02: str = ""


@dataclass
class _Province:
    code: str
    unit_type: str  # 'tỉnh' / 'thành phố'
    short_name: str
    communes: list[_Commune] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)  # district codes (pre2025)
    commendations: list[tuple[int, int]] = field(default_factory=list)  # per level: collectives, individuals

    @property
    def police(self) -> str:
        return f"CÔNG AN {self.unit_type.upper()} {self.short_name.upper()}"

    @property
    def full_name(self) -> str:
        return f"{self.unit_type.capitalize()} {self.short_name}"


_District = tuple[str, str | None, str]  # name, base name, unit type


# --------------------------------------------------------------------------- text helpers


def _ascii(text: str) -> str:
    """Vietnamese text without diacritics ('đ' is a letter of its own, not a combining mark)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _key(text: str) -> str:
    """Comparison key for written names: what survives case, spacing and Unicode form."""
    return "".join(ch for ch in unicodedata.normalize("NFC", text).lower() if ch.isalnum())


def _dmy(day: date) -> str:
    """23/4/2021: day and month without zero padding, as in the template's header."""
    return f"{day.day}/{day.month}/{day.year}"


def _vn_int(value: int) -> str:
    """1234 -> '1.234' (Vietnamese thousands separator)."""
    return f"{value:,}".replace(",", ".")


def _base_name(full_name: str, short_name: str, unit_type: str) -> str | None:
    """The name without its type word, as a province would write it; None if it has none, or is a
    number ('Quận 11', whose short name is its name).

    The reference's short names disambiguate same-name pairs ('Yên Viên (Thị trấn)' beside
    'Yên Viên (Xã)', 'Cai Lậy (Thị xã)' beside 'Cai Lậy (Huyện)'); no province writes that.
    """
    base = re.sub(r"\s*\([^)]*\)$", "", short_name)
    if not full_name.lower().startswith(unit_type + " ") or base == full_name:
        return None  # 'Quận 11', 'Phường 5': the number alone is never written
    return base


def _stray_spaces(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    how = rng.choice(("double", "nbsp", "edges"))
    if how == "edges" or len(words) < 2:
        return rng.choice((" ", "  ", "\u00a0")) + text + rng.choice(("", " ", "  "))
    gap = rng.randrange(1, len(words))
    sep = "  " if how == "double" else "\u00a0"
    return " ".join(words[:gap]) + sep + " ".join(words[gap:])


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder): the parts add up exactly."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _poisson(mean: float, rng: random.Random) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    limit, count, product = 2.718281828459045 ** -mean, 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _binomial(n: int, p: float, rng: random.Random) -> int:
    return sum(rng.random() < p for _ in range(n))


# --------------------------------------------------------------------------- reference units


def _load_provinces() -> tuple[list[_Province], dict[str, _District]]:
    """Legacy provinces with their in-scope communes in district order, and districts by code."""
    units = reference.admin_units()
    districts = units[(units.admin_era == ERA) & (units.level == "district")]
    district_info = {
        code: (name, _base_name(name, short, utype), utype)
        for code, name, short, utype in zip(
            districts.unit_code, districts.name, districts.short_name, districts.unit_type, strict=True)
    }
    provinces = []
    by_code: dict[str, _Province] = {}
    table = reference.provinces(ERA).sort_values("unit_code")
    for code, utype, short in zip(table.unit_code, table.unit_type, table.short_name, strict=True):
        utype, short = _NAME_IN_2021.get(code, (utype, short))
        by_code[code] = _Province(code, utype, short)
        provinces.append(by_code[code])
    for code, province_code in sorted(zip(districts.unit_code, districts.province_code, strict=True)):
        by_code[province_code].districts.append(code)
    # One query for all provinces (per-province calls filter the whole table 63 times).
    communes = reference.communes(ERA, in_scope_only=True).sort_values(["district_code", "unit_code"])
    for row in communes.itertuples(index=False):
        by_code[row.province_code].communes.append(_Commune(
            row.unit_code, row.district_code, row.name, _base_name(row.name, row.short_name, row.unit_type),
            row.unit_type))
    return provinces, district_info


def _load_provinces_2025() -> list[_Province]:
    """The 34 provinces of July 2025 with every commune-level unit (all in scope), by code."""
    by_code: dict[str, _Province] = {}
    table = reference.provinces(reference.ERA2025).sort_values("unit_code")
    for code, utype, short in zip(table.unit_code, table.unit_type, table.short_name, strict=True):
        by_code[code] = _Province(code, utype, short)
    communes = reference.communes(reference.ERA2025, in_scope_only=True).sort_values("unit_code")
    for row in communes.itertuples(index=False):
        by_code[row.province_code].communes.append(_Commune(
            row.unit_code, None, row.name, _base_name(row.name, row.short_name, row.unit_type), row.unit_type))
    return list(by_code.values())


# --------------------------------------------------------------------------- figures


def _draw_figures(provinces: list[_Province], rng: random.Random) -> None:
    """April 2021 staffing: officers, chiefs, deputies, staffing dates and notes for every commune."""
    values, weights = list(_OFFICER_WEIGHTS), list(_OFFICER_WEIGHTS.values())
    adjustable: list[_Commune] = []
    for province in provinces:
        for commune in province.communes:
            if province.code == HAI_DUONG:
                commune.officers = 5  # the article: "5 in each" commune of Hải Dương
                continue
            roll = rng.random()
            if roll < 0.004:
                commune.officers = 2  # a few thinly staffed mountain communes
            elif roll < 0.008:
                commune.officers = rng.choice((10, 11))  # and a few large towns
            else:
                commune.officers = rng.choices(values, weights)[0]
                adjustable.append(commune)
    # Move the national total onto a target above 44,000 one officer at a time, staying in 3..9,
    # so the bound holds for every seed rather than by luck of the draw.
    target = rng.randint(*_NATIONAL_TARGET)
    total = sum(c.officers for p in provinces for c in p.communes)
    while total != target:
        commune = rng.choice(adjustable)
        step = 1 if total < target else -1
        if 3 <= commune.officers + step <= 9:
            commune.officers += step
            total += step
    for commune in (c for p in provinces for c in p.communes):
        top = min(3, commune.officers - 1)  # the chief is one of the officers
        commune.deputies = min(top, rng.choices((1, 2, 3), (30, 55, 15))[0])
    # A handful of communes whose chief post is vacant (never in Hải Dương, fully staffed by 10/2020).
    for commune in rng.sample(adjustable, rng.randint(3, 7)):
        commune.chiefs = 0
        commune.note = "Khuyết Trưởng CA xã"
    for province in provinces:
        _draw_dates(province, rng)
        for commune in province.communes:
            if not commune.note and rng.random() < 0.03:
                commune.note = rng.choice(_NOTES)


def _draw_dates(province: _Province, rng: random.Random) -> None:
    """Staffing dates clustered on the province's deployment phases (đợt)."""
    if province.code == HAI_DUONG:
        # Three phases, all communes done by 10/2020 (the article).
        phases = [date(2020, 3, rng.randint(1, 31)), date(2020, 7, rng.randint(1, 31)),
                  date(2020, 10, rng.randint(1, 20))]
        blank_rate = 0.0
    else:
        first, last = date(2020, 1, 10), date(2021, 4, 20)
        span = (last - first).days
        phases = sorted(first + timedelta(days=rng.randint(0, span)) for _ in range(rng.randint(2, 4)))
        blank_rate = rng.choice((0.0, 0.0, 0.03, 0.08, 0.15))
    for commune in province.communes:
        if commune.chiefs == 0 or rng.random() < blank_rate:
            commune.staffed = None  # not fully staffed yet, or the province left it blank
            continue
        day = rng.choice(phases) + timedelta(days=rng.choice((0, 0, 0, 1, 2, 5)))
        commune.staffed = min(day, AS_OF)


def _draw_staffing_2026(provinces: list[_Province], rng: random.Random) -> None:
    """October 2026 staffing: the merged communes are larger, so more officers in each."""
    for province in provinces:
        blank_rate = rng.choice((0.0, 0.02, 0.05))
        for commune in province.communes:
            low, high = (12, 30) if commune.unit_type == "phường" else (8, 24)
            commune.officers = rng.randint(low, high)
            commune.deputies = rng.choice((2, 3, 3, 4))
            if rng.random() < 0.003:
                commune.chiefs, commune.note = 0, "Khuyết Trưởng CA"
            roll = rng.random()
            if commune.chiefs == 0 or roll < blank_rate:
                commune.staffed = None
            elif roll < 0.8:
                commune.staffed = reference.ERA_SWITCH_DATE  # the new units' first day
            else:
                commune.staffed = min(AS_OF_2026, reference.ERA_SWITCH_DATE + timedelta(days=rng.randint(1, 470)))
            if not commune.note and rng.random() < 0.03:
                commune.note = rng.choice(_NOTES)


def _draw_activity(provinces: list[_Province], scale: float, rng: random.Random) -> None:
    """Sheet 02 for one month: small counts, crime reports <= tips, cases clarified <= reports."""
    for province in provinces:
        for commune in province.communes:
            commune.activity = _activity(scale, rng)
            if rng.random() < 0.03:
                commune.note02 = rng.choice(_NOTES_02)


def _activity(scale: float, rng: random.Random) -> dict[str, int]:
    """One commune's sheet 02 figures for one month."""
    tips = _poisson(3.2 * scale, rng)
    crime = _binomial(tips, 0.12, rng)
    clarified = _binomial(crime, 0.65, rng)
    subjects = sum(rng.choice((1, 1, 1, 2, 3)) for _ in range(clarified))
    admin = _poisson(1.4 * scale, rng)
    fines = sum(rng.choice(_FINE_STEPS) for _ in range(admin))
    return {
        "tips_received": tips, "crime_reports": crime, "cases_clarified": clarified, "subjects": subjects,
        "admin_violation_cases": admin, "fines_vnd": fines,
        "education_dossiers": _binomial(2, 0.03 * scale, rng),
        "rehab_dossiers": int(rng.random() < 0.015 * scale),
        "reform_school_dossiers": int(rng.random() < 0.006 * scale),
    }


def _draw_commendations(provinces: list[_Province], rng: random.Random) -> None:
    """Sheet 04: collectives and individuals per level; Hải Dương's April 2021 adds up to 108/250."""
    for province in provinces:
        if province.code == HAI_DUONG:
            groups = _split(HAI_DUONG_COMMENDATIONS[0], [rng.uniform(0.5, 1.5) * w for w in (1, 4, 7, 8)])
            people = _split(HAI_DUONG_COMMENDATIONS[1], [rng.uniform(0.5, 1.5) * w for w in (1, 4, 7, 8)])
            province.commendations = list(zip(groups, people, strict=True))
            continue
        province.commendations = []
        for top in (2, 8, 20, 30):
            collectives = rng.randint(0, top) if rng.random() < 0.8 else 0
            individuals = collectives * rng.randint(1, 3) + rng.randint(0, top // 2)
            province.commendations.append((collectives, individuals))


@dataclass
class _IdCard:
    """A province's CCCD campaign: target and daily counts per district."""

    target: int
    districts: list[str]
    daily: list[list[int]]  # per campaign day, per district

    def totals(self) -> list[int]:
        return [sum(day) for day in self.daily]


def _campaign_days() -> list[date]:
    return [CAMPAIGN_START + timedelta(days=n) for n in range((ID_CARD_DEADLINE - CAMPAIGN_START).days + 1)]


def _draw_id_cards(provinces: list[_Province], unit_counts: dict[str, int], rng: random.Random) -> dict[str, _IdCard]:
    """Daily applications per district, 1/4 to 30/6/2021, shaped so each province's cumulative
    count first reaches its target on a chosen day (or never, for a few)."""
    days = _campaign_days()
    short = set(rng.sample(sorted(p.code for p in provinces if p.code != HAI_DUONG), PROVINCES_SHORT_OF_TARGET))
    out: dict[str, _IdCard] = {}
    for province in provinces:
        # Weekends are quieter; the pace picks up as the campaign goes on.
        weights = [(0.8 + 0.4 * i / len(days)) * (0.5 if d.weekday() == 6 else 0.8 if d.weekday() == 5 else 1.0)
                   * rng.uniform(0.85, 1.15) for i, d in enumerate(days)]
        if province.code == HAI_DUONG:
            target, reach = HAI_DUONG_TARGET, days.index(HAI_DUONG_REACHED)
        else:
            target = int(round(len(province.communes) * rng.uniform(5000, 7000), -2))
            reach = rng.randint(days.index(date(2021, 4, 26)), days.index(date(2021, 6, 29)))
        if province.code in short:
            totals = _split(int(target * rng.uniform(0.82, 0.97)), weights)
        else:
            mean = sum(weights[: reach + 1]) / (reach + 1)
            rate = target / (reach + 1)
            last = max(2, round(rate * weights[reach] / mean))  # the count of the day it gets there
            if province.code == HAI_DUONG:
                cumulative = HAI_DUONG_CUMULATIVE
                last = max(last, cumulative - target + 1)
            else:
                cumulative = target + rng.randrange(0, last - 1)
            # Up to the day before: short of the target, since that day's count exceeds the overshoot.
            totals = _split(cumulative - last, weights[:reach]) + [last]
            totals += [round(rate * rng.uniform(0.3, 0.6) * w) for w in weights[reach + 1:]]
        districts = province.districts
        shares = [unit_counts.get(d, 1) * rng.uniform(0.7, 1.3) for d in districts]
        daily = [_split(total, [s * rng.uniform(0.8, 1.2) for s in shares]) for total in totals]
        out[province.code] = _IdCard(target, list(districts), daily)
    return out


def _id_card_summary(card: _IdCard) -> dict[str, Any]:
    cumulative, reached, at_reached = 0, None, None
    for day, total in zip(_campaign_days(), card.totals(), strict=True):
        cumulative += total
        if reached is None and cumulative >= card.target:
            reached, at_reached = day.isoformat(), cumulative
    return {"target": card.target, "deadline": ID_CARD_DEADLINE.isoformat(), "reached_date": reached,
            "cumulative_at_reached": at_reached, "total_by_deadline": cumulative}


# --------------------------------------------------------------------------- departures


def _conflicts(departure: str, chosen: set[str]) -> bool:
    return any(departure in group and chosen & (group - {departure}) for group in _EXCLUSIVE)


def _choose_departures(codes: list[str], kind: str, rng: random.Random) -> dict[str, set[str]]:
    """Departures per province for one kind: about half depart, each departure in >= 3 provinces.
    The later departures (``_LATER``) come from ``_choose_later``."""
    applicable = [d for d in DEPARTURES if d not in _NOT_FOR[kind] and d not in _LATER]
    departing = set(rng.sample(codes, len(codes) // 2 + rng.randint(0, len(codes) // 6)))
    if HAI_DUONG in codes and kind == MONTHLY_2021:
        departing.add(HAI_DUONG)
    chosen: dict[str, set[str]] = {code: set() for code in codes}
    for code in sorted(departing):
        for departure in applicable:
            if rng.random() < 0.15 and not _conflicts(departure, chosen[code]):
                chosen[code].add(departure)
        if not chosen[code]:
            chosen[code].add(rng.choice(applicable))
    for departure in applicable:
        while sum(departure in chosen[c] for c in codes) < MIN_WORKBOOKS_PER_DEPARTURE:
            open_ = [c for c in sorted(departing) if departure not in chosen[c]
                     and not _conflicts(departure, chosen[c])]
            chosen[rng.choice(open_)].add(departure)
    return chosen


def _choose_later(kind: str, chosen: dict[str, set[str]], eligible: dict[str, set[str]],
                  rng: random.Random) -> None:
    """Add the later departures to ``chosen``, from their own generator: each to about one in ten
    of the provinces that already depart, topped up to three (an ID-card province counts once,
    for its six files), from the other provinces only if too few departing ones can take it;
    ``eligible`` limits a departure to the provinces that can show it. phuong_rows goes to
    ``PHUONG_CITIES``."""
    departing = [code for code in sorted(chosen) if chosen[code]]
    for departure in _LATER:
        if departure in _NOT_FOR[kind]:
            continue
        if departure == "phuong_rows":
            for code in PHUONG_CITIES:
                chosen[code].add(departure)
            continue
        can = eligible.get(departure, chosen)
        for code in departing:
            if code in can and rng.random() < 0.1 and not _conflicts(departure, chosen[code]):
                chosen[code].add(departure)
        while sum(departure in chosen[c] for c in chosen) < MIN_WORKBOOKS_PER_DEPARTURE:
            open_ = [c for c in sorted(chosen, key=lambda c: not chosen[c])  # departing ones first
                     if c in can and departure not in chosen[c] and not _conflicts(departure, chosen[c])]
            departing_open = [c for c in open_ if chosen[c]]
            chosen[rng.choice(departing_open or open_)].add(departure)


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
# A syllable ending in oa, oe or uy (not the u of "qu") with the tone mark on its first vowel, in NFD.
_FIRST_VOWEL_TONE = re.compile(f"(?<![qQ])([oO])([{_TONE_MARKS}])([aAeE])(?![\\w\u0300-\u036f])"
                               f"|(?<![qQ])([uU])([{_TONE_MARKS}])([yY])(?![\\w\u0300-\u036f])")


def _move_tones(text: str) -> str:
    """'Hòa' -> 'Hoà', 'Thụy' -> 'Thuỵ', 'Khóa' -> 'Khoá': the tone mark of a final oa, oe or uy
    moved from the first vowel, where the reference list puts it, to the second (NFC in and out).
    Both are valid NFC text: normalisation does not make them equal."""
    decomposed = unicodedata.normalize("NFD", text)
    moved = _FIRST_VOWEL_TONE.sub(lambda m: m.group(1) + m.group(3) + m.group(2) if m.group(1)
                                  else m.group(4) + m.group(6) + m.group(5), decomposed)
    return text if moved == decomposed else unicodedata.normalize("NFC", moved)


@dataclass
class _Style:
    """How one workbook writes names, figures and dates."""

    departures: set[str]
    rng: random.Random

    def _case_and_form(self, text: str) -> str:
        if "old_tone_marks" in self.departures:
            text = _move_tones(text)
        if "names_no_diacritics" in self.departures:
            text = _ascii(text)
        if "names_upper" in self.departures:
            text = text.upper()
        if "names_nfd" in self.departures:
            text = unicodedata.normalize("NFD", text)
        return text

    def unit(self, full_name: str, base_name: str | None, unit_type: str, spaces: bool) -> str:
        """A district or commune name as this workbook writes it (``base_name``: see ``_base_name``)."""
        if base_name is None:
            text = full_name  # 'Phường 5' filed as a xã: no type word to drop or abbreviate
        elif "names_no_prefix" in self.departures:
            text = base_name
        elif "names_prefix_abbrev" in self.departures:
            text = f"{_ABBREV[unit_type]} {base_name}"
        else:
            text = full_name
        text = self._case_and_form(text)
        return _stray_spaces(text, self.rng) if spaces else text

    def label(self, text: str) -> str:
        """Row labels ('Tổng cộng', 'Cộng huyện ...', levels) follow the workbook's typing habits."""
        return self._case_and_form(text)


# --------------------------------------------------------------------------- workbook backends


class _XlsxSheet:
    def __init__(self, book: _Book, sheet: Any) -> None:
        self.book, self.sheet = book, sheet

    def text(self, r: int, c: int, value: str, style: str) -> None:
        self.book.note_text(value)
        self.sheet.write_string(r, c, value, self.book.formats[style])  # never write(): "=5 ..." is text

    def number(self, r: int, c: int, value: int, style: str) -> None:
        self.sheet.write_number(r, c, value, self.book.formats[style])

    def day(self, r: int, c: int, value: date, style: str) -> None:
        self.sheet.write_datetime(r, c, datetime.combine(value, datetime.min.time()), self.book.formats[style])

    def blank(self, r: int, c: int, style: str) -> None:
        self.sheet.write_blank(r, c, None, self.book.formats[style])

    def formula(self, r: int, c: int, expr: str, value: int, style: str) -> None:
        # The cached value is what readers (calamine, pandas) see without recalculating.
        self.sheet.write_formula(r, c, expr, self.book.formats[style], value)

    def merge(self, r1: int, c1: int, r2: int, c2: int, style: str) -> None:
        """Merge a range; the caller then writes the top-left cell."""
        self.sheet.merge_range(r1, c1, r2, c2, "", self.book.formats[style])

    def width(self, c: int, chars: int) -> None:
        self.sheet.set_column(c, c, chars)

    def hide(self) -> None:
        self.sheet.hide()


class _XlsSheet:
    def __init__(self, book: _Book, sheet: Any) -> None:
        self.book, self.sheet = book, sheet

    def text(self, r: int, c: int, value: str, style: str) -> None:
        self.book.note_text(value)
        self.sheet.write(r, c, value, self.book.formats[style])  # a str is a label in xlwt, never a formula

    def number(self, r: int, c: int, value: int, style: str) -> None:
        self.sheet.write(r, c, value, self.book.formats[style])

    def day(self, r: int, c: int, value: date, style: str) -> None:
        self.sheet.write(r, c, value, self.book.formats[style])

    def blank(self, r: int, c: int, style: str) -> None:
        self.sheet.write(r, c, None, self.book.formats[style])

    def formula(self, r: int, c: int, expr: str, value: int, style: str) -> None:
        raise ValueError("xlwt cannot store a formula's cached value; .xls files never get sum_formulas")

    def merge(self, r1: int, c1: int, r2: int, c2: int, style: str) -> None:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    self.sheet.write(r, c, None, self.book.formats[style])
        self.sheet.merge(r1, r2, c1, c2)

    def width(self, c: int, chars: int) -> None:
        self.sheet.col(c).width = 256 * chars

    def hide(self) -> None:
        self.sheet.visibility = 1


_Sheet = _XlsxSheet | _XlsSheet


class _Book:
    """One workbook being written: .xlsx with xlsxwriter, or .xls (Excel 97-2003) with xlwt."""

    def __init__(self, path: Path, fmt: str, created: datetime, title: str, author: str) -> None:
        self.path, self.fmt = path, fmt
        self.formula_like = False  # some text cell begins with "=" or "+"
        self.sheets: list[Any] = []
        self.names: list[str] = []
        if fmt == "xlsx":
            self.xlsx = xlsxwriter.Workbook(str(path), {"in_memory": True})
            # Fixed metadata: xlsxwriter would otherwise stamp the current time into docProps/core.xml.
            self.xlsx.set_properties({"title": title, "author": author, "company": "Bộ Công an",
                                      "created": created.astimezone(UTC).replace(tzinfo=None)})
            add = self.xlsx.add_format
            border = {"border": 1}
            self.formats: dict[str, Any] = {
                "plain": None,
                "bold": add({"bold": True}),
                "title": add({"bold": True, "align": "center"}),
                "header": add({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}),
                "cell": add(border),
                "date": add({"border": 1, "num_format": "dd/mm/yyyy"}),
                "total": add({"bold": True, "border": 1}),
            }
        else:
            self.xls = xlwt.Workbook(encoding="utf-8")
            borders = "borders: left thin, right thin, top thin, bottom thin"
            self.formats = {
                "plain": xlwt.easyxf(""),
                "bold": xlwt.easyxf("font: bold on"),
                "title": xlwt.easyxf("font: bold on; align: horiz center"),
                "header": xlwt.easyxf(f"font: bold on; {borders}; align: horiz center, vert center, wrap on"),
                "cell": xlwt.easyxf(borders),
                "date": xlwt.easyxf(borders, num_format_str="dd/mm/yyyy"),
                "total": xlwt.easyxf(f"font: bold on; {borders}"),
            }

    def note_text(self, value: str) -> None:
        if value[:1] in ("=", "+"):
            self.formula_like = True

    def chartsheet(self, name: str) -> Any:
        """A chart sheet (.xlsx only); its chart is set later (``_chart``)."""
        self.names.append(name)
        return self.xlsx.add_chartsheet(name)

    def sheet(self, name: str) -> _Sheet:
        if self.fmt == "xlsx":
            handle: _Sheet = _XlsxSheet(self, self.xlsx.add_worksheet(name))
        else:
            handle = _XlsSheet(self, self.xls.add_sheet(name, cell_overwrite_ok=True))
        self.sheets.append(handle)
        self.names.append(name)
        return handle

    def close(self, active: _Sheet) -> None:
        """Save, with ``active`` (a visible sheet) the active one: xlsxwriter would unhide a hidden
        first sheet left active by default."""
        index = self.sheets.index(active)
        if self.fmt == "xlsx":
            active.sheet.activate()
            self.xlsx.close()
            return
        for i, handle in enumerate(self.sheets):
            handle.sheet.set_selected(i == index)
        self.xls.active_sheet = index
        self.xls.save(str(self.path))


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class _Sum:
    """A figure of a subtotal or total row: a formula, Vietnamese text or a number, by departure."""

    value: int


_Value = str | int | date | _Sum | None
_Unit = tuple["_Row", str | None, dict[str, Any]]  # a data row, its district code, its figures


@dataclass
class _Col:
    key: str | None  # None: an empty separator column
    header: str = ""
    group: str | None = None  # two-row headers: the label merged over this column's group
    width: int = 12


_SEP = _Col(None, width=2)


@dataclass
class _Row:
    kind: str  # 'data', 'subtotal' or 'total'
    cells: dict[str, _Value]
    truth: dict[str, Any] | None = None
    merge_down: dict[str, int] = field(default_factory=dict)  # column key -> rows merged from here
    phuong: bool = False  # a phường listed beside the communes (phuong_rows): no commune of the plan


@dataclass
class _Table:
    """A data sheet before it is written: title rows, columns and rows."""

    code: str  # '01'..'04'
    name: str
    title: list[list[tuple[int, str, bool]]]  # rows above the header: (column, text, merged across)
    columns: list[_Col]
    rows: list[_Row]
    label_key: str  # the column holding the subtotal and total labels
    two_row: bool
    target_row: int | None = None  # sheet 03: the title row holding the target cell


# column_order: the template's groups of figures in sheet 02, and a clerk's habits for each sheet.
_GROUPS_02 = (("tips_received", "crime_reports", "cases_clarified", "subjects"), ("admin_violation_cases", "fines_vnd"),
              ("education_dossiers", "rehab_dossiers", "reform_school_dossiers"))
_IDENT_ORDERS = (  # the unit columns, the same in sheets 01 and 02: Mã ĐVHC first, district after commune, ...
    ("code", "stt", "district", "name"), ("stt", "name", "district", "code"), ("stt", "code", "district", "name"),
    ("stt", "district", "name", "code"))
_ORDERS_01 = (  # chiefs and deputies before officers, notes or dates before the figures, ...
    ("chiefs", "deputies", "officers", "date", "note"), ("officers", "chiefs", "deputies", "note", "date"),
    ("note", "officers", "chiefs", "deputies", "date"), ("date", "officers", "chiefs", "deputies", "note"),
    ("officers", "chiefs", "deputies", "date", "note"))
_ORDER_03 = ("unit", "date", "applications")  # the district before the day


def _gaps(code: str, order: Sequence[str]) -> set[str]:
    """The columns a separator_column workbook puts an empty column before, wherever they stand:
    sheet 01, the block of staffing figures and the column after it; sheet 02, the first two groups
    of figures; sheet 03, the count. In the template's order: the template's separators."""
    if code == "01":
        at = [i for i, key in enumerate(order) if key in ("officers", "chiefs", "deputies")]
        return {order[at[0]], *order[at[-1] + 1: at[-1] + 2]}
    if code == "02":
        starts = sorted(min(order.index(key) for key in group) for group in _GROUPS_02)
        return {order[s] for s in starts[:2]}
    return {"applications"}


def _arrange(cols: list[_Col], order: Sequence[str] | None, code: str, separate: bool) -> list[_Col]:
    """``cols`` (built in the template's order) in ``order`` (column_order; None: as built), with the
    empty separator columns of a separator_column workbook (``_gaps``)."""
    by_key = {col.key: col for col in cols}
    keys = list(order) if order else [col.key for col in cols if col.key is not None]
    gaps = _gaps(code, keys) if separate else set()
    out: list[_Col] = []
    for key in keys:
        if key in gaps:
            out.append(_SEP)
        out.append(by_key[key])
    return out


def _put(sheet: _Sheet, r: int, c: int, value: _Value, style: str) -> None:
    if value is None:
        sheet.blank(r, c, style)
    elif isinstance(value, str):
        sheet.text(r, c, value, style)
    elif isinstance(value, date):
        sheet.day(r, c, value, "date")
    elif isinstance(value, int):
        sheet.number(r, c, value, style)
    else:
        raise TypeError(value)


def _write_header(sheet: _Sheet, columns: list[_Col], two_row: bool, r: int) -> int:
    """One header row, or two with each group's label merged over its columns; the next row."""
    if not two_row:
        for c, col in enumerate(columns):
            if col.key is not None:
                sheet.text(r, c, col.header, "header")
        return r + 1
    c = 0
    while c < len(columns):
        col = columns[c]
        if col.key is None:
            c += 1
            continue
        if col.group is None:
            sheet.merge(r, c, r + 1, c, "header")
            sheet.text(r, c, col.header, "header")
            c += 1
            continue
        end = c
        while end + 1 < len(columns) and columns[end + 1].key is not None and columns[end + 1].group == col.group:
            end += 1
        if end > c:
            sheet.merge(r, c, r, end, "header")
        sheet.text(r, c, col.group, "header")
        for k in range(c, end + 1):
            sheet.text(r + 1, k, columns[k].header, "header")
        c = end + 1
    return r + 2


def _write_table(book: _Book, table: _Table, deps: set[str], hidden: bool = False) -> tuple[_Sheet, dict[str, Any]]:
    """Write one sheet; return it and its truth entry (rows get their 0-based row indices)."""
    sheet = book.sheet(table.name)
    if hidden:
        sheet.hide()
    last_col = len(table.columns) - 1
    for c, col in enumerate(table.columns):
        sheet.width(c, col.width)
    r = 0
    for cells in table.title:
        for c, text, merged in cells:
            if merged and last_col > c:
                sheet.merge(r, c, r, last_col, "title")
                sheet.text(r, c, text, "title")
            else:
                sheet.text(r, c, text, "bold")
        r += 1
    header_row = r
    r = _write_header(sheet, table.columns, table.two_row, r)
    first_data_row = group_start = r
    at = {col.key: c for c, col in enumerate(table.columns) if col.key is not None}
    subtotal_rows: list[int] = []
    total_row, total_label = -1, ""
    for row in table.rows:
        if row.kind == "data":
            for key, value in row.cells.items():
                down = row.merge_down.get(key, 1)
                style = "date" if isinstance(value, date) else "cell"
                if down > 1:
                    sheet.merge(r, at[key], r + down - 1, at[key], style)
                _put(sheet, r, at[key], value, style)
            if row.truth is not None:
                row.truth["row"] = r
        else:
            for key, value in row.cells.items():
                c = at[key]
                if not isinstance(value, _Sum):
                    _put(sheet, r, c, value, "total")
                elif "sum_formulas" in deps:
                    letter = xl_col_to_name(c)
                    if row.kind == "subtotal":
                        expr = f"=SUM({letter}{group_start + 1}:{letter}{r})"
                    elif subtotal_rows:  # add up the subtotals, as provinces do, not the column twice over
                        expr = "=" + "+".join(f"{letter}{s + 1}" for s in subtotal_rows)
                    else:
                        expr = f"=SUM({letter}{first_data_row + 1}:{letter}{r})"
                    sheet.formula(r, c, expr, value.value, "total")
                elif "numbers_as_text" in deps:
                    sheet.text(r, c, _vn_int(value.value), "total")
                else:
                    sheet.number(r, c, value.value, "total")
            if row.kind == "subtotal":
                subtotal_rows.append(r)
                group_start = r + 1
            else:
                total_row, total_label = r, str(row.cells[table.label_key])
        r += 1
    entry: dict[str, Any] = {
        "sheet_name": table.name,
        "header_row": header_row,
        "header_rows": first_data_row - header_row,
        "first_data_row": first_data_row,
        "subtotal_rows": subtotal_rows,
        "total_row": total_row,
        "total_label": total_label,
        "label_col": at[table.label_key],
        "columns": {key: c for key, c in at.items()},
        "rows": [row.truth for row in table.rows if row.truth is not None],
    }
    return sheet, entry


def _title_rows(police: str, title: str, period: str, size: int, unit_line: str, last_col: int,
                target: str | None = None) -> tuple[list[list[tuple[int, str, bool]]], int | None]:
    """Rows above the header: (column, text, merged across the table) per cell; and the row of
    the target line (sheet 03), which follows the period line."""
    lines: list[list[tuple[int, str, bool]]]
    if size == 2:
        lines = [[(0, f"BỘ CÔNG AN - {police}", False)], [(0, f"{title} - {period}", True)]]
    elif size == 3:
        lines = [[(0, police, False)], [(0, title, True)], [(0, period, True)]]
    else:
        lines = [[(0, "BỘ CÔNG AN", False)], [(0, police, False)], [(0, title, True)], [(0, period, True)]]
    target_row = None
    if target is not None:
        target_row = len(lines)
        lines.append([(0, target, False)])
    if size <= 4:
        return lines, target_row
    # Longer blocks: the national motto beside the ministry lines, a recipient line, units, blanks.
    motto = min(5, last_col)
    lines[0].append((motto, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", False))
    lines[1].append((motto, "Độc lập - Tự do - Hạnh phúc", False))
    extras: list[list[tuple[int, str, bool]]] = [
        [(0, "Kính gửi: Bộ Công an (Văn phòng Bộ)", False)], [(min(7, last_col), unit_line, False)], [], []]
    return lines + extras[: size - 4], target_row


# --------------------------------------------------------------------------- plans


@dataclass
class _Phuong:
    """A phường an April 2021 city lists in sheets 01 and 02 (phuong_rows), with its figures."""

    unit: _Commune
    typed: str  # the name before the workbook's habits: 'Phường 05' for 'Phường 5', else the official name
    base: str | None  # None for a numbered phường: the number alone is never written
    blank: frozenset[str]  # sheet 02 counts left blank (zero)


@dataclass
class _Plan:
    """Everything decided for one workbook (or, for ID-card files, one province) before writing."""

    kind: str
    province: _Province
    departures: set[str]
    fmt: str
    sheet_names: dict[str, str]
    order: list[str]
    title_size: int
    wordings: dict[str, str]
    has_codes: bool
    extra_sheet: tuple[str, bool] | None  # name, placed before the data sheets
    hidden: list[tuple[str, str, int]]  # name, content ('lookup'/'old_version'/'old_month'), position
    date_formats: tuple[str, ...]
    total_word: str
    blank_rate: float
    name_pattern: int
    style: _Style
    # The later departures, drawn with their own generator once the plan above is made (_plan_later).
    columns: dict[str, list[str]] = field(default_factory=dict)  # column_order: sheet -> keys, written order
    chart: tuple[str, bool] | None = None  # chart_sheet: name, placed before the other sheets
    phuong: list[_Phuong] = field(default_factory=list)  # phuong_rows: the phường listed, in unit order


def _plan(kind: str, province: _Province, departures: set[str], hidden_index: int, rng: random.Random) -> _Plan:
    deps = departures
    codes = ["03"] if kind == ID_CARD_2021 else ["01", "02", "04"]
    habit = rng.choice(tuple(_SHEET_VARIANTS)) if "sheet_name" in deps else None
    names = {code: _SHEET_VARIANTS[habit][code] if habit else _SHEET_TITLES[code] for code in codes}
    order = list(codes)
    if "sheet_order" in deps:
        while order == codes:
            rng.shuffle(order)
    wordings: dict[str, str] = {}
    if "header_wording" in deps:
        if kind != ID_CARD_2021:
            wordings["officers"] = rng.choice(OFFICERS_WORDINGS)
        keys = ["applications"] if kind == ID_CARD_2021 else ["tips_received", "crime_reports", "fines_vnd",
                                                               "level", "collectives", "individuals"]
        for key in keys:
            if kind == ID_CARD_2021 or rng.random() < 0.5:
                wordings[key] = rng.choice(_WORDINGS[key])
    extra = None
    if "extra_sheet" in deps or ("formula_like_text" in deps and kind == ID_CARD_2021):
        departures.add("extra_sheet")  # an ID-card file carries its "=" / "+" notes on a notes sheet
        extra = (rng.choice(("Ghi chú", "Hướng dẫn", "Ghi chu")), rng.random() < 0.6)
    hidden: list[tuple[str, str, int]] = []
    if "hidden_sheet" in deps:
        contents = ("old_version", "lookup") if kind == ID_CARD_2021 else ("old_version", "lookup", "old_month")
        count = 1 + (rng.random() < 0.3)
        for i in range(count):
            content = contents[(hidden_index + i) % len(contents)]
            if content == "lookup":
                name = rng.choice(("DanhMuc", "Danh muc DVHC", "DM"))
            elif content == "old_month":
                name = f"T{(PERIOD if kind == MONTHLY_2021 else PERIOD_2026)[1] - 1}"
            else:
                name = rng.choice(("Bieu cu", "Ban cu", "Sheet0", "Copy"))
            hidden.append((name, content, rng.randint(0, len(codes))))
    return _Plan(
        kind=kind, province=province, departures=departures,
        fmt="xls" if "xls_format" in deps else "xlsx",
        sheet_names=names, order=order,
        title_size=rng.choice((2, 3, 5, 6, 7, 8)) if "title_block" in deps else 4,
        wordings=wordings,
        has_codes=rng.random() < 0.5,
        extra_sheet=extra,
        hidden=hidden,
        date_formats=rng.choice((("%d/%m/%Y",), ("d/m/Y",), ("%d-%m-%Y",), ("d/m/Y", "%d-%m-%Y")))
        if "dates_as_text" in deps else (),
        total_word=next((w for d, w in TOTAL_WORDS.items() if d in deps), "Tổng cộng"),
        blank_rate=rng.choice((0.0, 0.3, 0.7, 1.0)),
        name_pattern=rng.randrange(6),
        style=_Style(deps, rng),
    )


def _column_orders(kind: str, rng: random.Random) -> dict[str, list[str]]:
    """column_order: the written order of the columns of sheets 01 and 02 (the same habit for the
    unit columns in both, each sheet's order other than the template's), or of sheet 03."""
    if kind == ID_CARD_2021:
        return {"03": list(_ORDER_03)}

    def keep(keys: Sequence[str]) -> list[str]:
        return [key for key in keys if key != "district" or kind == MONTHLY_2021]

    ident = keep(rng.choice(_IDENT_ORDERS))
    template_01 = keep(_IDENT_ORDERS[-1]) + list(_ORDERS_01[-1])
    template_02 = keep(_IDENT_ORDERS[-1]) + [key for group in _GROUPS_02 for key in group] + ["note"]
    order_01 = template_01
    while order_01 == template_01:
        order_01 = ident + list(rng.choice(_ORDERS_01))
    order_02 = template_02
    while order_02 == template_02:
        groups = [list(group) for group in _GROUPS_02]
        rng.shuffle(groups)
        for group, first in ((groups[0], "crime_reports"), (groups[1], "fines_vnd")):  # a count before its kin
            if first in group and rng.random() < 0.4:
                group.remove(first)
                group.insert(0, first)
        body = [key for group in groups for key in group]
        order_02 = ident + (["note", *body] if rng.random() < 0.25 else [*body, "note"])
    return {"01": order_01, "02": order_02}


_CHART_NAMES = ("Biểu đồ", "Bieu do", "Chart1", "BD CA chinh quy")
_PHUONG_NOTES = ("", "", "", "CA phường", "Không thuộc diện bố trí CA chính quy")
_NUMBERED = re.compile(r"Phường (\d+)")


def _draw_phuong(province: _Province, blank_rate: float, rng: random.Random) -> list[_Phuong]:
    """phuong_rows: a few phường of one district of the province, with figures: numbered phường
    where the province has them (written 'Phường 05', zero-padded), else named ones, preferably
    of a district that also has communes (a town with both)."""
    units = reference.communes(ERA, province.code)
    units = units[units.unit_type == "phường"].sort_values(["district_code", "unit_code"])
    by_district: dict[str, list[Any]] = {}
    for row in units.itertuples(index=False):
        by_district.setdefault(row.district_code, []).append(row)

    def single_digit(name: str) -> bool:  # 'Phường 5', written 'Phường 05'
        number = _NUMBERED.fullmatch(name)
        return bool(number and int(number.group(1)) < 10)

    numbered = sorted(d for d, rows in by_district.items() if sum(single_digit(r.name) for r in rows) >= 3)
    mixed = sorted(d for d in by_district if d in {c.district_code for c in province.communes})
    district = rng.choice(numbered or mixed or sorted(by_district))
    rows = by_district[district]
    if numbered:
        rows = [r for r in rows if single_digit(r.name)]
    picked = sorted(rng.sample(range(len(rows)), min(len(rows), rng.randint(3, 6))))
    out = []
    for row in (rows[i] for i in picked):
        number = _NUMBERED.fullmatch(row.name)
        typed = f"Phường {int(number.group(1)):02d}" if number else row.name
        unit = _Commune(row.unit_code, row.district_code, row.name, None, "phường", officers=rng.randint(8, 20),
                        deputies=rng.choice((1, 2, 3)), note=rng.choice(_PHUONG_NOTES),
                        activity=_activity(1.5, rng))
        blank = frozenset(key for key in ACTIVITY_KEYS if rng.random() < blank_rate)
        out.append(_Phuong(unit, typed, None if number else _base_name(row.name, row.short_name, "phường"), blank))
    return out


def _plan_later(plan: _Plan, rng: random.Random) -> None:
    """What the later departures need, drawn from their own generator (the plan's own draws, and so
    every workbook without them, stay as they were)."""
    if "column_order" in plan.departures:
        plan.columns = _column_orders(plan.kind, rng)
    if "chart_sheet" in plan.departures:
        plan.chart = (rng.choice(_CHART_NAMES), rng.random() < 0.3)
    if "phuong_rows" in plan.departures:
        plan.phuong = _draw_phuong(plan.province, plan.blank_rate, rng)


def _format_date(day: date, fmt: str) -> str:
    if fmt == "d/m/Y":  # '23/4/2020': no zero padding, as typed by hand
        return _dmy(day)
    return day.strftime(fmt)


def _date_value(day: date | None, plan: _Plan, rng: random.Random) -> _Value:
    if day is None:
        return None
    if plan.date_formats:
        return _format_date(day, rng.choice(plan.date_formats))
    if "dates_as_serial" in plan.departures:
        return (day - date(1899, 12, 30)).days  # a number in a general-format cell
    return day


def _figure(value: int, plan: _Plan, note: str | None = None, blank_zero: bool = False) -> _Value:
    """A figure as this workbook writes it: number, text with thousands dots, a trailing note, blank."""
    if note is not None:
        return f"{_vn_int(value)} ({note})"
    if blank_zero and value == 0:
        return None
    if "numbers_as_text" in plan.departures:
        return _vn_int(value)
    return value


def _needs_codes(written: list[tuple[str | None, str]]) -> bool:
    """Lossy spellings can make two communes of one district identical ('Thiệu Hóa'/'Thiệu Hoa'
    without diacritics); such a workbook carries the unit codes so every row stays resolvable."""
    keys = [(_key(d or ""), _key(c)) for d, c in written]
    return len(set(keys)) != len(keys)


def _arrival(day: date, rng: random.Random) -> datetime:
    """A plausible arrival moment: the afternoon office hours of ``day`` (13:30 to 16:59)."""
    minute = rng.randint(13 * 60 + 30, 16 * 60 + 59)
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, rng.randint(0, 59), tzinfo=VIETNAM)


def _province_words(province: _Province) -> tuple[str, list[str], str]:
    plain = _ascii(province.short_name)  # 'Bà Rịa - Vũng Tàu' -> 'Ba Ria - Vung Tau'
    words = plain.replace("-", " ").split()
    return plain, words, "_".join(w.lower() for w in words)


def _monthly_file_name(plan: _Plan, period: tuple[int, int]) -> str:
    plain, words, slug = _province_words(plan.province)
    year, month = period
    patterns = (
        f"{plan.province.code}_{slug}_T{month:02d}-{year}",
        f"BC thang {month} - {plain}",
        f"{''.join(words)}_BaoCao_CAX_{month:02d}.{year}",
        f"BC CA xa T{month}-{year} ({plain})",
        f"CA {plain} - bao cao thang {month:02d}.{year}",
        f"{slug.replace('_', '-')}-baocao-{year}-{month:02d}",
    )
    return f"{patterns[plan.name_pattern]}.{plan.fmt}"


def _id_card_file_name(plan: _Plan, first: date, last: date) -> str:
    plain, words, slug = _province_words(plan.province)
    patterns = (
        f"{plan.province.code}_{slug}_Bieu03_CCCD_{first:%d.%m.%Y}-{last:%d.%m.%Y}",
        f"CCCD {plain} - Bieu 03 tu {first:%d-%m-%Y} den {last:%d-%m-%Y}",
        f"{''.join(words)}_Bieu03_{first:%Y%m%d}_{last:%Y%m%d}",
        f"Bieu 03 CCCD ({plain}) {first:%d.%m}-{last:%d.%m.%Y}",
        f"BC03 thu nhan CCCD {plain} {first:%d%m%Y}-{last:%d%m%Y}",
        f"{slug.replace('_', '-')}-bieu03-{first:%Y-%m-%d}-{last:%Y-%m-%d}",
    )
    return f"{patterns[plan.name_pattern]}.{plan.fmt}"


# --------------------------------------------------------------------------- monthly report


@dataclass(frozen=True)
class _Monthly:
    kind: str
    era: str
    period: tuple[int, int]
    as_of: date
    levels: tuple[str, ...]

    @property
    def districts(self) -> bool:
        return self.era == ERA

    @property
    def unit_header(self) -> str:
        return "Xã, thị trấn" if self.districts else "Xã, phường, đặc khu"

    def period_line(self, month_back: int = 0) -> str:
        year, month = self.period
        as_of = self.as_of.replace(month=month - month_back)
        return f"Tháng {month - month_back} năm {year}          (Số liệu tính đến ngày {_dmy(as_of)})"


_MONTHLY = {
    MONTHLY_2021: _Monthly(MONTHLY_2021, ERA, PERIOD, AS_OF, LEVELS_2021),
    MONTHLY_2026: _Monthly(MONTHLY_2026, reference.ERA2025, PERIOD_2026, AS_OF_2026, LEVELS_2026),
}


@dataclass
class _MonthlyBook:
    """One monthly workbook being built: its plan and how it writes the unit names."""

    spec: _Monthly
    plan: _Plan
    district_info: dict[str, _District]
    written: list[tuple[str | None, str]]
    has_codes: bool
    rng: random.Random
    phuong_written: list[tuple[str | None, str]] = field(default_factory=list)  # district, name of plan.phuong

    def title(self, code: str, last_col: int, month_back: int = 0) -> list[list[tuple[int, str, bool]]]:
        rows, _ = _title_rows(self.plan.province.police, _REPORT_TITLE[self.spec.kind],
                              self.spec.period_line(month_back), self.plan.title_size, _UNIT_LINE[code], last_col)
        return rows

    def ident_columns(self, fold: Callable[[str], str]) -> list[_Col]:
        cols = [_Col("stt", "STT", width=6)]
        if self.spec.districts:
            cols.append(_Col("district", fold("Huyện, thị xã, thành phố"), width=24))
        cols += [_Col("name", fold(self.spec.unit_header), width=24), _Col("code", fold("Mã ĐVHC"), width=10)]
        return cols

    def ident_cells(self, i: int) -> dict[str, _Value]:
        commune = self.plan.province.communes[i]
        district, name = self.written[i]
        cells: dict[str, _Value] = {"stt": i + 1}
        if self.spec.districts:
            cells["district"] = district
        cells["name"] = name
        cells["code"] = commune.unit_code if self.has_codes else None  # text: keeps the leading zeros
        return cells

    def sum_row(self, kind: str, label: str, columns: list[_Col], sums: dict[str, int]) -> _Row:
        label_key = "district" if self.spec.districts else "name"
        cells: dict[str, _Value] = {}
        for col in columns:
            if col.key is None:
                continue
            cells[col.key] = _Sum(sums[col.key]) if col.key in sums else None
        cells[label_key] = label
        return _Row(kind, cells)

    def rows_with_sums(self, columns: list[_Col], units: list[_Unit], keys: Sequence[str]) -> list[_Row]:
        """Data rows (``units``: row, district code, figures), with district subtotals if the
        workbook has them, and the grand total."""
        plan = self.plan
        rows: list[_Row] = []
        group: list[dict[str, Any]] = []
        for i, (row, district, figures) in enumerate(units):
            rows.append(row)
            group.append(figures)
            last_of_district = i + 1 == len(units) or units[i + 1][1] != district
            if "district_subtotals" in plan.departures and last_of_district:
                d_name, d_base, d_type = self.district_info[district or ""]
                label = f"Cộng {d_type} {d_base}" if d_base else f"Cộng {d_name}"
                sums = {k: sum(f[k] for f in group) for k in keys}
                rows.append(self.sum_row("subtotal", plan.style.label(label), columns, sums))
            if last_of_district:
                group = []
        totals = {k: sum(f[k] for _, _, f in units) for k in keys}
        rows.append(self.sum_row("total", plan.style.label(plan.total_word), columns, totals))
        return rows

    def with_phuong(self, code: str, data: list[_Row], figures: list[dict[str, Any]], record: bool) -> list[_Unit]:
        """The commune rows of sheet ``code`` (01 or 02) with their district codes and figures, and
        the phường the workbook lists beside them (phuong_rows) in unit order, numbered again."""
        communes = self.plan.province.communes
        units = [(row, c.district_code, f) for row, c, f in zip(data, communes, figures, strict=True)]
        if not self.plan.phuong:
            return units
        plan = self.plan
        keyed = [(c.district_code or "", c.unit_code, unit) for c, unit in zip(communes, units, strict=True)]
        for phuong, (district, name) in zip(plan.phuong, self.phuong_written, strict=True):
            unit = phuong.unit
            cells: dict[str, _Value] = {"stt": 0}
            if self.spec.districts:
                cells["district"] = district
            cells.update({"name": name, "code": unit.unit_code if self.has_codes else None})
            figs: dict[str, Any]
            if code == "01":
                figs = {"officers": unit.officers, "chiefs": unit.chiefs, "deputies": unit.deputies}
                cells.update({key: _figure(value, plan) for key, value in figs.items()})
                cells.update({"date": None, "note": unit.note or None})
                truth = {"unit_code": unit.unit_code, **figs, "staffed_date": None, "row": -1, "district": district,
                         "name": name, "in_scope": False}
            else:
                figs = dict(unit.activity)
                cells.update({key: _figure(figs[key], plan, blank_zero=key in phuong.blank) for key in ACTIVITY_KEYS})
                cells["note"] = unit.note02 or None
                truth = {"row": -1, "unit_code": unit.unit_code, "district": district, "name": name, **figs,
                         "in_scope": False}
            row = _Row("data", cells, truth if record else None, phuong=True)
            keyed.append((unit.district_code or "", unit.unit_code, (row, unit.district_code, figs)))
        keyed.sort(key=lambda item: item[:2])
        for number, (_, _, (row, _, _)) in enumerate(keyed, 1):
            row.cells["stt"] = number
        return [unit for _, _, unit in keyed]

    def noted_rows(self, count: int) -> set[int]:
        """Rows whose figure gets a trailing note ("5 (đủ)") in a values_with_notes workbook."""
        if "values_with_notes" not in self.plan.departures:
            return set()
        return set(self.rng.sample(range(count), max(1, min(count, count // 25))))

    def plain_note(self, note: str) -> str:
        """A drawn note like "=5 đồng chí" is typed "5 đồng chí" unless the workbook is one of
        those whose notes begin with "=" or "+" (formula_like_text), so the departure is exact."""
        return note if "formula_like_text" in self.plan.departures else note.lstrip("=+> ")

    def formula_notes(self, count: int) -> dict[int, str]:
        """Notes beginning with "=" or "+" in a formula_like_text workbook."""
        if "formula_like_text" not in self.plan.departures:
            return {}
        return {i: self.rng.choice(_FORMULA_NOTES) for i in self.rng.sample(range(count), min(count, 2))}

    # ------------------------------------------------------------------ sheet 01

    def table_01(self, figures: list[dict[str, Any]], record: bool, month_back: int = 0) -> _Table:
        plan, deps = self.plan, self.plan.departures
        officers_header = plan.wordings.get("officers", "Số CA chính quy đã bố trí")
        folded = officers_header == "So CA chinh quy"

        def fold(text: str) -> str:
            return _ascii(text) if folded else text  # typed without diacritics throughout

        two_row = "two_row_header" in deps
        cols = self.ident_columns(fold)
        cols.append(_Col("officers", fold(officers_header), width=14))
        if two_row:  # the sub-headers drop the "Trong đó: " the merged cell above says
            cols += [_Col("chiefs", fold("Trưởng CA xã"), fold("Trong đó")),
                     _Col("deputies", fold("Phó trưởng CA xã"), fold("Trong đó"))]
        else:
            cols += [_Col("chiefs", fold("Trong đó: Trưởng CA xã")),
                     _Col("deputies", fold("Trong đó: Phó trưởng CA xã"))]
        cols += [_Col("date", fold("Ngày hoàn thành bố trí"), width=14), _Col("note", fold("Ghi chú"), width=20)]
        cols = _arrange(cols, plan.columns.get("01"), "01", "separator_column" in deps)
        noted = self.noted_rows(len(figures))
        formula_notes = self.formula_notes(len(figures))
        data = []
        for i, fig in enumerate(figures):
            commune = plan.province.communes[i]
            cells = self.ident_cells(i)
            note = self.rng.choice(_VALUE_NOTES["01"]) if i in noted else None
            cells["officers"] = _figure(fig["officers"], plan, note)
            cells["chiefs"] = _figure(fig["chiefs"], plan)
            cells["deputies"] = _figure(fig["deputies"], plan)
            cells["date"] = _date_value(fig["staffed"], plan, self.rng)
            cells["note"] = formula_notes.get(i, self.plain_note(fig["note"])) or None
            truth = None
            if record:
                truth = {
                    "unit_code": commune.unit_code, "officers": fig["officers"], "chiefs": fig["chiefs"],
                    "deputies": fig["deputies"],
                    "staffed_date": fig["staffed"].isoformat() if fig["staffed"] else None,
                    "row": -1, "district": self.written[i][0], "name": self.written[i][1],
                }
            data.append(_Row("data", cells, truth))
        keys = ("officers", "chiefs", "deputies")
        units = self.with_phuong("01", data, figures, record)
        return _Table("01", plan.sheet_names["01"], self.title("01", len(cols) - 1, month_back), cols,
                      self.rows_with_sums(cols, units, keys), self.label_key, two_row)

    @property
    def label_key(self) -> str:
        return "district" if self.spec.districts else "name"

    # ------------------------------------------------------------------ sheet 02

    def table_02(self, figures: list[dict[str, Any]], record: bool, month_back: int = 0) -> _Table:
        plan, deps = self.plan, self.plan.departures
        two_row = "two_row_header" in deps
        words = plan.wordings
        groups = (
            ("Kết quả tiếp nhận, giải quyết tin", (
                ("tips_received", words.get("tips_received", "Tin về ANTT tiếp nhận")),
                ("crime_reports", words.get("crime_reports", "Tin báo, tố giác tội phạm")),
                ("cases_clarified", "Số vụ đã làm rõ"), ("subjects", "Số đối tượng"))),
            ("Xử phạt vi phạm hành chính", (
                ("admin_violation_cases", "Số vụ xử phạt VPHC"),
                ("fines_vnd", words.get("fines_vnd", "Tiền phạt (đồng)")))),
            ("Lập hồ sơ áp dụng biện pháp xử lý hành chính", (
                ("education_dossiers", "Hồ sơ giáo dục tại xã"),
                ("rehab_dossiers", "Hồ sơ đưa vào cơ sở cai nghiện bắt buộc"),
                ("reform_school_dossiers", "Hồ sơ đưa vào trường giáo dưỡng"))),
        )
        cols = self.ident_columns(lambda text: text)
        for group, members in groups:
            for key, header in members:
                cols.append(_Col(key, header, group if two_row else None, width=16 if key == "fines_vnd" else 12))
        cols.append(_Col("note", "Ghi chú", width=20))
        # Separators after the unit columns, and between the tips and the penalties (see _gaps).
        cols = _arrange(cols, plan.columns.get("02"), "02", "separator_column" in deps)
        noted = self.noted_rows(len(figures))
        formula_notes = self.formula_notes(len(figures))
        data = []
        for i, fig in enumerate(figures):
            commune = plan.province.communes[i]
            cells = self.ident_cells(i)
            nonzero = [k for k in ACTIVITY_KEYS if fig[k]]
            note_key = self.rng.choice(nonzero) if i in noted and nonzero else None
            for key in ACTIVITY_KEYS:
                note = self.rng.choice(_VALUE_NOTES["02"]) if key == note_key else None
                cells[key] = _figure(fig[key], plan, note, blank_zero=self.rng.random() < plan.blank_rate)
            cells["note"] = formula_notes.get(i, self.plain_note(fig["note"])) or None
            truth = None
            if record:
                truth = {"row": -1, "unit_code": commune.unit_code, "district": self.written[i][0],
                         "name": self.written[i][1], **{k: fig[k] for k in ACTIVITY_KEYS}}
            data.append(_Row("data", cells, truth))
        units = self.with_phuong("02", data, figures, record)
        return _Table("02", plan.sheet_names["02"], self.title("02", len(cols) - 1, month_back), cols,
                      self.rows_with_sums(cols, units, ACTIVITY_KEYS), self.label_key, two_row)

    # ------------------------------------------------------------------ sheet 04

    def table_04(self, figures: list[tuple[int, int]], record: bool, month_back: int = 0) -> _Table:
        plan, deps = self.plan, self.plan.departures
        two_row = "two_row_header" in deps
        words = plan.wordings
        group = "Số lượng được khen thưởng" if two_row else None
        cols = [_Col("level", words.get("level", "Cấp khen thưởng"), width=24)]
        if "separator_column" in deps:
            cols.append(_SEP)
        cols += [_Col("collectives", words.get("collectives", "Tập thể"), group),
                 _Col("individuals", words.get("individuals", "Cá nhân"), group)]
        noted = self.noted_rows(len(figures) * 2)
        city = plan.province.unit_type == "thành phố"
        data = []
        for i, (level, (collectives, individuals)) in enumerate(zip(self.spec.levels, figures, strict=True)):
            written = level.replace("tỉnh", "thành phố") if city else level  # 'UBND thành phố' in a city
            label = plan.style.label(written)
            cells: dict[str, _Value] = {"level": label}
            for j, (key, value) in enumerate((("collectives", collectives), ("individuals", individuals))):
                note = self.rng.choice(_VALUE_NOTES["04"]) if 2 * i + j in noted and value else None
                cells[key] = _figure(value, plan, note, blank_zero=self.rng.random() < plan.blank_rate)
            truth = {"row": -1, "level": level, "label": label, "collectives": collectives,
                     "individuals": individuals} if record else None
            data.append(_Row("data", cells, truth))
        total: dict[str, _Value] = {
            "level": plan.style.label(plan.total_word), "collectives": _Sum(sum(f[0] for f in figures)),
                 "individuals": _Sum(sum(f[1] for f in figures))}
        return _Table("04", plan.sheet_names["04"], self.title("04", len(cols) - 1, month_back), cols,
                      [*data, _Row("total", total)], "level", two_row)

    # ------------------------------------------------------------------ figures of a sheet

    def figures(self, code: str, rng: random.Random | None = None) -> Any:
        """The figures of sheet ``code``; with ``rng``, other figures (an older copy of the sheet)."""
        communes = self.plan.province.communes
        figures: list[dict[str, Any]]
        if code == "01":
            figures = [{"officers": c.officers, "chiefs": c.chiefs, "deputies": c.deputies, "staffed": c.staffed,
                        "note": c.note} for c in communes]
            if rng:
                for f in figures:
                    f["officers"] = max(f["officers"] - rng.choice((0, 0, 1, 2)), f["deputies"] + 1)
                    if f["staffed"] and rng.random() < 0.3:
                        f["staffed"] = None
            return figures
        if code == "02":
            figures = [{**c.activity, "note": c.note02} for c in communes]
            if rng:
                for f in figures:
                    f["tips_received"] += rng.choice((0, 1, 2))
                    f["admin_violation_cases"] += rng.choice((0, 0, 1))
                    f["fines_vnd"] += 500_000 * rng.choice((0, 0, 1))
            return figures
        figures4 = list(self.plan.province.commendations)
        if rng:
            figures4 = [(c + rng.randint(0, 3), i + rng.randint(1, 5)) for c, i in figures4]
        return figures4

    def extra_row(self, code: str, edit: _Edit, rng: random.Random) -> tuple[_Row, dict[str, int]]:
        """The row of a commune the province has no unit of, written after row ``edit.index`` in
        its district and the workbook's spelling; the row and the figures it adds to the sums."""
        plan, row = self.plan, edit.row
        district = self.written[edit.index][0]
        name = plan.style.unit(row["name"], row["base_name"], row["unit_type"], spaces=False)
        cells: dict[str, _Value] = {"stt": 0}
        if self.spec.districts:
            cells["district"] = district
        cells.update({"name": name, "code": None})
        keys: tuple[str, ...]
        if code == "01":
            keys = ("officers", "chiefs", "deputies")
            cells.update({key: _figure(row[key], plan) for key in keys})
            cells["date"] = _date_value(row["staffed"], plan, rng)
            truth = {"unit_code": None, **{key: row[key] for key in keys},
                     "staffed_date": row["staffed"].isoformat() if row["staffed"] else None,
                     "row": -1, "district": district, "name": name}
        else:
            keys = ACTIVITY_KEYS
            for key in keys:
                cells[key] = _figure(row[key], plan, blank_zero=rng.random() < plan.blank_rate)
            truth = {"row": -1, "unit_code": None, "district": district, "name": name, **{k: row[k] for k in keys}}
        cells["note"] = None
        truth.update(expect="quarantine", rule=edit.rule)
        return _Row("data", cells, truth), {key: row[key] for key in keys}

    def table(self, code: str, record: bool, rng: random.Random | None = None, month_back: int = 0) -> _Table:
        if code == "01":
            return self.table_01(self.figures(code, rng), record, month_back)
        if code == "02":
            return self.table_02(self.figures(code, rng), record, month_back)
        return self.table_04(self.figures(code, rng), record, month_back)


def _lookup_rows(names: list[tuple[str, str]]) -> list[list[str]]:
    return [["Mã", "Tên đơn vị"], *[[code, name] for code, name in names]]


def _write_lines(book: _Book, name: str, lines: Sequence[Sequence[str]], hidden: bool = False) -> _Sheet:
    sheet = book.sheet(name)
    if hidden:
        sheet.hide()
    for r, line in enumerate(lines):
        for c, text in enumerate(line):
            sheet.text(r, c, text, "plain")
    sheet.width(0, 12 if hidden else 60)
    return sheet


def _notes_lines(plan: _Plan, extra_name: str, as_of: str) -> list[list[str]]:
    formula_like = "formula_like_text" in plan.departures
    place = f"Công an {plan.province.unit_type} {plan.province.short_name}"
    if extra_name == "Hướng dẫn":
        bullet = "+" if formula_like else "-"
        if plan.kind == ID_CARD_2021:
            body = ["Cột Ngày: ngày thu nhận hồ sơ.", "Cột Huyện: đơn vị thu nhận.",
                    "Số hồ sơ: số hồ sơ CCCD thu nhận trong ngày."]
        else:
            body = ["Biểu 01: bố trí Công an chính quy về xã.", "Biểu 02: tình hình, kết quả bảo đảm ANTT.",
                    "Biểu 04: khen thưởng trong tháng."]
        return [["HƯỚNG DẪN GHI BIỂU"], *[[f"{bullet} {line}"] for line in body]]
    lines = [["Ghi chú:"], [f"- Số liệu tính đến ngày {as_of}."], [f"- Đầu mối: Phòng Tham mưu, {place}."]]
    if formula_like:
        lines.append(["=> Số liệu đã được lãnh đạo duyệt"])
        lines.append(["+ Kèm theo công văn báo cáo"])
    return lines


def _write_monthly(spec: _Monthly, plan: _Plan, out_dir: Path, district_info: dict[str, _District],
                   rng: random.Random, tweak: _Tweak | None = None) -> dict[str, Any]:
    """Write one monthly workbook (sheets 01, 02, 04 and any extra or hidden sheets); its truth entry.

    ``tweak`` (seeded faults, a late arrival, a correction) changes the data sheets after they
    are drawn and draws from its own generator, so ``rng`` is consumed as without it."""
    province, deps, style = plan.province, plan.departures, plan.style
    communes = province.communes
    # Names first: whether the workbook needs codes depends on how it spells them.
    stray_rows = set(rng.sample(range(len(communes)), max(1, len(communes) // 5))) \
        if "names_stray_spaces" in deps else set()
    written: list[tuple[str | None, str]] = []
    for i, commune in enumerate(communes):
        district = None
        if spec.districts:
            d_name, d_base, d_type = district_info[commune.district_code or ""]
            district = style.unit(d_name, d_base, d_type, i in stray_rows and rng.random() < 0.3)
        written.append((district, style.unit(commune.name, commune.base_name, commune.unit_type, i in stray_rows)))
    phuong_written = [(style.unit(*district_info[p.unit.district_code or ""], spaces=False) if spec.districts
                       else None, style.unit(p.typed, p.base, "phường", spaces=False)) for p in plan.phuong]
    has_codes = plan.has_codes or _needs_codes(written + phuong_written)
    book_plan = _MonthlyBook(spec, plan, district_info, written, has_codes, rng, phuong_written)
    arrival = _arrival(spec.as_of, rng)
    created = arrival - timedelta(minutes=rng.randint(20, 600))
    file_name = _monthly_file_name(plan, spec.period)
    if tweak is not None:
        if tweak.arrival is not None:
            if not tweak.keep_created:  # prepared shortly before it was sent
                created = tweak.arrival - (arrival - created)
            arrival = tweak.arrival
        stem, ext = file_name.rsplit(".", 1)
        file_name = f"{stem}{tweak.suffix}.{ext}"
    path = out_dir / file_name
    book = _Book(path, plan.fmt, created,
                 _REPORT_TITLE[spec.kind].capitalize(), f"Công an {province.unit_type} {province.short_name}")

    # The sheets in workbook order: data sheets, an extra sheet before or after, hidden ones anywhere.
    slots: list[tuple[str, str]] = [("data", code) for code in plan.order]
    for name, content, position in plan.hidden:
        slots.insert(min(position, len(slots)), ("hidden", f"{name}|{content}"))
    if plan.extra_sheet:
        slots.insert(0 if plan.extra_sheet[1] else len(slots), ("extra", plan.extra_sheet[0]))
    if plan.chart:
        slots.insert(0 if plan.chart[1] else len(slots), ("chart", plan.chart[0]))
    sheets: dict[str, Any] = {}
    data_handles: list[_Sheet] = []
    hidden_truth = []
    chart_sheet = None
    for what, arg in slots:
        if what == "data":
            table = book_plan.table(arg, record=True)
            extra = {}
            if tweak is not None:
                extra = _apply_edits(table, [e for e in tweak.edits if e.sheet == arg], book_plan, tweak.rng)
            handle, entry = _write_table(book, table, deps)
            if arg in ("01", "02"):
                entry["has_codes"] = has_codes
            for cell in extra.get("corrected_cells", ()):  # row indices are known once written
                cell["row"] = next(r["row"] for r in entry["rows"] if r["unit_code"] == cell["unit_code"])
            entry.update(extra)
            sheets[arg] = entry
            data_handles.append(handle)
        elif what == "extra":
            _write_lines(book, arg, _notes_lines(plan, arg, _dmy(spec.as_of)))
        elif what == "chart":
            chart_sheet = book.chartsheet(arg)
        else:
            name, content = arg.split("|")
            hidden_truth.append({"name": name, "content": content})
            if content == "lookup":
                _write_lines(book, name, _lookup_rows([(c.unit_code, c.name) for c in communes]), hidden=True)
            else:  # a copy of a data sheet with other figures: the same month, or the month before
                code = rng.choice(("01", "02", "04"))
                copy = book_plan.table(code, record=False, rng=rng, month_back=1 if content == "old_month" else 0)
                copy.name = name
                _write_table(book, copy, deps, hidden=True)
                hidden_truth[-1]["copy_of"] = code
    if chart_sheet is not None:
        _chart(book, chart_sheet, sheets["01"], spec)
    book.close(data_handles[0])
    stamp = arrival.timestamp()
    os.utime(path, (stamp, stamp))
    entry = _entry(plan, file_name, spec.kind, spec.era, f"{spec.period[0]:04d}-{spec.period[1]:02d}",
                   spec.as_of.isoformat(), None, None, book, hidden_truth, arrival, sheets)
    if tweak is not None:
        entry["faults"] = [f for f in FAULTS if f in tweak.faults]
        entry.update(tweak.extra)
    return entry


def _chart(book: _Book, chart_sheet: Any, sheet: dict[str, Any], spec: _Monthly) -> None:
    """chart_sheet: a column chart of sheet 01's officers per unit (the rows from the first data
    row to the one above the total, subtotals included, as a clerk selects them)."""
    name, first, last = sheet["sheet_name"], sheet["first_data_row"], sheet["total_row"] - 1
    units, officers = sheet["columns"]["name"], sheet["columns"]["officers"]
    chart = book.xlsx.add_chart({"type": "column"})
    chart.add_series({"name": "Số CA chính quy", "categories": [name, first, units, last, units],
                      "values": [name, first, officers, last, officers], "gap": 60})
    unit = "xã, thị trấn" if spec.districts else "xã, phường, đặc khu"
    chart.set_title({"name": f"Số CA chính quy đã bố trí theo {unit} - tháng {spec.period[1]}/{spec.period[0]}"})
    chart.set_legend({"none": True})
    chart_sheet.set_chart(chart)


def _entry(plan: _Plan, file_name: str, kind: str, era: str, period: str | None, as_of: str | None,
           date_from: str | None, date_to: str | None, book: _Book,
           hidden: list[dict[str, str]], arrival: datetime, sheets: dict[str, Any]) -> dict[str, Any]:
    deps = set(plan.departures)
    if book.formula_like:
        deps.add("formula_like_text")  # a random note like "=5 đồng chí" counts too
    return {
        "file": file_name,
        "kind": kind,
        "era": era,
        "province_code": plan.province.code,
        "province_name": plan.province.full_name,
        "period": period,
        "as_of_date": as_of,
        "date_from": date_from,
        "date_to": date_to,
        "departures": [d for d in DEPARTURES if d in deps],
        "faults": [],
        "format": plan.fmt,
        "sheet_names": list(book.names),
        "hidden_sheets": hidden,
        "extra_sheets": [plan.extra_sheet[0]] if plan.extra_sheet else [],
        "chart_sheets": [plan.chart[0]] if plan.chart else [],
        "modified": arrival.isoformat(),
        "sheets": dict(sorted(sheets.items())),
    }


# --------------------------------------------------------------------------- ID-card report


def _write_id_card(plan: _Plan, card: _IdCard, half: int, district_names: list[str], out_dir: Path,
                   rng: random.Random) -> dict[str, Any]:
    """Write one half-month CCCD workbook (sheet 03); its truth entry."""
    first, last = HALF_MONTHS[half]
    deps, style, province = plan.departures, plan.style, plan.province
    days = _campaign_days()
    offset = days.index(first)
    span = (last - first).days + 1
    merged = "merged_date_cells" in deps
    two_row = "two_row_header" in deps
    cols = [_Col("date", "Ngày", width=12), _Col("unit", "Huyện, thị xã, thành phố", width=26),
            _Col("applications", plan.wordings.get("applications", "Số hồ sơ thu nhận trong ngày"),
                 "Thu nhận hồ sơ CCCD" if two_row else None, width=16)]
    cols = _arrange(cols, plan.columns.get("03"), "03", "separator_column" in deps)
    stray = "names_stray_spaces" in deps
    target_text = f"Chỉ tiêu được giao: {_vn_int(card.target)} hồ sơ, thời hạn {_dmy(ID_CARD_DEADLINE)}"
    period = f"Từ ngày {first.day:02d}/{first.month}/{first.year} đến ngày {last.day:02d}/{last.month}/{last.year}"
    title, target_row = _title_rows(province.police, _REPORT_TITLE[ID_CARD_2021], period, plan.title_size,
                                    _UNIT_LINE["03"], len(cols) - 1, target_text)

    def table(counts: list[list[int]], record: bool) -> _Table:
        rows: list[_Row] = []
        noted = set(rng.sample(range(span * len(card.districts)), 2)) if "values_with_notes" in deps else set()
        for d in range(span):
            day = first + timedelta(days=d)
            value = _date_value(day, plan, rng)
            for k, district in enumerate(card.districts):
                count = counts[d][k]
                name = district_names[k]
                if stray and rng.random() < 0.15:
                    name = _stray_spaces(name, rng)
                note = rng.choice(_VALUE_NOTES["03"]) if d * len(card.districts) + k in noted else None
                cells: dict[str, _Value] = {"unit": name, "applications": _figure(count, plan, note)}
                row = _Row("data", cells)
                if not merged:
                    cells["date"] = value if not plan.date_formats else _date_value(day, plan, rng)
                elif k == 0:
                    cells["date"] = value
                    row.merge_down["date"] = len(card.districts)
                if record:
                    row.truth = {"row": -1, "report_date": day.isoformat(), "unit_code": district, "name": name,
                                 "applications": count}
                rows.append(row)
            if "day_subtotals" in deps:
                label = style.label(f"Cộng ngày {day:%d/%m}")
                rows.append(_Row("subtotal", {"date": None, "unit": label, "applications": _Sum(sum(counts[d]))}))
        total = _Sum(sum(map(sum, counts)))
        rows.append(_Row("total", {"date": style.label(plan.total_word), "unit": None, "applications": total}))
        return _Table("03", plan.sheet_names["03"], title, cols, rows, "date", two_row, target_row)

    counts = card.daily[offset: offset + span]
    arrival = _arrival(last + timedelta(days=1), rng)
    file_name = _id_card_file_name(plan, first, last)
    path = out_dir / file_name
    book = _Book(path, plan.fmt, arrival - timedelta(minutes=rng.randint(20, 600)),
                 "Báo cáo tiến độ thu nhận hồ sơ CCCD", f"Công an {province.unit_type} {province.short_name}")
    slots: list[tuple[str, str]] = [("data", "03")]
    for name, content, position in plan.hidden:
        slots.insert(min(position, len(slots)), ("hidden", f"{name}|{content}"))
    if plan.extra_sheet:
        slots.insert(0 if plan.extra_sheet[1] else len(slots), ("extra", plan.extra_sheet[0]))
    sheets: dict[str, Any] = {}
    data_handle = None
    hidden_truth = []
    for what, arg in slots:
        if what == "data":
            data_handle, entry = _write_table(book, table(counts, record=True), deps)
            entry.update({"target": card.target, "deadline": ID_CARD_DEADLINE.isoformat(),
                          "target_cell": [target_row, 0], "date_cells": "merged" if merged else "repeated"})
            sheets["03"] = entry
        elif what == "extra":
            _write_lines(book, arg, _notes_lines(plan, arg, _dmy(last)))
        else:
            name, content = arg.split("|")
            hidden_truth.append({"name": name, "content": content})
            if content == "lookup":
                _write_lines(book, name, _lookup_rows(list(zip(card.districts, district_names, strict=True))),
                             hidden=True)
            else:  # an earlier draft of the same half-month, with lower figures
                older = [[round(c * rng.uniform(0.8, 0.98)) for c in day] for day in counts]
                copy = table(older, record=False)
                copy.name = name
                _write_table(book, copy, deps, hidden=True)
                hidden_truth[-1]["copy_of"] = "03"
    assert data_handle is not None
    book.close(data_handle)
    stamp = arrival.timestamp()
    os.utime(path, (stamp, stamp))
    return _entry(plan, file_name, ID_CARD_2021, ERA, None, None, first.isoformat(), last.isoformat(), book,
                  hidden_truth, arrival, sheets)


def _district_names(plan: _Plan, card: _IdCard, district_info: dict[str, _District]) -> list[str]:
    """The district names as a province writes them; with no code column in sheet 03, lossy
    spellings that would make two districts alike ('Cai Lậy' town and district) stay in full."""
    written = [plan.style.unit(*district_info[code], spaces=False) for code in card.districts]
    keys = [_key(w) for w in written]
    for i, key in enumerate(keys):
        if keys.count(key) > 1:
            written[i] = plan.style.label(district_info[card.districts[i]][0])
    return written


# --------------------------------------------------------------------------- seeded faults


@dataclass
class _Edit:
    """One change a data sheet gets after it is drawn: a seeded fault or a corrected figure."""

    sheet: str     # '01' or '02'
    what: str      # 'insert' (an extra row after row ``index``), 'set' (a cell of row ``index``), 'total'
    index: int = -1  # commune index in the province's list
    column: str = ""
    value: int = 0   # 'set': the figure written; 'total': how far the stated total is from the sum
    row: dict[str, Any] = field(default_factory=dict)  # 'insert': name parts and figures
    rule: str | None = None  # the error rule the row fails (it must be quarantined); None for a correction


@dataclass
class _Tweak:
    """What one workbook gets beyond its plan."""

    rng: random.Random  # the kind's fault generator (blank zeros and date spellings of inserted rows)
    edits: list[_Edit] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    arrival: datetime | None = None
    suffix: str = ""     # appended to the file name's stem (a correction)
    keep_created: bool = False  # the workbook's creation time stays that of the first file
    extra: dict[str, Any] = field(default_factory=dict)  # extra keys of the workbook's truth entry


@dataclass
class _Faults:
    """The seeded faults of one monthly kind, drawn before any workbook is written."""

    rng: random.Random
    tweaks: dict[str, _Tweak] = field(default_factory=dict)  # by province code
    where: dict[str, str] = field(default_factory=dict)  # fault -> province code
    correction: tuple[str, _Tweak] | None = None  # the province that resends, and its second file

    def tweak(self, code: str, fault: str) -> _Tweak:
        tweak = self.tweaks.setdefault(code, _Tweak(self.rng))
        tweak.faults.append(fault)
        self.where[fault] = code
        return tweak


def _fold(text: str) -> str:
    return _key(_ascii(text))


def _foreign_name(kind: str, province: _Province, legacy: list[_Province],
                  rng: random.Random) -> tuple[str, str | None, str]:
    """A xã name the province has no unit of, even without diacritics or type word: for April
    2021 a commune of another province; for October 2026 a pre-merger commune of the old
    province with the same code, whose name the merger retired (a clerk's old habit)."""
    era = ERA if kind == MONTHLY_2021 else reference.ERA2025
    units = reference.admin_units()
    mine = units[(units.admin_era == era) & (units.level == "commune") & (units.province_code == province.code)]
    taken = {_fold(n) for n in mine.name} | {_fold(re.sub(r"\s*\([^)]*\)$", "", s)) for s in mine.short_name}
    pool = [c for p in legacy if (p.code != province.code) == (kind == MONTHLY_2021)
            for c in p.communes if c.unit_type == "xã" and c.base_name]
    while True:
        commune = rng.choice(pool)
        if _fold(commune.name) not in taken and _fold(commune.base_name or "") not in taken:
            return commune.name, commune.base_name, commune.unit_type


def _draw_faults(kind: str, provinces: list[_Province], legacy: list[_Province], rng: random.Random) -> _Faults:
    """Which provinces carry which fault, and every fault that needs no sheet 02 figures (those
    come in ``_draw_activity_faults``, after sheet 02 is drawn): the staffing figures alone
    decide the national totals, whichever kinds are generated. Never Hải Dương."""
    faults = _Faults(rng)
    by_code = {p.code: p for p in provinces}
    legacy_kind = kind == MONTHLY_2021
    picks = rng.sample(sorted(code for code in by_code if code != HAI_DUONG), 5 if legacy_kind else 3)
    unknown, negative, mismatch = picks[:3]

    # An unknown commune: one extra row after the same row of sheets 01 and 02, in the sums.
    province = by_code[unknown]
    after = rng.randrange(len(province.communes))
    name, base, unit_type = _foreign_name(kind, province, legacy, rng)
    if legacy_kind:
        officers = rng.choices(list(_OFFICER_WEIGHTS), list(_OFFICER_WEIGHTS.values()))[0]
        deputies = min(officers - 1, rng.choice((1, 2)))
        staffed: date | None = AS_OF - timedelta(days=rng.randint(10, 400))
    else:
        officers, deputies, staffed = rng.randint(8, 24), rng.choice((2, 3)), reference.ERA_SWITCH_DATE
    row = {"name": name, "base_name": base, "unit_type": unit_type, "officers": officers, "chiefs": 1,
           "deputies": deputies, "staffed": staffed, **_activity(1.0 if legacy_kind else 2.5, rng)}
    tweak = faults.tweak(unknown, "unknown_unit")
    tweak.edits += [_Edit(sheet, "insert", after, row=row, rule="unknown_unit") for sheet in ("01", "02")]

    # A negative figure: deputies -1 in sheet 01 of 2026 here; a sheet 02 count of 2021 later.
    tweak = faults.tweak(negative, "negative")
    if not legacy_kind:
        tweak.edits.append(_Edit("01", "set", rng.randrange(len(by_code[negative].communes)), "deputies", -1,
                                 rule="negative"))

    # A total that does not add up: officers in sheet 01 of 2021; a sheet 02 column in 2026.
    if legacy_kind:
        sheet, column, offset = "01", "officers", rng.choice((-10, -2, -1, 1, 2, 10))
    else:
        sheet, column = "02", rng.choice(("tips_received", "admin_violation_cases", "fines_vnd"))
        offset = rng.choice((-1, 1)) * (500_000 * rng.randint(1, 4) if column == "fines_vnd" else rng.randint(1, 5))
    faults.tweak(mismatch, "total_mismatch").edits.append(_Edit(sheet, "total", column=column, value=offset))

    if legacy_kind:
        late, resend = picks[3:]
        tweak = faults.tweak(late, "late")
        tweak.arrival, tweak.extra["late"] = LATE_ARRIVAL, True
        # The correction: two or three communes' officers (their tips come later).
        correction = _Tweak(rng, faults=["correction"], arrival=CORRECTION_ARRIVAL, keep_created=True,
                            suffix=rng.choice(_CORRECTION_SUFFIXES))
        communes = by_code[resend].communes
        chosen: list[int] = []
        count = rng.randint(2, 3)
        while len(chosen) < count:
            index = rng.randrange(len(communes))
            commune = communes[index]
            steps = [d for d in (1, 2, -1)
                     if 3 <= commune.officers + d <= 9 and commune.officers + d > commune.deputies]
            if index in chosen or not steps:
                continue
            chosen.append(index)
            correction.edits.append(_Edit("01", "set", index, "officers", commune.officers + rng.choice(steps)))
        correction.edits.sort(key=lambda e: e.index)
        faults.correction = (resend, correction)
        faults.where["correction"] = resend
    return faults


def _draw_activity_faults(faults: _Faults, provinces: list[_Province]) -> None:
    """Faults that depend on sheet 02's figures (April 2021): a sign slip on a commune's count
    of administrative-violation cases (a column no cross-field rule reads, so that "nothing
    negative" is the one rule the row fails: a negative tips count would also put it below the
    crime reports), and the correction of one commune's tips (still above its crime reports)."""
    if "correction" not in faults.where:  # April 2021 only
        return
    rng = faults.rng
    by_code = {p.code: p for p in provinces}
    communes = by_code[faults.where["negative"]].communes
    cases = [i for i, c in enumerate(communes) if c.activity["admin_violation_cases"] > 0]
    index = rng.choice(cases)
    faults.tweaks[faults.where["negative"]].edits.append(_Edit(
        "02", "set", index, "admin_violation_cases", -communes[index].activity["admin_violation_cases"],
        rule="negative"))
    assert faults.correction is not None
    code, correction = faults.correction
    communes = by_code[code].communes
    busy = [i for i, c in enumerate(communes) if c.activity["tips_received"] > c.activity["crime_reports"]]
    index = rng.choice(busy)
    tips = communes[index].activity["tips_received"]
    correction.edits.append(_Edit("02", "set", index, "tips_received",
                                  tips + rng.choice((1, 2, 3) if tips == 1 else (-1, 1, 2, 3))))


def _national(provinces: list[_Province], faults: _Faults) -> dict[str, int]:
    """Staffing totals over the sheet 01 rows that load from each province's final file: the
    correction's figures where a province resent, without the quarantined rows (an unknown
    commune names no unit; a commune's row with a negative figure is rejected whole)."""
    totals = {"provinces": len(provinces), "communes": 0, "officers": 0, "chiefs": 0, "deputies": 0}
    for province in provinces:
        final = faults.tweaks.get(province.code)
        if faults.correction is not None and faults.correction[0] == province.code:
            final = faults.correction[1]
        edits = [e for e in final.edits if e.sheet == "01" and e.what == "set"] if final else []
        for i, commune in enumerate(province.communes):
            figures = {"officers": commune.officers, "chiefs": commune.chiefs, "deputies": commune.deputies}
            rejected = False
            for edit in (e for e in edits if e.index == i):
                figures[edit.column] = edit.value
                rejected |= edit.rule is not None
            if rejected:
                continue
            totals["communes"] += 1
            for key, value in figures.items():
                totals[key] += value
    return totals


def _restyle(old: _Value, value: int, plan: _Plan) -> _Value:
    """A corrected figure written as the cell it replaces was (a trailing note stays)."""
    if isinstance(old, str):
        noted = re.fullmatch(r"[\d.]+ \((.+)\)", old)
        if noted:
            return f"{_vn_int(value)} ({noted.group(1)})"
    return _figure(value, plan)


def _shift_sums(table: _Table, position: int, deltas: dict[str, int]) -> None:
    """Add ``deltas`` to the subtotal covering row ``position`` (if any) and to the total."""
    covered = False
    for row in table.rows[position + 1:]:
        if row.kind == "data" or (row.kind == "subtotal" and covered):
            continue
        for key, delta in deltas.items():
            value = row.cells.get(key)
            if isinstance(value, _Sum):
                row.cells[key] = _Sum(value.value + delta)
        if row.kind == "total":
            return
        covered = True


def _apply_edits(table: _Table, edits: list[_Edit], book: _MonthlyBook, rng: random.Random) -> dict[str, Any]:
    """Apply one data sheet's edits to its table: cells, truth rows and every sum covering them,
    as a clerk's formulas would (the stated total of a 'total' edit excepted); the sheet's extra
    truth ("total_mismatch", "corrected_cells")."""
    plan = book.plan
    extra: dict[str, Any] = {}
    at = [p for p, row in enumerate(table.rows) if row.kind == "data" and not row.phuong]  # each commune's row
    for edit in (e for e in edits if e.what == "set"):
        row = table.rows[at[edit.index]]
        assert row.truth is not None
        old = row.truth[edit.column]
        row.cells[edit.column] = _figure(edit.value, plan) if edit.rule else _restyle(row.cells[edit.column],
                                                                                      edit.value, plan)
        row.truth[edit.column] = edit.value
        if edit.rule:
            row.truth.update(expect="quarantine", rule=edit.rule, column=edit.column)
        else:
            extra.setdefault("corrected_cells", []).append({
                "unit_code": row.truth["unit_code"], "row": -1, "col": table.columns.index(
                    next(c for c in table.columns if c.key == edit.column)),
                "column": edit.column, "was": old, "now": edit.value})
        _shift_sums(table, at[edit.index], {edit.column: edit.value - old})
    inserts = sorted((e for e in edits if e.what == "insert"), key=lambda e: -e.index)
    for edit in inserts:
        row, figures = book.extra_row(table.code, edit, rng)
        table.rows.insert(at[edit.index] + 1, row)
        _shift_sums(table, at[edit.index] + 1, figures)
    if inserts:  # the clerk numbered the rows again
        for number, row in enumerate((r for r in table.rows if r.kind == "data"), 1):
            row.cells["stt"] = number
    for edit in (e for e in edits if e.what == "total"):
        total = next(row for row in table.rows if row.kind == "total")
        summed = total.cells[edit.column]
        assert isinstance(summed, _Sum)
        stated = summed.value + edit.value if summed.value + edit.value >= 0 else summed.value - edit.value
        total.cells[edit.column] = _figure(stated, plan)  # typed over the formula, if there was one
        extra["total_mismatch"] = {"column": edit.column, "stated": stated, "sum": summed.value}
    return extra


# --------------------------------------------------------------------------- kinds


def _retoned(names: Sequence[str]) -> bool:
    """Whether old_tone_marks changes any of ``names``."""
    return any(_move_tones(name) != name for name in names)


def _generate_monthly(kind: str, provinces: list[_Province], district_info: dict[str, _District], out_dir: Path,
                      rng: random.Random, faults: _Faults, later: random.Random) -> list[dict[str, Any]]:
    spec = _MONTHLY[kind]
    departures = _choose_departures([p.code for p in provinces], kind, rng)
    retoned = {p.code for p in provinces
               if _retoned([c.name for c in p.communes] + [district_info[d][0] for d in p.districts])}
    _choose_later(kind, departures, {"old_tone_marks": retoned}, later)
    plans = []
    hidden_index = 0
    for province in provinces:
        plans.append(_plan(kind, province, departures[province.code], hidden_index, rng))
        hidden_index += len(plans[-1].hidden)
        _plan_later(plans[-1], later)
    entries = []
    replay: tuple[_Plan, Any, dict[str, Any]] | None = None
    resend = faults.correction[0] if faults.correction is not None else None
    for plan in plans:
        state = rng.getstate() if plan.province.code == resend else None
        entries.append(_write_monthly(spec, plan, out_dir, district_info, rng, faults.tweaks.get(plan.province.code)))
        if state is not None:
            replay = (plan, state, entries[-1])
    if replay is not None and faults.correction is not None:
        # The resent file: the same workbook drawn again from the same state (same layout, names,
        # notes and hidden sheets), with the corrected cells; it arrives last, so it is listed last.
        plan, state, original = replay
        twin = random.Random()
        twin.setstate(state)
        plan = replace(plan, style=_Style(plan.departures, twin))
        tweak = faults.correction[1]
        tweak.extra["corrects"] = original["file"]
        entries.append(_write_monthly(spec, plan, out_dir, district_info, twin, tweak))
        original["corrected_by"] = entries[-1]["file"]
    return entries


def _generate_id_cards(provinces: list[_Province], district_info: dict[str, _District], cards: dict[str, _IdCard],
                       out_dir: Path, rng: random.Random, later: random.Random) -> list[dict[str, Any]]:
    departures = _choose_departures([p.code for p in provinces], ID_CARD_2021, rng)
    retoned = {p.code for p in provinces if _retoned([district_info[d][0] for d in p.districts])}
    _choose_later(ID_CARD_2021, departures, {"old_tone_marks": retoned}, later)
    entries = []
    hidden_index = 0
    for province in provinces:
        plan = _plan(ID_CARD_2021, province, departures[province.code], hidden_index, rng)  # the province's habits
        hidden_index += len(plan.hidden)
        _plan_later(plan, later)
        card = cards[province.code]
        names = _district_names(plan, card, district_info)
        for half in range(len(HALF_MONTHS)):
            entries.append(_write_id_card(plan, card, half, names, out_dir, rng))
    return entries


# --------------------------------------------------------------------------- broken files


def _pdf_bytes(province: _Province) -> bytes:
    """A one-page PDF (a scanned report), the bytes of a file that is no spreadsheet at all."""
    text = f"BAO CAO KET QUA TRIEN KHAI CONG AN XA CHINH QUY - {_ascii(province.police)} - THANG 4/2021"
    stream = f"BT /F1 11 Tf 40 800 Td ({text}) Tj ET".encode("ascii")
    parts = [
        b"%PDF-1.4", b"%\xe2\xe3\xcf\xd3",
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj",
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj",
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >> endobj",
        b"4 0 obj << /Length %d >> stream" % len(stream), stream, b"endstream endobj",
        b"5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj",
        b"trailer << /Root 1 0 R >>", b"%%EOF",
    ]
    return b"\n".join(parts) + b"\n"


@contextlib.contextmanager
def _seeded_msoffcrypto(rng: random.Random, when: datetime) -> Iterator[bool]:
    """For its duration, msoffcrypto-tool draws its salts and keys from ``rng`` (instead of
    ``secrets``) and stamps its container with ``when`` (instead of the current time), so that an
    encrypted sample file is the same bytes for a seed; yields False, changing nothing, where this
    version of the package has no such hooks."""
    from msoffcrypto.method import ecma376_agile
    from msoffcrypto.method.container import ecma376_encrypted

    if not (hasattr(ecma376_agile, "_random_buffer") and hasattr(ecma376_encrypted, "datetime")):
        yield False
        return
    naive = when.astimezone(UTC).replace(tzinfo=None)

    class _Clock(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return naive

    saved = ecma376_agile._random_buffer, ecma376_encrypted.datetime
    ecma376_agile._random_buffer = rng.randbytes
    ecma376_encrypted.datetime = _Clock
    try:
        yield True
    finally:
        ecma376_agile._random_buffer, ecma376_encrypted.datetime = saved


def _encrypt(data: bytes, rng: random.Random, when: datetime) -> tuple[bytes, bool]:
    """An .xlsx workbook encrypted with ``BROKEN_PASSWORD`` as Excel does (ECMA-376 agile, AES-256 in
    an OLE container); and whether the bytes are reproducible (``_seeded_msoffcrypto``)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with _seeded_msoffcrypto(rng, when) as seeded:
        OOXMLFile(io.BytesIO(data)).encrypt(BROKEN_PASSWORD, out)
    return out.getvalue(), seeded


def _write_blank(province: _Province, district_info: dict[str, _District], path: Path, created: datetime,
                 rng: random.Random) -> list[str]:
    """blank_template: the province's April 2021 workbook as the template has it (title block, headers,
    the units listed with their numbers, the level labels and the total rows) with every figure,
    date and note cell empty; its sheet names."""
    spec = _MONTHLY[MONTHLY_2021]
    plan = _plan(MONTHLY_2021, province, set(), 0, rng)
    written: list[tuple[str | None, str]] = [
        (plan.style.unit(*district_info[c.district_code or ""], spaces=False),
         plan.style.unit(c.name, c.base_name, c.unit_type, spaces=False)) for c in province.communes]
    book_plan = _MonthlyBook(spec, plan, district_info, written, plan.has_codes, rng)
    book = _Book(path, "xlsx", created, _REPORT_TITLE[spec.kind].capitalize(),
                 f"Công an {province.unit_type} {province.short_name}")
    handles = []
    for code in plan.order:
        table = book_plan.table(code, record=False)
        for row in table.rows:
            for key, value in row.cells.items():
                if isinstance(value, _Sum) or (row.kind == "data" and key not in ("stt", "district", "name", "code",
                                                                                    "level")):
                    row.cells[key] = None
        handles.append(_write_table(book, table, set())[0])
    book.close(handles[0])
    return list(book.names)


def _write_broken(entries: list[dict[str, Any]], provinces: list[_Province], district_info: dict[str, _District],
                  out_dir: Path, rng: random.Random) -> list[dict[str, Any]]:
    """The broken files of April 2021 (``BROKEN_FILES``), each once, beside the good reports: each
    from its own province (never Hải Dương), one whose good report is an on-time .xlsx file with no
    fault, named after it and arriving on the afternoon of 23/4/2021; their truth entries."""
    by_code = {p.code: p for p in provinces}
    sources = [e for e in entries if e["kind"] == MONTHLY_2021 and e["format"] == "xlsx" and not e["faults"]
               and "corrected_by" not in e and e["province_code"] != HAI_DUONG]
    out = []
    for broken, source in zip(BROKEN_FILES, rng.sample(sources, len(BROKEN_FILES)), strict=True):
        province = by_code[source["province_code"]]
        plain, _, slug = _province_words(province)
        stem = source["file"].rsplit(".", 1)[0]
        arrival = _arrival(AS_OF, rng)
        names: list[str] = []
        reproducible = True
        if broken == "not_a_spreadsheet":
            file_name, data = f"Bao cao CAX thang 4.2021 - {plain}.xlsx", _pdf_bytes(province)
        elif broken == "empty_file":
            file_name, data = f"{province.code}_{slug}_BC_T04-2021.xlsx", b""
        elif broken == "truncated":  # a download or copy cut short
            good = (out_dir / source["file"]).read_bytes()
            file_name, data = f"{stem} (1).xlsx", good[: len(good) // 2]
        elif broken == "password_protected":
            good = (out_dir / source["file"]).read_bytes()
            file_name = f"{stem} (mat khau).xlsx"
            data, reproducible = _encrypt(good, random.Random(rng.getrandbits(64)), arrival)
        else:
            file_name, data = f"Mau bieu thang 4-2021 - {plain}.xlsx", None
        path = out_dir / file_name
        if data is None:
            names = _write_blank(province, district_info, path, arrival - timedelta(minutes=rng.randint(5, 60)),
                                 random.Random(rng.getrandbits(64)))
        else:
            path.write_bytes(data)
        stamp = arrival.timestamp()
        os.utime(path, (stamp, stamp))
        entry: dict[str, Any] = {
            "file": file_name, "kind": MONTHLY_2021, "era": ERA, "province_code": province.code,
            "province_name": province.full_name, "period": f"{PERIOD[0]:04d}-{PERIOD[1]:02d}",
            "as_of_date": AS_OF.isoformat(), "date_from": None, "date_to": None, "departures": [], "faults": [],
            "format": "xlsx", "sheet_names": names, "hidden_sheets": [], "extra_sheets": [], "chart_sheets": [],
            "modified": arrival.isoformat(), "sheets": {}, "broken": broken, "expect": "rejected",
        }
        if broken in ("truncated", "password_protected"):
            entry["copy_of"] = source["file"]
        if not reproducible:
            entry["reproducible"] = False
        out.append(entry)
    return out


def _truth_text(truth: dict[str, Any]) -> str:
    """JSON with one line per workbook: readable with grep, and fast (the C encoder needs indent=None)."""
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["{"]
    for key, value in truth.items():
        if key == "workbooks":
            items = [f"  {dump(entry)}" for entry in value]
            lines.append(f' {dump(key)}: [\n' + ",\n".join(items) + "\n ],")
        elif key == "id_card":
            items = [f"  {dump(code)}: {dump(entry)}" for code, entry in value.items()]
            lines.append(f' {dump(key)}: {{\n' + ",\n".join(items) + "\n },")
        else:
            lines.append(f" {dump(key)}: {dump(value)},")
    lines[-1] = lines[-1].rstrip(",")
    return "\n".join(lines) + "\n}\n"


def generate_samples(out_dir: Path, seed: int = 2021, kinds: tuple[str, ...] = ALL_KINDS) -> list[Path]:
    """Write the workbooks of ``kinds`` and ``truth.json`` into ``out_dir``; return the workbooks.

    Each kind draws from its own generator seeded from ``seed``, so a kind's files are the same
    bytes whichever other kinds are asked for; modification times are set to the simulated
    arrival moments. The April 2021 staffing figures (sheet 01) and ``national`` are drawn first
    from ``random.Random(seed)``, as before the other sheets existed.
    """
    unknown = set(kinds) - set(ALL_KINDS)
    if unknown:
        raise ValueError(f"unknown kinds: {sorted(unknown)}; expected some of {ALL_KINDS}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    provinces, district_info = _load_provinces()
    rng = random.Random(seed)
    _draw_figures(provinces, rng)
    faults = _draw_faults(MONTHLY_2021, provinces, provinces, random.Random(f"{seed}/faults/{MONTHLY_2021}"))
    entries: list[dict[str, Any]] = []
    id_card: dict[str, Any] = {}
    national_2026: dict[str, int] | None = None
    if MONTHLY_2021 in kinds:
        _draw_activity(provinces, 1.0, rng)
        _draw_commendations(provinces, rng)
        _draw_activity_faults(faults, provinces)
        entries += _generate_monthly(MONTHLY_2021, provinces, district_info, out_dir, rng, faults,
                                     random.Random(f"{seed}/later/{MONTHLY_2021}"))
        entries += _write_broken(entries, provinces, district_info, out_dir, random.Random(f"{seed}/broken"))
    if ID_CARD_2021 in kinds:
        rng_id = random.Random(f"{seed}/{ID_CARD_2021}")
        all_units = reference.communes(ERA)
        unit_counts = all_units.groupby("district_code").size().to_dict()
        cards = _draw_id_cards(provinces, unit_counts, rng_id)
        entries += _generate_id_cards(provinces, district_info, cards, out_dir, rng_id,
                                      random.Random(f"{seed}/later/{ID_CARD_2021}"))
        id_card = {code: _id_card_summary(cards[code]) for code in sorted(cards)}
    if MONTHLY_2026 in kinds:
        rng_26 = random.Random(f"{seed}/{MONTHLY_2026}")
        provinces_2025 = _load_provinces_2025()
        _draw_staffing_2026(provinces_2025, rng_26)
        _draw_activity(provinces_2025, 2.5, rng_26)
        _draw_commendations(provinces_2025, rng_26)
        faults_2026 = _draw_faults(MONTHLY_2026, provinces_2025, provinces,
                                   random.Random(f"{seed}/faults/{MONTHLY_2026}"))
        entries += _generate_monthly(MONTHLY_2026, provinces_2025, district_info, out_dir, rng_26, faults_2026,
                                     random.Random(f"{seed}/later/{MONTHLY_2026}"))
        national_2026 = _national(provinces_2025, faults_2026)
    files = [e["file"] for e in entries]
    if len(set(files)) != len(files):
        raise RuntimeError("two sample workbooks got the same file name")
    truth = {
        "seed": seed,
        "kinds": [k for k in ALL_KINDS if k in kinds],
        "departure_names": list(DEPARTURES),
        "fault_names": list(FAULTS),
        "broken_names": list(BROKEN_FILES),
        "national": _national(provinces, faults),
        "national_2026": national_2026,
        "workbooks": entries,
        "id_card": id_card,
    }
    (out_dir / "truth.json").write_text(_truth_text(truth), encoding="utf-8")
    return [out_dir / entry["file"] for entry in entries]
