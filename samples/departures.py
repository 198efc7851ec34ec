"""Which departures from the template each workbook shows.

Many workbooks depart from the template in the ways listed in docs/template.md, "What arrives in practice"
(``DEPARTURES``: title block size, two-row merged headers, header wording, name spellings,
numbers as text or with a trailing note, subtotals, SUM formulas, sheet names and order, date
encodings, total spellings, separator columns, extra and hidden sheets, old .xls files, text
beginning with "=" or "+", columns in another order, tone marks placed the other way ("Hoà"
for the reference's "Hòa"), phường listed beside the communes of a 2021 city, chart sheets);
every departure a kind can show is in at least three of its workbooks, and ``truth.json`` lists
those of each workbook. Some departures exclude others, and some a kind cannot show.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from samples.kinds import HAI_DUONG, ID_CARD_2021, MONTHLY_2021, MONTHLY_2026
from samples.spelling import move_tones

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
    # Drawn after the others from their own generator (``choose_later``), so adding them left
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


def _conflicts(departure: str, chosen: set[str]) -> bool:
    return any(departure in group and chosen & (group - {departure}) for group in _EXCLUSIVE)


def choose_departures(codes: list[str], kind: str, rng: random.Random) -> dict[str, set[str]]:
    """Departures per province for one kind: about half depart, each departure in >= 3 provinces.
    The later departures (``_LATER``) come from ``choose_later``."""
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


def choose_later(kind: str, chosen: dict[str, set[str]], eligible: dict[str, set[str]],
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


def retones(names: Sequence[str]) -> bool:
    """Whether old_tone_marks changes any of ``names``."""
    return any(move_tones(name) != name for name in names)
