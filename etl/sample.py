"""Synthetic provincial workbooks for the April 2021 monthly report, with a truth file.

``generate_samples`` writes one workbook per legacy province (63, era ``pre2025``) holding the
sheet "Biểu 01 - Bố trí CA chính quy" as of 23/4/2021, laid out as in
``shared/reference/TEMPLATE.md``. About half of the workbooks depart from the template in the
ways listed under "What arrives in practice" (title block size, two-row merged headers, header
wording, name spellings, numbers as text, district subtotals, SUM formulas, sheet names, date
encodings, extra sheets), so the extractor can be tested against what provinces really send.

The figures are synthetic but shaped like the article (FACTS.md): every in-scope commune (xã,
thị trấn) of the reference list is staffed, more than 44,000 officers nationwide, one chief per
commune, and Hải Dương has exactly 5 officers in each commune.

``truth.json`` records, for every workbook, what was written and where, computed by this
generator alone, so that tests can compare an extractor's output with it. Everything is drawn
from one ``random.Random(seed)`` and the workbook metadata is fixed: the same seed gives the
same bytes.
"""

from __future__ import annotations

import json
import os
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from functools import partial
from pathlib import Path

import xlsxwriter

from etl import reference

ERA = reference.PRE2025
PERIOD = (2021, 4)
AS_OF = date(2021, 4, 23)
HAI_DUONG = "30"
SHEET_NAME = "Biểu 01 - Bố trí CA chính quy"
VN_TZ = timezone(timedelta(hours=7))  # Asia/Ho_Chi_Minh has had no DST since 1975: a fixed offset is exact.

# Every way a workbook may depart from the template; truth.json lists the ones applied.
DEPARTURES = (
    "title_block",          # title block of 2, 3, 5, 6, 7 or 8 rows instead of the template's 4
    "two_row_header",       # "Trong đó" merged over "Trưởng CA xã" / "Phó trưởng CA xã"
    "header_wording",       # officers column headed by a variant wording
    "names_no_diacritics",  # district and commune names typed without diacritics
    "names_nfd",            # names in decomposed Unicode (NFD)
    "names_prefix_abbrev",  # "X. ", "TT. ", "H. ", "TX. ", "TP. ", "Q. "
    "names_no_prefix",      # "Hưng Đạo", "Tứ Kỳ"
    "names_upper",          # names in upper case
    "names_stray_spaces",   # double, leading/trailing and non-breaking spaces in some names
    "numbers_as_text",      # figures as text, totals with the Vietnamese thousands dot
    "district_subtotals",   # "Cộng huyện Tứ Kỳ" / "Cộng thị xã Kinh Môn" after each district
    "sum_formulas",         # subtotal and total rows as formulas with cached values
    "sheet_name",           # data sheet not named as in the template
    "dates_as_text",        # "23/4/2020" or "23-04-2020"
    "dates_as_serial",      # Excel serial numbers in a general-format cell
    "extra_sheet",          # a notes sheet before the data sheet
)
# Departures that cannot share a workbook: the second would undo or contradict the first
# (SUM over text cells evaluates to 0 in Excel, so formulas over text figures would be false).
_EXCLUSIVE = (
    {"names_no_diacritics", "names_nfd"},
    {"names_prefix_abbrev", "names_no_prefix"},
    {"numbers_as_text", "sum_formulas"},
    {"dates_as_text", "dates_as_serial"},
)
MIN_WORKBOOKS_PER_DEPARTURE = 3

HEADERS = (
    "STT", "Huyện, thị xã, thành phố", "Xã, thị trấn", "Mã ĐVHC", "Số CA chính quy đã bố trí",
    "Trong đó: Trưởng CA xã", "Trong đó: Phó trưởng CA xã", "Ngày hoàn thành bố trí", "Ghi chú",
)
OFFICERS_WORDINGS = ("Số cán bộ chính quy", "Tổng số CA chính quy", "So CA chinh quy")
COL_STT, COL_DISTRICT, COL_COMMUNE, COL_CODE, COL_OFFICERS, COL_CHIEFS, COL_DEPUTIES, COL_DATE, COL_NOTE = \
    range(9)
FIGURE_COLS = (COL_OFFICERS, COL_CHIEFS, COL_DEPUTIES)
LAST_COL = COL_NOTE

# In April 2021 province 46 was still "Tỉnh Thừa Thiên Huế"; the reference list has its 2025 name.
_NAME_IN_2021 = {"46": ("tỉnh", "Thừa Thiên Huế")}
# National officers: FACTS.md says "more than 44,000"; 8,311 communes make a mean of 5.32 to 5.46.
_NATIONAL_TARGET = (44_200, 45_400)
_OFFICER_WEIGHTS = {3: 6, 4: 17, 5: 32, 6: 24, 7: 12, 8: 6, 9: 3}
_ABBREV = {"xã": "X.", "thị trấn": "TT.", "huyện": "H.", "thị xã": "TX.", "thành phố": "TP.", "quận": "Q."}
# Figures "as of 23/4/2021" (a Friday) go out that afternoon, so the night of 24/4 takes them all.
_FIRST_ARRIVAL = datetime(2021, 4, 23, 13, 30, tzinfo=VN_TZ)
_LAST_ARRIVAL = datetime(2021, 4, 23, 17, 0, tzinfo=VN_TZ)
_NOTES = ("Đủ biên chế", "+01 đ/c tăng cường", "Đang kiện toàn", "=5 đồng chí", "Bố trí đợt 2",
          "Có 01 đ/c nữ")


@dataclass
class _Commune:
    unit_code: str
    district_code: str
    name: str        # 'Xã Hưng Đạo'
    base_name: str | None  # 'Hưng Đạo' (see _base_name)
    unit_type: str   # 'xã' / 'thị trấn'
    officers: int = 0
    chiefs: int = 1
    deputies: int = 1
    staffed: date | None = None
    note: str = ""


@dataclass
class _Province:
    code: str
    unit_type: str  # 'tỉnh' / 'thành phố'
    short_name: str
    communes: list[_Commune] = field(default_factory=list)


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
    """The name without its type word, as a province would write it; None if it has none.

    The reference's short names disambiguate same-name pairs ('Yên Viên (Thị trấn)' beside
    'Yên Viên (Xã)', 'Cai Lậy (Thị xã)' beside 'Cai Lậy (Huyện)'); no province writes that.
    """
    if not full_name.lower().startswith(unit_type + " "):
        return None
    return re.sub(r"\s*\([^)]*\)$", "", short_name)


def _stray_spaces(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    how = rng.choice(("double", "nbsp", "edges"))
    if how == "edges" or len(words) < 2:
        return rng.choice((" ", "  ", "\u00a0")) + text + rng.choice(("", " ", "  "))
    gap = rng.randrange(1, len(words))
    sep = "  " if how == "double" else "\u00a0"
    return " ".join(words[:gap]) + sep + " ".join(words[gap:])


# --------------------------------------------------------------------------- reference and figures


def _load_provinces() -> tuple[list[_Province], dict[str, tuple[str, str | None, str]]]:
    """Provinces with their in-scope communes in district order, and districts by code."""
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
    # One query for all provinces (per-province calls filter the whole table 63 times).
    communes = reference.communes(ERA, in_scope_only=True).sort_values(["district_code", "unit_code"])
    for row in communes.itertuples(index=False):
        by_code[row.province_code].communes.append(_Commune(
            row.unit_code, row.district_code, row.name, _base_name(row.name, row.short_name, row.unit_type),
            row.unit_type))
    return provinces, district_info


def _draw_figures(provinces: list[_Province], rng: random.Random) -> None:
    """Officers, chiefs, deputies, staffing dates and notes for every commune."""
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


# --------------------------------------------------------------------------- departures


def _conflicts(departure: str, chosen: set[str]) -> bool:
    return any(departure in group and chosen & (group - {departure}) for group in _EXCLUSIVE)


def _choose_departures(codes: list[str], big: list[str], rng: random.Random) -> dict[str, set[str]]:
    """Departures per province: a random half or so of the workbooks, each departure in >= 3.

    ``big`` are the provinces whose officer total reaches 1,000: one of them always gets
    ``numbers_as_text`` so a total written "1.234" (Vietnamese thousands dot) is in the set.
    """
    departing = set(rng.sample(codes, rng.randint(24, 34))) | {HAI_DUONG}
    chosen: dict[str, set[str]] = {code: set() for code in codes}
    for code in sorted(departing):
        for departure in DEPARTURES:
            if rng.random() < 0.2 and not _conflicts(departure, chosen[code]):
                chosen[code].add(departure)
        if not chosen[code]:
            chosen[code].add(rng.choice(DEPARTURES))
    if not any("numbers_as_text" in chosen[c] for c in big):
        open_ = [c for c in big if not _conflicts("numbers_as_text", chosen[c])] or big
        pick = rng.choice(open_)
        chosen[pick].discard("sum_formulas")  # the only departure it excludes; re-topped below
        chosen[pick].add("numbers_as_text")
        departing.add(pick)
    for departure in DEPARTURES:
        while sum(departure in chosen[c] for c in codes) < MIN_WORKBOOKS_PER_DEPARTURE:
            open_ = [c for c in sorted(departing) if departure not in chosen[c]
                     and not _conflicts(departure, chosen[c])]
            chosen[rng.choice(open_)].add(departure)
    return chosen


@dataclass
class _Style:
    """How one workbook writes names, figures and dates."""

    departures: set[str]
    rng: random.Random

    def _case_and_form(self, text: str) -> str:
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
        """Row labels ('Tổng cộng', 'Cộng huyện ...') follow the workbook's typing habits."""
        return self._case_and_form(text)


# --------------------------------------------------------------------------- workbook layout


def _title_rows(province: _Province, size: int) -> list[list[tuple[int, str, bool]]]:
    """Rows above the header: (column, text, merged across the table) per cell."""
    police = f"CÔNG AN {province.unit_type.upper()} {province.short_name.upper()}"
    title = "BÁO CÁO KẾT QUẢ TRIỂN KHAI CÔNG AN XÃ, THỊ TRẤN CHÍNH QUY"
    period = f"Tháng {PERIOD[1]} năm {PERIOD[0]}          (Số liệu tính đến ngày {_dmy(AS_OF)})"
    if size == 2:
        return [[(0, f"BỘ CÔNG AN - {police}", False)], [(0, f"{title} - {period}", True)]]
    if size == 3:
        return [[(0, police, False)], [(0, title, True)], [(0, period, True)]]
    rows = [[(0, "BỘ CÔNG AN", False)], [(0, police, False)], [(0, title, True)], [(0, period, True)]]
    if size == 4:
        return rows
    # Longer blocks: the national motto beside the ministry lines, a recipient line, units, blanks.
    rows[0].append((5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", False))
    rows[1].append((5, "Độc lập - Tự do - Hạnh phúc", False))
    extras = [[(0, "Kính gửi: Bộ Công an (Văn phòng Bộ)", False)], [(7, "Đơn vị tính: đồng chí", False)],
              [], []]
    return rows + extras[: size - 4]


def _file_name(province: _Province, rng: random.Random) -> str:
    plain = _ascii(province.short_name)  # 'Bà Rịa - Vũng Tàu' -> 'Ba Ria - Vung Tau'
    words = plain.replace("-", " ").split()
    slug = "_".join(w.lower() for w in words)
    patterns = (
        f"{province.code}_{slug}_T04-2021.xlsx",
        f"BC thang 4 - {plain}.xlsx",
        f"{''.join(words)}_BaoCao_CAXCQ_04.2021.xlsx",
        f"Bieu 01 CA xa chinh quy T4-2021 ({plain}).xlsx",
        f"CA {plain} - bao cao thang 04.2021.xlsx",
        f"{slug.replace('_', '-')}-bieu01-2021-04.xlsx",
    )
    return rng.choice(patterns)


def _sum_formula(first: int, last: int, col: str) -> str:
    return f"=SUM({col}{first}:{col}{last})"


def _arrival(rng: random.Random) -> datetime:
    """A plausible arrival moment: the afternoon office hours of the as-of day, 23/4/2021."""
    minute = rng.randint(13 * 60 + 30, 16 * 60 + 59)
    moment = datetime(2021, 4, 23, minute // 60, minute % 60, rng.randint(0, 59), tzinfo=VN_TZ)
    return min(max(moment, _FIRST_ARRIVAL), _LAST_ARRIVAL)


@dataclass
class _Plan:
    """Everything decided for one workbook before writing it."""

    province: _Province
    departures: set[str]
    file_name: str
    sheet_name: str
    title_size: int
    officers_header: str
    has_codes: bool
    extra_sheet: str | None
    date_formats: tuple[str, ...]
    arrival: datetime


def _plan(province: _Province, departures: set[str], rng: random.Random) -> _Plan:
    return _Plan(
        province=province,
        departures=departures,
        file_name=_file_name(province, rng),
        sheet_name=rng.choice(("Bieu 01 - Bo tri CA chinh quy", "BienChe", "Sheet1", "Bieu 01"))
        if "sheet_name" in departures else SHEET_NAME,
        title_size=rng.choice((2, 3, 5, 6, 7, 8)) if "title_block" in departures else 4,
        officers_header=rng.choice(OFFICERS_WORDINGS) if "header_wording" in departures else HEADERS[4],
        has_codes=rng.random() < 0.5,
        extra_sheet=rng.choice(("Ghi chú", "Hướng dẫn", "Ghi chu")) if "extra_sheet" in departures else None,
        date_formats=rng.choice((("%d/%m/%Y",), ("d/m/Y",), ("%d-%m-%Y",), ("d/m/Y", "%d-%m-%Y")))
        if "dates_as_text" in departures else (),
        arrival=_arrival(rng),
    )


def _format_date(day: date, fmt: str) -> str:
    if fmt == "d/m/Y":  # '23/4/2020': no zero padding, as typed by hand
        return _dmy(day)
    return day.strftime(fmt)


def _needs_codes(written: list[tuple[str, str]]) -> bool:
    """Lossy spellings can make two communes of one district identical ('Thiệu Hóa'/'Thiệu Hoa'
    without diacritics); such a workbook carries the unit codes so every row stays resolvable."""
    keys = [(_key(d), _key(c)) for d, c in written]
    return len(set(keys)) != len(keys)


class _SheetWriter:
    """Writes the data sheet of one workbook, row by row, and keeps the truth for it."""

    def __init__(self, workbook: xlsxwriter.Workbook, plan: _Plan, style: _Style, has_codes: bool,
                 rng: random.Random) -> None:
        self.plan, self.style, self.has_codes, self.rng = plan, style, has_codes, rng
        self.deps = plan.departures
        self.sheet = workbook.add_worksheet(plan.sheet_name)
        for col, width in enumerate((6, 24, 24, 10, 14, 12, 12, 14, 20)):
            self.sheet.set_column(col, col, width)
        self.bold = workbook.add_format({"bold": True})
        self.title_fmt = workbook.add_format({"bold": True, "align": "center"})
        self.header_fmt = workbook.add_format({"bold": True, "border": 1, "align": "center",
                                               "valign": "vcenter", "text_wrap": True})
        self.cell = workbook.add_format({"border": 1})
        self.date_cell = workbook.add_format({"border": 1, "num_format": "dd/mm/yyyy"})
        self.total_fmt = workbook.add_format({"bold": True, "border": 1})
        self.row = 0
        self.rows: list[dict] = []

    def title(self) -> None:
        for cells in _title_rows(self.plan.province, self.plan.title_size):
            for col, text, merged in cells:
                if merged:
                    self.sheet.merge_range(self.row, col, self.row, LAST_COL, text, self.title_fmt)
                else:
                    self.sheet.write_string(self.row, col, text, self.bold)
            self.row += 1

    def header(self) -> None:
        """One header row, or two with "Trong đó" merged over the chief and deputy columns."""
        labels = list(HEADERS)
        labels[COL_OFFICERS] = self.plan.officers_header
        folded = self.plan.officers_header == "So CA chinh quy"
        if folded:
            labels = [_ascii(text) for text in labels]  # typed without diacritics throughout
        sheet, r, fmt = self.sheet, self.row, self.header_fmt
        if "two_row_header" not in self.deps:
            for col, text in enumerate(labels):
                sheet.write_string(r, col, text, fmt)
            self.row += 1
            return
        for col, text in enumerate(labels):
            if col not in (COL_CHIEFS, COL_DEPUTIES):
                sheet.merge_range(r, col, r + 1, col, text, fmt)
        sheet.merge_range(r, COL_CHIEFS, r, COL_DEPUTIES, _ascii("Trong đó") if folded else "Trong đó", fmt)
        # The sub-headers drop the "Trong đó: " the merged cell above now says.
        sheet.write_string(r + 1, COL_CHIEFS, labels[COL_CHIEFS].split(": ", 1)[1], fmt)
        sheet.write_string(r + 1, COL_DEPUTIES, labels[COL_DEPUTIES].split(": ", 1)[1], fmt)
        self.row += 2

    def commune(self, number: int, commune: _Commune, district: str, name: str) -> None:
        sheet, r, cell = self.sheet, self.row, self.cell
        sheet.write_number(r, COL_STT, number, cell)
        sheet.write_string(r, COL_DISTRICT, district, cell)
        sheet.write_string(r, COL_COMMUNE, name, cell)
        if self.has_codes:
            sheet.write_string(r, COL_CODE, commune.unit_code, cell)  # text: keeps the leading zeros
        else:
            sheet.write_blank(r, COL_CODE, None, cell)
        for col, value in zip(FIGURE_COLS, (commune.officers, commune.chiefs, commune.deputies), strict=True):
            if "numbers_as_text" in self.deps:
                sheet.write_string(r, col, str(value), cell)
            else:
                sheet.write_number(r, col, value, cell)
        self._date(commune.staffed)
        if commune.note:
            sheet.write_string(r, COL_NOTE, commune.note, cell)  # write_string: "=5 ..." is a note
        else:
            sheet.write_blank(r, COL_NOTE, None, cell)
        self.rows.append({
            "unit_code": commune.unit_code, "officers": commune.officers, "chiefs": commune.chiefs,
            "deputies": commune.deputies,
            "staffed_date": commune.staffed.isoformat() if commune.staffed else None,
            "row": r, "district": district, "name": name,
        })
        self.row += 1

    def _date(self, day: date | None) -> None:
        sheet, r, cell = self.sheet, self.row, self.cell
        if day is None:
            sheet.write_blank(r, COL_DATE, None, cell)
        elif self.plan.date_formats:
            sheet.write_string(r, COL_DATE, _format_date(day, self.rng.choice(self.plan.date_formats)), cell)
        elif "dates_as_serial" in self.deps:
            sheet.write_number(r, COL_DATE, (day - date(1899, 12, 30)).days, cell)  # general format
        else:
            sheet.write_datetime(r, COL_DATE, datetime.combine(day, datetime.min.time()), self.date_cell)

    def sums(self, label: str, sums: tuple[int, int, int], formula: Callable[[str], str]) -> int:
        """A subtotal or total row; ``formula`` gives the formula for a column letter."""
        sheet, r, fmt = self.sheet, self.row, self.total_fmt
        sheet.write_string(r, COL_DISTRICT, label, fmt)
        for col in (COL_STT, COL_COMMUNE, COL_CODE, COL_DATE, COL_NOTE):
            sheet.write_blank(r, col, None, fmt)
        for col, value in zip(FIGURE_COLS, sums, strict=True):
            if "sum_formulas" in self.deps:
                # The cached value is what readers (calamine, pandas) see without recalculating.
                sheet.write_formula(r, col, formula(chr(ord("A") + col)), fmt, value)
            elif "numbers_as_text" in self.deps:
                sheet.write_string(r, col, _vn_int(value), fmt)
            else:
                sheet.write_number(r, col, value, fmt)
        self.row += 1
        return r


def _figures(communes: list[_Commune]) -> tuple[int, int, int]:
    return (sum(c.officers for c in communes), sum(c.chiefs for c in communes),
            sum(c.deputies for c in communes))


def _write_workbook(plan: _Plan, out_dir: Path, district_info: dict[str, tuple[str, str | None, str]],
                    rng: random.Random) -> dict:
    """Write one workbook and return its truth entry."""
    province, deps = plan.province, plan.departures
    communes = province.communes
    style = _Style(deps, rng)
    # Names first: whether the workbook needs codes depends on how it spells them.
    stray_rows = set(rng.sample(range(len(communes)), max(1, len(communes) // 5))) \
        if "names_stray_spaces" in deps else set()
    written: list[tuple[str, str]] = []
    for i, commune in enumerate(communes):
        d_name, d_base, d_type = district_info[commune.district_code]
        written.append((
            style.unit(d_name, d_base, d_type, i in stray_rows and rng.random() < 0.3),
            style.unit(commune.name, commune.base_name, commune.unit_type, i in stray_rows),
        ))
    has_codes = plan.has_codes or _needs_codes(written)

    path = out_dir / plan.file_name
    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True})
    # Fixed metadata: xlsxwriter would otherwise stamp the current time into docProps/core.xml.
    created = (plan.arrival - timedelta(minutes=rng.randint(20, 600))).astimezone(UTC)
    workbook.set_properties({
        "title": "Báo cáo kết quả triển khai Công an xã, thị trấn chính quy",
        "author": f"Công an {province.unit_type} {province.short_name}",
        "company": "Bộ Công an",
        "created": created.replace(tzinfo=None),
    })
    sheet_names = []
    if plan.extra_sheet:
        notes = workbook.add_worksheet(plan.extra_sheet)
        sheet_names.append(plan.extra_sheet)
        lines = ("Ghi chú:", f"- Số liệu tính đến ngày {_dmy(AS_OF)}.",
                 "- Biểu 01 liệt kê các xã, thị trấn đã bố trí Công an chính quy.",
                 f"- Đầu mối: Phòng Tham mưu, Công an {province.unit_type} {province.short_name}.")
        for r, line in enumerate(lines):
            notes.write_string(r, 0, line)
    sheet_names.append(plan.sheet_name)

    out = _SheetWriter(workbook, plan, style, has_codes, rng)
    out.title()
    header_row = out.row
    out.header()
    first_data_row = out.row
    subtotal_rows: list[int] = []
    group: list[_Commune] = []
    for i, commune in enumerate(communes):
        out.commune(i + 1, commune, *written[i])
        group.append(commune)
        last_of_district = i + 1 == len(communes) or communes[i + 1].district_code != commune.district_code
        if "district_subtotals" in deps and last_of_district:
            d_name, d_base, d_type = district_info[commune.district_code]
            label = f"Cộng {d_type} {d_base}" if d_base else f"Cộng {d_name}"
            first, last = out.row - len(group) + 1, out.row  # 1-based Excel rows of the group
            subtotal_rows.append(out.sums(style.label(label), _figures(group), partial(_sum_formula, first, last)))
        if last_of_district:
            group = []

    def grand_total(col: str) -> str:
        if subtotal_rows:  # add up the subtotals, as provinces do, rather than the column twice over
            return "=" + "+".join(f"{col}{r + 1}" for r in subtotal_rows)
        return f"=SUM({col}{first_data_row + 1}:{col}{out.row})"

    totals = _figures(communes)
    total_row = out.sums(style.label("Tổng cộng"), totals, grand_total)
    workbook.close()
    stamp = plan.arrival.timestamp()
    os.utime(path, (stamp, stamp))
    return {
        "file": plan.file_name,
        "province_code": province.code,
        "province_name": f"{province.unit_type.capitalize()} {province.short_name}",
        "as_of_date": AS_OF.isoformat(),
        "period": f"{PERIOD[0]:04d}-{PERIOD[1]:02d}",
        "departures": [d for d in DEPARTURES if d in deps],
        "sheet_name": plan.sheet_name,
        "sheet_names": sheet_names,
        "header_row": header_row,
        "header_rows": first_data_row - header_row,
        "first_data_row": first_data_row,
        "subtotal_rows": subtotal_rows,
        "total_row": total_row,
        "has_codes": has_codes,
        "modified": plan.arrival.isoformat(),
        "totals": {"officers": totals[0], "chiefs": totals[1], "deputies": totals[2],
                   "communes": len(communes)},
        "rows": out.rows,
    }


def generate_samples(out_dir: Path, seed: int = 2021) -> list[Path]:
    """Write the 63 April-2021 workbooks and ``truth.json`` into ``out_dir``; return the workbooks.

    Workbooks are written in province-code order and are byte-for-byte identical for a given
    ``seed``; their modification times are set to their simulated arrival moments.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    provinces, district_info = _load_provinces()
    _draw_figures(provinces, rng)
    big = [p.code for p in provinces if sum(c.officers for c in p.communes) >= 1000]
    departures = _choose_departures([p.code for p in provinces], big, rng)
    plans = [_plan(p, departures[p.code], rng) for p in provinces]
    entries = [_write_workbook(plan, out_dir, district_info, rng) for plan in plans]
    communes = [c for p in provinces for c in p.communes]
    truth = {
        "seed": seed,
        "era": ERA,
        "period": f"{PERIOD[0]:04d}-{PERIOD[1]:02d}",
        "as_of_date": AS_OF.isoformat(),
        "departure_names": list(DEPARTURES),
        "national": {
            "provinces": len(provinces),
            "communes": len(communes),
            "officers": sum(c.officers for c in communes),
            "chiefs": sum(c.chiefs for c in communes),
            "deputies": sum(c.deputies for c in communes),
        },
        "workbooks": entries,
    }
    text = json.dumps(truth, ensure_ascii=False, indent=1) + "\n"
    (out_dir / "truth.json").write_text(text, encoding="utf-8")
    return [out_dir / entry["file"] for entry in entries]
