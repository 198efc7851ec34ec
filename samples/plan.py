"""Everything decided for one workbook before it is written (``Plan``): its format, sheet names
and order, title block size, header wordings, whether it carries unit codes, its extra and
hidden sheets, date spellings and total word; what the later departures need (column orders, a
chart sheet, phường rows), drawn from their own generator; and its file name and arrival
moment (afternoon office hours, Vietnam time)."""

from __future__ import annotations

import os
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from etl import reference
from etl.clock import VIETNAM
from samples.figures import commune_activity
from samples.kinds import ACTIVITY_KEYS, ERA, ID_CARD_2021, MONTHLY_2021, PERIOD, PERIOD_2026, SHEET_TITLES
from samples.spelling import Style, no_diacritics
from samples.units import Commune, Province, name_without_type

# total_tong, total_cong, total_tong_so: the grand total's label instead of "Tổng cộng".
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
_SHEET_VARIANTS = {  # sheet_name departure: one naming habit per workbook
    "ascii": {"01": "Bieu 01 - Bo tri CA chinh quy", "02": "Bieu 02 - Tinh hinh ANTT",
              "03": "Bieu 03 - Thu nhan ho so CCCD", "04": "Bieu 04 - Khen thuong"},
    "short": {"01": "BienChe", "02": "ANTT", "03": "CCCD", "04": "KhenThuong"},
    "code": {"01": "Bieu 01", "02": "Bieu 02", "03": "Bieu 03", "04": "Bieu 04"},
    "sheetN": {"01": "Sheet1", "02": "Sheet2", "03": "Sheet1", "04": "Sheet3"},
}

# column_order: the template's groups of figures in sheet 02, and a clerk's habits for each sheet.
GROUPS_02 = (("tips_received", "crime_reports", "cases_clarified", "subjects"), ("admin_violation_cases", "fines_vnd"),
             ("education_dossiers", "rehab_dossiers", "reform_school_dossiers"))
_IDENT_ORDERS = (  # the unit columns, the same in sheets 01 and 02: Mã ĐVHC first, district after commune, ...
    ("code", "stt", "district", "name"), ("stt", "name", "district", "code"), ("stt", "code", "district", "name"),
    ("stt", "district", "name", "code"))
_ORDERS_01 = (  # chiefs and deputies before officers, notes or dates before the figures, ...
    ("chiefs", "deputies", "officers", "date", "note"), ("officers", "chiefs", "deputies", "note", "date"),
    ("note", "officers", "chiefs", "deputies", "date"), ("date", "officers", "chiefs", "deputies", "note"),
    ("officers", "chiefs", "deputies", "date", "note"))
_ORDER_03 = ("unit", "date", "applications")  # the district before the day


@dataclass
class Phuong:
    """A phường an April 2021 city lists in sheets 01 and 02 (phuong_rows), with its figures."""

    unit: Commune
    typed: str  # before the workbook's habits: 'Phường 05' for 'Phường 5' and the other way, else the official name
    base: str | None  # None for a numbered phường: the number alone is never written
    blank: frozenset[str]  # sheet 02 counts left blank (zero)


@dataclass
class Plan:
    """Everything decided for one workbook (or, for ID-card files, one province) before writing."""

    kind: str
    province: Province
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
    style: Style
    # The later departures, drawn with their own generator once the plan above is made (plan_later).
    columns: dict[str, list[str]] = field(default_factory=dict)  # column_order: sheet -> keys, written order
    chart: tuple[str, bool] | None = None  # chart_sheet: name, placed before the other sheets
    phuong: list[Phuong] = field(default_factory=list)  # phuong_rows: the phường listed, in unit order


def make_plan(kind: str, province: Province, departures: set[str], hidden_index: int, rng: random.Random) -> Plan:
    """One workbook's plan (an ID-card province's, for its six files): its habits, drawn from ``rng``
    given its departures; ``hidden_index`` counts the hidden sheets of the kind's plans before it,
    so their contents take turns."""
    deps = departures
    codes = ["03"] if kind == ID_CARD_2021 else ["01", "02", "04"]
    habit = rng.choice(tuple(_SHEET_VARIANTS)) if "sheet_name" in deps else None
    names = {code: _SHEET_VARIANTS[habit][code] if habit else SHEET_TITLES[code] for code in codes}
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
    return Plan(
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
        style=Style(deps, rng),
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
    template_02 = keep(_IDENT_ORDERS[-1]) + [key for group in GROUPS_02 for key in group] + ["note"]
    order_01 = template_01
    while order_01 == template_01:
        order_01 = ident + list(rng.choice(_ORDERS_01))
    order_02 = template_02
    while order_02 == template_02:
        groups = [list(group) for group in GROUPS_02]
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


def _draw_phuong(province: Province, blank_rate: float, rng: random.Random) -> list[Phuong]:
    """phuong_rows: a few phường of one district of the province (in its unit list), with figures:
    numbered phường where the province has them (written 'Phường 05', zero-padded, or 'Phường 5'
    where the list itself pads the number, as the list of 2021 does for most of Hồ Chí Minh City's),
    else named ones, preferably of a district that also has communes (a town with both)."""
    units = reference.communes(ERA, province.code, on=province.unit_list)
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
        typed = row.name
        if number:  # the other way from the list: 'Phường 5' -> 'Phường 05', 'Phường 05' -> 'Phường 5'
            padded = f"Phường {int(number.group(1)):02d}"
            typed = padded if padded != row.name else f"Phường {int(number.group(1))}"
        unit = Commune(row.unit_code, row.district_code, row.name, None, "phường", officers=rng.randint(8, 20),
                       deputies=rng.choice((1, 2, 3)), note=rng.choice(_PHUONG_NOTES),
                       activity=commune_activity(1.5, rng))
        blank = frozenset(key for key in ACTIVITY_KEYS if rng.random() < blank_rate)
        base = None if number else name_without_type(row.name, row.short_name, "phường")
        out.append(Phuong(unit, typed, base, blank))
    return out


def plan_later(plan: Plan, rng: random.Random) -> None:
    """What the later departures need, drawn from their own generator (the plan's own draws, and so
    every workbook without them, stay as they were)."""
    if "column_order" in plan.departures:
        plan.columns = _column_orders(plan.kind, rng)
    if "chart_sheet" in plan.departures:
        plan.chart = (rng.choice(_CHART_NAMES), rng.random() < 0.3)
    if "phuong_rows" in plan.departures:
        plan.phuong = _draw_phuong(plan.province, plan.blank_rate, rng)


def arrival_time(day: date, rng: random.Random) -> datetime:
    """A plausible arrival moment: the afternoon office hours of ``day`` (13:30 to 16:59)."""
    minute = rng.randint(13 * 60 + 30, 16 * 60 + 59)
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, rng.randint(0, 59), tzinfo=VIETNAM)


def stamp_arrival(path: Path, arrival: datetime) -> None:
    """Set a written file's modification time to its arrival moment."""
    stamp = arrival.timestamp()
    os.utime(path, (stamp, stamp))


def province_words(province: Province) -> tuple[str, list[str], str]:
    """The province's name without diacritics, its words, and a lower-case slug, for file names."""
    plain = no_diacritics(province.short_name)  # 'Bà Rịa - Vũng Tàu' -> 'Ba Ria - Vung Tau'
    words = plain.replace("-", " ").split()
    return plain, words, "_".join(w.lower() for w in words)


def monthly_file_name(plan: Plan, period: tuple[int, int]) -> str:
    """A monthly workbook's file name, in one of six habits (``Plan.name_pattern``)."""
    plain, words, slug = province_words(plan.province)
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


def id_card_file_name(plan: Plan, first: date, last: date) -> str:
    """A half-month CCCD workbook's file name, in one of six habits (``Plan.name_pattern``)."""
    plain, words, slug = province_words(plan.province)
    patterns = (
        f"{plan.province.code}_{slug}_Bieu03_CCCD_{first:%d.%m.%Y}-{last:%d.%m.%Y}",
        f"CCCD {plain} - Bieu 03 tu {first:%d-%m-%Y} den {last:%d-%m-%Y}",
        f"{''.join(words)}_Bieu03_{first:%Y%m%d}_{last:%Y%m%d}",
        f"Bieu 03 CCCD ({plain}) {first:%d.%m}-{last:%d.%m.%Y}",
        f"BC03 thu nhan CCCD {plain} {first:%d%m%Y}-{last:%d%m%Y}",
        f"{slug.replace('_', '-')}-bieu03-{first:%Y-%m-%d}-{last:%Y-%m-%d}",
    )
    return f"{patterns[plan.name_pattern]}.{plan.fmt}"
