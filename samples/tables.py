"""A data sheet as a table and how it is written: columns in the template's order or another
(column_order), with separator columns; one header row or two with merged group labels; the
title block; cells as the workbook writes them (figures as numbers, text or with a trailing
note, dates as dates, text or serial numbers); subtotal and total rows as numbers, text or SUM
formulas with cached values; and the truth entry of the written sheet, with 0-based row
indices as calamine's ``to_python(skip_empty_area=False)`` gives them."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from samples.books import Book, Sheet
from samples.plan import GROUPS_02, Plan
from samples.spelling import dmy, vn_int

VALUE_NOTES = {
    "01": ("đủ", "tăng 1", "thiếu 1"),
    "02": ("tăng 2", "giảm 1", "đã xử lý"),
    "03": ("lưu động", "tăng ca", "gồm 120 hồ sơ lưu động"),
    "04": ("đề nghị", "đã có QĐ"),
}


@dataclass(frozen=True)
class Sum:
    """A figure of a subtotal or total row: a formula, Vietnamese text or a number, by departure."""

    value: int


Value = str | int | date | Sum | None


@dataclass
class Col:
    """A column: its key in the rows' cells, its header, its group label and width."""

    key: str | None  # None: an empty separator column
    header: str = ""
    group: str | None = None  # two-row headers: the label merged over this column's group
    width: int = 12


SEPARATOR = Col(None, width=2)


@dataclass
class Row:
    """A row of a table: its cells by column key, and its truth entry (data rows written to truth.json)."""

    kind: str  # 'data', 'subtotal' or 'total'
    cells: dict[str, Value]
    truth: dict[str, Any] | None = None
    merge_down: dict[str, int] = field(default_factory=dict)  # column key -> rows merged from here
    phuong: bool = False  # a phường listed beside the communes (phuong_rows): no commune of the plan


@dataclass
class Table:
    """A data sheet before it is written: title rows, columns and rows."""

    code: str  # '01'..'04'
    name: str
    title: list[list[tuple[int, str, bool]]]  # rows above the header: (column, text, merged across)
    columns: list[Col]
    rows: list[Row]
    label_key: str  # the column holding the subtotal and total labels
    two_row: bool
    target_row: int | None = None  # sheet 03: the title row holding the target cell


def _gaps(code: str, order: Sequence[str]) -> set[str]:
    """The columns a separator_column workbook puts an empty column before, wherever they stand:
    sheet 01, the block of staffing figures and the column after it; sheet 02, the first two groups
    of figures; sheet 03, the count. In the template's order: the template's separators."""
    if code == "01":
        at = [i for i, key in enumerate(order) if key in ("officers", "chiefs", "deputies")]
        return {order[at[0]], *order[at[-1] + 1: at[-1] + 2]}
    if code == "02":
        starts = sorted(min(order.index(key) for key in group) for group in GROUPS_02)
        return {order[s] for s in starts[:2]}
    return {"applications"}


def arrange(cols: list[Col], order: Sequence[str] | None, code: str, separate: bool) -> list[Col]:
    """``cols`` (built in the template's order) in ``order`` (column_order; None: as built), with the
    empty separator columns of a separator_column workbook (``_gaps``)."""
    by_key = {col.key: col for col in cols}
    keys = list(order) if order else [col.key for col in cols if col.key is not None]
    gaps = _gaps(code, keys) if separate else set()
    out: list[Col] = []
    for key in keys:
        if key in gaps:
            out.append(SEPARATOR)
        out.append(by_key[key])
    return out


def _put(sheet: Sheet, r: int, c: int, value: Value, style: str) -> None:
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


def _write_header(sheet: Sheet, columns: list[Col], two_row: bool, r: int) -> int:
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


def write_table(book: Book, table: Table, deps: set[str], hidden: bool = False) -> tuple[Sheet, dict[str, Any]]:
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
                if not isinstance(value, Sum):
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
                    sheet.text(r, c, vn_int(value.value), "total")
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


def title_rows(police: str, title: str, period: str, size: int, unit_line: str, last_col: int,
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


def _format_date(day: date, fmt: str) -> str:
    if fmt == "d/m/Y":  # '23/4/2020': no zero padding, as typed by hand
        return dmy(day)
    return day.strftime(fmt)


def date_value(day: date | None, plan: Plan, rng: random.Random) -> Value:
    """A date as this workbook writes it: a date, text in one of its formats, or an Excel serial."""
    if day is None:
        return None
    if plan.date_formats:
        return _format_date(day, rng.choice(plan.date_formats))
    if "dates_as_serial" in plan.departures:
        return (day - date(1899, 12, 30)).days  # a number in a general-format cell
    return day


def figure_value(value: int, plan: Plan, note: str | None = None, blank_zero: bool = False) -> Value:
    """A figure as this workbook writes it: number, text with thousands dots, a trailing note, blank."""
    if note is not None:
        return f"{vn_int(value)} ({note})"
    if blank_zero and value == 0:
        return None
    if "numbers_as_text" in plan.departures:
        return vn_int(value)
    return value
