"""The leadership workbook ``TongHop_YYYY-MM-DD.xlsx``: every exact figure of an extract, from ``Figures`` only.

Sheets (Vietnamese names and headers): Tổng quan (the national indicators of the day, and on which
day, boundaries, unit list and how complete they are), Theo tỉnh (one row per province of the basis),
CCCD (each province's milestone and a native line chart per province of its cumulative count against
its target), ANTT (security activity per province and nationwide per month), Khen thưởng
(commendations per province and level, nationwide per level) and Chất lượng báo cáo (which reports
the figures add up came in, and every submission with what became of it). The chart's data lie on
a hidden sheet, "Dữ liệu biểu đồ".

- Numbers stay numbers under number formats, so Excel shows the reader's own separators; dates are
  dates. Percentages are written as fractions under a % format (the marts' 100.0 is the cell's 1).
- A province with no report has empty cells, never zeros.
- Nothing is a formula: the workbook is created with every string conversion off and every text is
  written with write_string, so a file name, a sheet name or a reason a province sent that begins
  with "=" stays text. Totals are the marts' figures, written as numbers.
- Every table is an Excel table (its own filter buttons), headers frozen, widths fitted to content.
- The file is written under a temporary name and renamed: a crash never leaves half a workbook.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from etl import safe
from etl.extract.sheets import SHEETS as TEMPLATE_SHEETS
from etl.feedback import STATUS_VI as SUBMISSION_STATUS_VI
from etl.leadership import words
from etl.leadership.figures import COMMENDATION_MEASURES, REPORTED, SECURITY_MEASURES, Figures, Window
from etl.load.warehouse import WAREHOUSE_SQL

OVERVIEW, BY_PROVINCE, ID_CARDS, SECURITY, COMMENDATIONS, QUALITY = (
    "Tổng quan", "Theo tỉnh", "CCCD", "ANTT", "Khen thưởng", "Chất lượng báo cáo")
CHART_DATA = "Dữ liệu biểu đồ"
STATUS_VI = {"on_time": "đúng hạn", "late": "muộn", "missing": "thiếu", "rejected": "bị từ chối"}
# The worst status of a group of reports is the first of these it holds.
_WORST_FIRST = ("missing", "rejected", "late", "on_time")
COMPARABILITY_VI = {"exact": "đầy đủ", "partial": "một phần (thiếu báo cáo của tỉnh cũ)"}
# Commendation levels from the highest (mart.commendations.level); a level not listed comes after.
LEVEL_ORDER = ("Bộ Công an", "UBND tỉnh", "Công an tỉnh", "Cấp huyện", "Cấp xã")
CHART_PROVINCES = 10  # without --province, the chart shows the provinces with the largest targets

# Number formats. A percentage below 100% never shows as "100.0%": between 99.95% and 100% it gets
# three decimals (one commune of 8,880 missing is 99.989%), as the project never rounds a gap away.
NUMBER_FORMATS = {
    "count": "#,##0", "decimal": "#,##0.0", "percent": "[<0.9995]0.0%;[<1]0.000%;0.0%",
    "date": "dd/mm/yyyy", "month": "mm/yyyy", "datetime": "dd/mm/yyyy hh:mm", "text": None,
}
_WIDTH_CAP = {"text": 60}  # characters; other kinds are capped at 22
_HEADER_WRAP = 18  # a header longer than this wraps over lines of about this many characters


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str = "count"  # a key of NUMBER_FORMATS; "percent" values are 0-100, written as fractions
    rules: tuple[str, ...] = ()  # conditional formats, by name (_Book.rules)


@dataclass(frozen=True)
class Typed:
    """A value whose kind is its own, in a column whose cells differ (Tổng quan's "Giá trị")."""
    value: object
    kind: str


@dataclass
class _Page:
    """One worksheet, its formats and the widths its content asks for."""
    sheet: Worksheet
    formats: dict[str, Format]
    widths: dict[int, float] = field(default_factory=dict)

    def put(self, row: int, col: int, value: object, kind: str = "text") -> None:
        """Write ``value`` as a number, a date or text (never a formula); blank when missing."""
        if isinstance(value, Typed):
            kind = value.kind
            value = value.value
        style = self.formats[kind]
        if _missing(value):
            self.sheet.write_blank(row, col, None, style)
            return
        if kind == "text":
            text = safe.safe_text(value)
            self.sheet.write_string(row, col, text, style)
            self._fit(col, max((len(line) for line in text.splitlines()), default=0), kind)
        elif kind in ("date", "month", "datetime"):
            moment = pd.Timestamp(value).to_pydatetime()
            self.sheet.write_datetime(row, col, moment, style)
            self._fit(col, {"date": 10, "month": 7, "datetime": 16}[kind], kind)
        else:
            number = float(value) / (100 if kind == "percent" else 1)  # type: ignore[arg-type]
            if not math.isfinite(number):
                self.sheet.write_blank(row, col, None, style)
                return
            if kind == "count":
                self.sheet.write_number(row, col, int(round(number)), style)
                self._fit(col, len(f"{number:,.0f}"), kind)
            else:
                self.sheet.write_number(row, col, number, style)
                self._fit(col, len(f"{number * (100 if kind == 'percent' else 1):,.1f}") + 1, kind)

    def _fit(self, col: int, length: float, kind: str) -> None:
        self.widths[col] = max(self.widths.get(col, 0), min(length, _WIDTH_CAP.get(kind, 22)))

    def text(self, row: int, col: int, value: str, style: str = "text") -> None:
        """A title, a subtitle or a note: written whole, asking for no column width."""
        self.sheet.write_string(row, col, safe.safe_text(value), self.formats[style])

    def fit_columns(self) -> None:
        for col, width in self.widths.items():
            self.sheet.set_column(col, col, width + 2)


class _Book:
    """The workbook, its formats and its tables' names."""

    def __init__(self, path: Path) -> None:
        self.workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                                        "strings_to_numbers": False})
        add = self.workbook.add_format
        self.formats: dict[str, Format] = {
            kind: add({"num_format": code, "valign": "top"} if code else {"valign": "top"})
            for kind, code in NUMBER_FORMATS.items()}
        self.formats |= {
            "title": add({"bold": True, "font_size": 14}),
            "subtitle": add({"italic": True, "font_color": "#404040"}),
            "heading": add({"bold": True, "font_size": 12}),
            "note": add({"font_color": "#404040"}),
            "header": add({"bold": True, "text_wrap": True, "valign": "top"}),
            "group": add({"bold": True, "align": "center", "valign": "vcenter", "bg_color": "#D9E1F2",
                          "border": 1}),
            "bad": add({"bg_color": "#F4B6B6", "font_color": "#9C0006"}),
            "warn": add({"bg_color": "#FFE699", "font_color": "#7F6000"}),
            "plain": add({}),
        }

    def page(self, name: str, title: str, subtitle: str) -> _Page:
        page = _Page(self.workbook.add_worksheet(name), self.formats)
        page.text(0, 0, title, "title")
        page.text(1, 0, subtitle, "subtitle")
        page.sheet.set_landscape()
        page.sheet.fit_to_pages(1, 0)
        return page

    def table(self, page: _Page, row: int, name: str, columns: list[Column], records: list[dict],
              col: int = 0) -> int:
        """An Excel table of ``records`` with its header at ``row``: filter buttons, header row wrapped,
        conditional formats of its columns. Returns the row after its last."""
        last_row = row + max(len(records), 1)  # Excel wants one data row at least
        last_col = col + len(columns) - 1
        status = page.sheet.add_table(row, col, last_row, last_col, {
            "name": name, "style": "Table Style Light 9", "autofilter": True,
            "columns": [{"header": c.header, "header_format": self.formats["header"]} for c in columns]})
        if status:
            raise ValueError(f"table {name}: xlsxwriter refused it ({status})")
        for r, record in enumerate(records, start=row + 1):
            for c, column in enumerate(columns, start=col):
                page.put(r, c, record.get(column.key), column.kind)
        if not records:
            page.text(row + 1, col, "(không có số liệu)", "note")
        header_lines = 1
        for c, column in enumerate(columns, start=col):
            header_width = min(len(column.header), max(_HEADER_WRAP, max(map(len, column.header.split()))))
            header_lines = max(header_lines, math.ceil(len(column.header) / max(header_width, 1)))
            page.widths[c] = max(page.widths.get(c, 0), header_width)
            for rule in column.rules:
                for options in self.rules(rule):
                    page.sheet.conditional_format(row + 1, c, last_row, c, options)
        page.sheet.set_row(row, 15 * header_lines)
        return last_row + 1

    def rules(self, rule: str) -> list[dict]:
        bad, warn = self.formats["bad"], self.formats["warn"]
        if rule == "below_100":
            # Excel compares an empty cell as 0: a province with no report is left plain, not red.
            return [{"type": "blanks", "stop_if_true": True, "format": self.formats["plain"]},
                    {"type": "cell", "criteria": "<", "value": 1, "format": bad}]
        if rule == "late_report":
            return [{"type": "cell", "criteria": "==", "value": f'"{STATUS_VI[status]}"', "format": style}
                    for status, style in (("late", warn), ("missing", bad), ("rejected", bad))]
        if rule == "rejected_submission":
            return [{"type": "cell", "criteria": "==", "value": f'"{SUBMISSION_STATUS_VI[status]}"', "format": style}
                    for status, style in (("rejected", bad), ("loaded_with_errors", warn))]
        if rule == "positive":
            return [{"type": "cell", "criteria": ">", "value": 0, "format": warn}]
        raise ValueError(rule)


def write_workbook(figures: Figures, path: Path) -> Path:
    """Write the leadership workbook of ``figures`` to ``path`` (through a temporary file renamed over
    it); returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        book = _Book(partial)
        book.workbook.set_properties({"title": f"Tổng hợp số liệu Công an xã chính quy đến ngày "
                                               f"{words.day(figures.as_of)}", "author": "cax"})
        subtitle = _subtitle(figures)
        for write in (_overview, _by_province, _id_cards, _security, _commendations, _quality, _chart_data):
            write(book, figures, subtitle)
        book.workbook.close()
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


# --- the sheets -----------------------------------------------------------------------------------


def _overview(book: _Book, f: Figures, subtitle: str) -> None:
    page = book.page(OVERVIEW, words.nfc(f"TỔNG HỢP SỐ LIỆU CÔNG AN XÃ CHÍNH QUY ĐẾN NGÀY {words.day(f.as_of)}"),
                     subtitle)
    columns = [Column("Nhóm", "group", "text"), Column("Chỉ tiêu", "label", "text"), Column("Giá trị", "value"),
               Column("Đơn vị", "unit", "text"), Column("Ghi chú", "note", "text")]
    records = [{"group": group, "label": label, "value": value, "unit": unit, "note": note}
               for group, label, value, unit, note in _overview_rows(f)]
    book.table(page, 3, "TongQuan", columns, records)
    for r, record in enumerate(records, start=4):  # coverage and ID-card completion below 100%
        value = record["value"]
        if isinstance(value, Typed) and value.kind == "percent":
            for options in book.rules("below_100"):
                page.sheet.conditional_format(r, 2, r, 2, options)
    page.sheet.freeze_panes(4, 0)
    page.fit_columns()


def _overview_rows(f: Figures) -> list[tuple[str, str, object, str, str]]:
    """(group, label, value, unit, note) of every national figure; labels stay whatever is missing."""
    name, unit = _indicator_name, _indicator_unit
    general = "Thông tin chung"
    reporters, expected = f.reporters
    failed = sorted(set(f.completeness.province_name[~f.completeness.status.isin(REPORTED)])) \
        if not f.completeness.empty else []
    lists = [_list_date(d) for d in str(f.staffing["unit_lists"]).split(",")] \
        if f.staffing is not None and isinstance(f.staffing.get("unit_lists"), str) else []
    rows: list[tuple[str, str, object, str, str]] = [
        (general, "Ngày số liệu", Typed(f.as_of, "date"), "", ""),
        (general, "Ranh giới tỉnh", Typed(words.BASIS[f.basis], "text"), "", ""),
        (general, "Danh mục đơn vị hành chính", Typed(", ".join(f"danh mục ngày {d}" for d in lists) or None, "text"),
         "", "" if lists else "chưa có báo cáo bố trí CA chính quy"),
        (general, "Số tỉnh đã báo cáo đủ", Typed(f"{reporters}/{expected}" if expected else None, "text"), "tỉnh",
         f"chưa đủ: {words.listing(failed, 10)}" if failed else ("" if expected else "chưa có báo cáo")),
    ]
    s = f.staffing or {}
    group = "Bố trí CA chính quy"
    missing = f"chưa báo cáo: {words.listing(list(f.staffing_missing), 10)}" if f.staffing_missing else ""
    rows += [
        (group, "Tháng báo cáo", Typed(s.get("period_start"), "month"), "",
         "" if s else f"chưa có báo cáo đến ngày {words.day(f.as_of)}"),
        (group, "Ngày chốt số liệu", Typed(s.get("as_of_date"), "date"), "", ""),
        (group, "Số tỉnh đã báo cáo", Typed(s.get("provinces_reporting"), "count"), "tỉnh", missing),
        (group, "Số tỉnh phải báo cáo", Typed(s.get("provinces_expected"), "count"), "tỉnh", ""),
    ]
    rows += [(group, name(code), Typed(s.get(code), kind), unit(code), "")
             for code, kind in (("officers", "count"), ("communes_staffed", "count"), ("communes_in_scope", "count"),
                                ("coverage_pct", "percent"), ("officers_per_commune", "decimal"))]
    rows += _overview_campaign(f)
    rows += _overview_window(f.security, "An ninh trật tự", f.security_by_month, SECURITY_MEASURES)
    rows += _overview_window(f.commendations, "Khen thưởng", f.commendations_by_level, COMMENDATION_MEASURES)
    return rows


def _overview_campaign(f: Figures) -> list[tuple[str, str, object, str, str]]:
    group, c = "Thu nhận hồ sơ CCCD", f.campaign
    if c is None:
        values: dict[str, object] = {}
        reached = None
    else:
        reached = c.target_reached_date
        values = {"deadline": c.target_deadline, "first": c.first_report_date, "last": c.last_report_date,
                  "cumulative": c.cumulative_applications, "target": c.target,
                  "pct": 100 * c.cumulative_applications / c.target if c.target else None,
                  "provinces": int(f.id_cards_by_province.target_reached_date.notna().sum()),
                  "reached": reached, "ahead": (c.target_deadline - reached).days if reached else None}
    lagging = "; ".join(f"{p} (thiếu {days} ngày)" for p, days in (c.lagging if c else ()))
    return [
        (group, "Hạn hoàn thành chỉ tiêu", Typed(values.get("deadline"), "date"), "",
         "" if c else f"chưa có đợt thu nhận đến ngày {words.day(f.as_of)}"),
        (group, "Ngày bắt đầu thu nhận", Typed(values.get("first"), "date"), "", ""),
        (group, "Ngày báo cáo gần nhất", Typed(values.get("last"), "date"), "",
         f"chưa báo cáo đủ các ngày đến ngày này: {lagging}" if lagging else ""),
        (group, _indicator_name("id_card_cumulative"), Typed(values.get("cumulative"), "count"), "hồ sơ", ""),
        (group, _indicator_name("id_card_target"), Typed(values.get("target"), "count"), "hồ sơ", ""),
        (group, _indicator_name("id_card_target_pct"), Typed(values.get("pct"), "percent"), "%", ""),
        (group, "Số tỉnh đã đạt chỉ tiêu", Typed(values.get("provinces"), "count"), "tỉnh",
         f"trên {len(f.id_cards_by_province)} tỉnh có báo cáo" if c else ""),
        (group, "Ngày đạt chỉ tiêu (toàn quốc)", Typed(reached, "date"), "", "chưa đạt" if c and not reached else ""),
        (group, "Số ngày trước hạn (toàn quốc)", Typed(values.get("ahead"), "count"), "ngày", ""),
    ]


def _overview_window(window: Window, group: str, national: pd.DataFrame,
                     measures: tuple[str, ...]) -> list[tuple[str, str, object, str, str]]:
    notes = [f"{words.month(g.period_start)}: chưa báo cáo {words.listing(list(g.provinces), 10)}"
             for g in window.gaps]
    notes += [f"{words.month(m)} (hạn {words.day(due)}): chưa có báo cáo nào" for m, due in window.overdue]
    months = (None if window.first is None or window.last is None else
              (window.last.year - window.first.year) * 12 + window.last.month - window.first.month + 1)
    rows: list[tuple[str, str, object, str, str]] = [
        (group, "Từ tháng", Typed(window.first, "month"), "", "" if window.first else "chưa có báo cáo"),
        (group, "Đến tháng", Typed(window.last, "month"), "", ""),
        (group, "Số tháng", Typed(months, "count"), "tháng", "; ".join(notes)),
    ]
    code = {"collectives": "commendation_collectives", "individuals": "commendation_individuals"}
    rows += [(group, _indicator_name(code.get(m, m)), Typed(national[m].sum() if window.first else None, "count"),
              _indicator_unit(code.get(m, m)), "") for m in measures]
    return rows


def _by_province(book: _Book, f: Figures, subtitle: str) -> None:
    page = book.page(BY_PROVINCE, "SỐ LIỆU THEO TỈNH, THÀNH PHỐ", subtitle)
    staffing = [Column("Ngày chốt số liệu", "as_of_date", "date")] + _staffing_columns()
    if f.basis == "2025":
        staffing.append(Column("Mức đầy đủ", "comparability_vi", "text"))
    security = [Column(_header(m), m) for m in SECURITY_MEASURES]
    commendations = [Column(_indicator_name("commendation_collectives"), "collectives"),
                     Column(_indicator_name("commendation_individuals"), "individuals")]
    id_cards = [Column(_indicator_name("id_card_cumulative"), "cumulative_applications"),
                Column(_indicator_name("id_card_target"), "target"),
                Column(_indicator_name("id_card_target_pct"), "target_pct", "percent", ("below_100",))]
    keys = [Column("Mã tỉnh", "province_code", "text"), Column("Tên tỉnh", "province_name", "text")]
    staffing_rows = f.staffing_by_province.copy()
    if "comparability" in staffing_rows:
        staffing_rows["comparability_vi"] = staffing_rows.comparability.map(COMPARABILITY_VI)
    commendation_sums = (f.commendations_by_province.groupby(["province_code", "province_name"], as_index=False)
                         [list(COMMENDATION_MEASURES)].sum())
    records = _per_province(f, staffing_rows, f.security_by_province, commendation_sums, f.id_cards_by_province)
    groups = [("", keys),
              (_staffing_group(f), staffing), (_window_group("An ninh trật tự", f.security), security),
              (_window_group("Khen thưởng", f.commendations), commendations),
              (f"Thu nhận hồ sơ CCCD (đến ngày {words.day(f.campaign.last_report_date)})" if f.campaign
               else "Thu nhận hồ sơ CCCD", id_cards)]
    col = 0
    for label, columns in groups:
        if label:
            page.sheet.merge_range(3, col, 3, col + len(columns) - 1, "", book.formats["group"])
            page.sheet.write_string(3, col, words.nfc(label), book.formats["group"])
        col += len(columns)
    book.table(page, 4, "TheoTinh", [c for _, columns in groups for c in columns], records)
    page.sheet.freeze_panes(5, 2)
    page.fit_columns()


def _staffing_columns() -> list[Column]:
    return [Column(_indicator_name("communes_in_scope"), "communes_in_scope"),
            Column(_indicator_name("communes_staffed"), "communes_staffed"),
            Column(_indicator_name("coverage_pct"), "coverage_pct", "percent", ("below_100",)),
            Column(_indicator_name("officers"), "officers"),
            Column(_indicator_name("officers_per_commune"), "officers_per_commune", "decimal")]


def _id_cards(book: _Book, f: Figures, subtitle: str) -> None:
    page = book.page(ID_CARDS, "THU NHẬN HỒ SƠ CĂN CƯỚC CÔNG DÂN (CCCD) THEO CHỈ TIÊU", subtitle)
    c = f.campaign
    page.text(2, 0, f"Đợt thu nhận từ {words.day(c.first_report_date)}, hạn {words.day(c.target_deadline)}; "
                    f"số liệu đến ngày {words.day(c.last_report_date)}" if c
              else f"Chưa có đợt thu nhận hồ sơ CCCD đến ngày {words.day(f.as_of)}", "note")
    columns = [Column("Mã tỉnh", "province_code", "text"), Column("Tên tỉnh", "province_name", "text"),
               Column(_indicator_name("id_card_target"), "target"),
               Column("Hạn hoàn thành", "target_deadline", "date"),
               Column("Ngày báo cáo gần nhất", "last_report_date", "date"),
               Column(_indicator_name("id_card_cumulative"), "cumulative_applications"),
               Column(_indicator_name("id_card_target_pct"), "target_pct", "percent", ("below_100",)),
               Column("Ngày đạt chỉ tiêu", "target_reached_date", "date"),
               Column("Lũy kế tại ngày đạt chỉ tiêu", "cumulative_on_reached_date"),
               Column("Số ngày trước hạn", "days_ahead")]
    records = _per_province(f, f.id_cards_by_province)
    book.table(page, 3, "CCCDTheoTinh", columns, records)
    page.sheet.freeze_panes(4, 2)
    page.fit_columns()
    if c is not None:
        _charts(book, page, f, first_col=len(columns) + 1)


def _chart_provinces(f: Figures) -> tuple[pd.DataFrame, list[date]]:
    """The provinces the chart shows (those singled out, else the largest targets) and the days it spans."""
    milestones = f.id_cards_by_province
    if milestones.empty:
        return milestones, []
    if f.singled_out:
        shown = milestones[milestones.province_code.isin(f.singled_out)]
    else:
        shown = milestones.sort_values(["target", "province_code"], ascending=[False, True]).head(CHART_PROVINCES)
    daily = f.id_cards_daily
    return shown, sorted(set(daily.report_date[daily.province_code.isin(shown.province_code)]))


def _charts(book: _Book, page: _Page, f: Figures, first_col: int) -> None:
    """One native line chart per province shown: its cumulative applications by day against its target,
    from the hidden sheet "Dữ liệu biểu đồ" (written last, by _chart_data)."""
    shown, days = _chart_provinces(f)
    last = len(days)
    for i, p in enumerate(shown.itertuples()):
        chart = book.workbook.add_chart({"type": "line"})
        for offset, dash in ((1, None), (2, "dash")):
            col = 2 * i + offset
            chart.add_series({"name": [CHART_DATA, 0, col], "categories": [CHART_DATA, 1, 0, last, 0],
                              "values": [CHART_DATA, 1, col, last, col],
                              "line": {"width": 2.25} if dash is None else {"width": 1.5, "dash_type": dash}})
        chart.set_title({"name": words.nfc(f"{p.province_name}: chỉ tiêu {words.exact(p.target)} hồ sơ, "
                                            f"hạn {words.day(p.target_deadline)}"),
                         "name_font": {"size": 11, "bold": True}})
        chart.set_x_axis({"date_axis": True, "num_format": "dd/mm", "major_unit": 7, "major_unit_type": "days"})
        chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        chart.show_blanks_as("gap")
        chart.set_size({"width": 560, "height": 300})
        page.sheet.insert_chart(3 + 16 * (i // 2), first_col, chart, {"x_offset": 580 * (i % 2), "y_offset": 0})


def _chart_data(book: _Book, f: Figures, subtitle: str) -> None:
    """The hidden sheet of the charts' data: a row per day, per province its cumulative count and target."""
    shown, days = _chart_provinces(f)
    page = _Page(book.workbook.add_worksheet(CHART_DATA), book.formats)
    page.sheet.hide()
    columns = [Column("Ngày", "report_date", "date")]
    by_day: dict[date, dict] = {day: {"report_date": day} for day in days}
    for i, p in enumerate(shown.itertuples()):
        columns += [Column(f"{p.province_name}: lũy kế", f"cumulative_{i}"),
                    Column(f"{p.province_name}: chỉ tiêu", f"target_{i}")]
        for r in f.id_cards_daily[f.id_cards_daily.province_code == p.province_code].itertuples():
            by_day[r.report_date] |= {f"cumulative_{i}": r.cumulative_applications, f"target_{i}": r.target}
    book.table(page, 0, "DuLieuBieuDo", columns, [by_day[day] for day in days])
    page.sheet.freeze_panes(1, 1)
    page.fit_columns()


def _security(book: _Book, f: Figures, subtitle: str) -> None:
    page = book.page(SECURITY, _window_group("TÌNH HÌNH AN NINH TRẬT TỰ", f.security), subtitle)
    keys = [Column("Mã tỉnh", "province_code", "text"), Column("Tên tỉnh", "province_name", "text")]
    measures = [Column(_header(m), m) for m in SECURITY_MEASURES]
    row = book.table(page, 3, "ANTTTheoTinh", keys + measures, _per_province(f, f.security_by_province))
    page.sheet.freeze_panes(4, 2)
    page.text(row + 1, 0, "Toàn quốc theo tháng", "heading")
    book.table(page, row + 2, "ANTTTheoThang", [Column("Tháng", "period_start", "month")] + measures,
               f.security_by_month.to_dict("records"))
    page.fit_columns()


def _commendations(book: _Book, f: Figures, subtitle: str) -> None:
    page = book.page(COMMENDATIONS, _window_group("KHEN THƯỞNG", f.commendations), subtitle)
    by_province = f.commendations_by_province
    levels = sorted(set(by_province.level) | set(f.commendations_by_level.level),
                    key=lambda lv: (LEVEL_ORDER.index(lv) if lv in LEVEL_ORDER else len(LEVEL_ORDER), lv))
    wide = pd.DataFrame(columns=["province_code", "province_name"])
    if not by_province.empty:
        wide = by_province.pivot_table(index=["province_code", "province_name"], columns="level",
                                       values=list(COMMENDATION_MEASURES), aggfunc="sum")
        wide.columns = [f"{measure}|{level}" for measure, level in wide.columns]
        totals = by_province.groupby(["province_code", "province_name"])[list(COMMENDATION_MEASURES)].sum()
        wide = wide.join(totals).reset_index()
    columns = [Column("Mã tỉnh", "province_code", "text"), Column("Tên tỉnh", "province_name", "text")]
    for level in levels:
        columns += [Column(f"{level}: tập thể", f"collectives|{level}"),
                    Column(f"{level}: cá nhân", f"individuals|{level}")]
    columns += [Column(_indicator_name("commendation_collectives"), "collectives"),
                Column(_indicator_name("commendation_individuals"), "individuals")]
    row = book.table(page, 3, "KhenThuongTheoTinh", columns, _per_province(f, wide))
    page.sheet.freeze_panes(4, 2)
    page.text(row + 1, 0, "Toàn quốc theo cấp khen thưởng", "heading")
    national = f.commendations_by_level.assign(
        order=lambda t: [levels.index(lv) for lv in t.level]).sort_values("order")
    book.table(page, row + 2, "KhenThuongTheoCap",
               [Column("Cấp khen thưởng", "level", "text"), Column(_indicator_name("commendation_collectives"),
                                                                   "collectives"),
                Column(_indicator_name("commendation_individuals"), "individuals")], national.to_dict("records"))
    page.fit_columns()


def _quality(book: _Book, f: Figures, subtitle: str) -> None:
    page = book.page(QUALITY, "CHẤT LƯỢNG BÁO CÁO: CÁC BÁO CÁO SỐ LIỆU CỘNG LẠI", subtitle)
    page.text(2, 0, "Mỗi báo cáo tháng một dòng; biểu 03 (hằng ngày) một dòng mỗi tỉnh cho cả đợt. "
                    "Hạn nộp: của kỳ cuối; nhận lúc: lần nhận đầu và cuối.", "note")
    columns = [Column("Biểu", "sheet_title", "text"), Column("Mã tỉnh", "province_code", "text"),
               Column("Tên tỉnh", "province_name", "text"), Column("Từ ngày", "period_start", "date"),
               Column("Đến ngày", "period_end", "date"), Column("Số kỳ", "periods"),
               Column("Đúng hạn", "on_time"), Column("Muộn", "late", rules=("positive",)),
               Column("Thiếu", "missing", rules=("positive",)), Column("Bị từ chối", "rejected", rules=("positive",)),
               Column("Tình trạng", "status_vi", "text", ("late_report",)), Column("Hạn nộp", "due_date", "date"),
               Column("Nhận lần đầu", "first_received_at", "datetime"),
               Column("Nhận lần cuối", "last_received_at", "datetime")]
    row = book.table(page, 3, "TinhTrangBaoCao", columns, _report_groups(f.completeness))
    page.sheet.freeze_panes(4, 0)
    page.text(row + 1, 0, "Các tệp đã nhận cho các kỳ trên (tên tệp, trang và lý do ghi như tỉnh gửi)", "heading")
    submissions = f.submissions.copy()
    if not submissions.empty:
        submissions["status_vi"] = [SUBMISSION_STATUS_VI.get(s, s) for s in submissions.status]
    book.table(page, row + 2, "TepDaNhan", [
        Column("Nhận lúc", "received_at", "datetime"), Column("Mã tỉnh", "province_code", "text"),
        Column("Tệp", "file_name", "text"), Column("Trang tính", "sheet", "text"),
        Column("Từ ngày", "period_start", "date"), Column("Đến ngày", "period_end", "date"),
        Column("Kết quả", "status_vi", "text", ("rejected_submission",)), Column("Số dòng đọc", "rows_read"),
        Column("Số dòng đã nạp", "rows_loaded"), Column("Số dòng bị loại", "rows_quarantined", rules=("positive",)),
        Column("Cảnh báo", "warnings"), Column("Lý do", "reason", "text")], submissions.to_dict("records"))
    page.fit_columns()


def _report_groups(completeness: pd.DataFrame) -> list[dict]:
    """One row per monthly report, and one per province for the days of sheet 03: the periods, how many
    of each status, the worst, the last due date, the first and last arrival."""
    if completeness.empty:
        return []
    rows = completeness.assign(group=[p if s != "03" else None for s, p in
                                      zip(completeness.sheet, completeness.period_start, strict=True)])
    records = []
    for (sheet, code, name, _), reports in rows.groupby(["sheet", "province_code", "province_name", "group"],
                                                         sort=True, dropna=False):
        counts = reports.status.value_counts()
        worst = next(s for s in _WORST_FIRST if counts.get(s, 0))
        spec = TEMPLATE_SHEETS.get(str(sheet))
        records.append({
            "sheet_title": spec.title if spec else str(sheet), "province_code": code, "province_name": name,
            "period_start": reports.period_start.min(), "period_end": reports.period_end.max(),
            "periods": len(reports), **{s: int(counts.get(s, 0)) for s in STATUS_VI},
            "status_vi": STATUS_VI[worst], "due_date": reports.due_date.max(),
            "first_received_at": reports.received_at.min(), "last_received_at": reports.received_at.max()})
    return records


# --- helpers -------------------------------------------------------------------------------------


def _per_province(f: Figures, *frames: pd.DataFrame) -> list[dict]:
    """One record per province of the basis (and any other a frame names), the frames' columns joined on
    the province code: a province a frame lacks has no value there, so its cells stay empty. Names are
    the basis' (a snapshot may carry the name of its own list: Thừa Thiên Huế, now Huế)."""
    present = [frame for frame in frames if not frame.empty]
    merged = pd.concat([f.provinces[["province_code", "province_name"]],
                        *(frame[["province_code", "province_name"]] for frame in present)])
    merged = merged.drop_duplicates("province_code").sort_values("province_code").reset_index(drop=True)
    for frame in present:
        merged = merged.merge(frame.drop(columns="province_name"), on="province_code", how="left",
                              validate="one_to_one")
    return merged.to_dict("records")


def _subtitle(f: Figures) -> str:
    reporters, expected = f.reporters
    complete = f" · {reporters}/{expected} tỉnh đã báo cáo đủ" if expected else ""
    return words.nfc(f"Số liệu tính đến ngày {words.day(f.as_of)} · Ranh giới: {words.BASIS[f.basis]}{complete}")


def _staffing_group(f: Figures) -> str:
    if f.staffing is None:
        return "Bố trí CA chính quy"
    return f"Bố trí CA chính quy ({words.month(f.staffing['period_start'])})"


def _window_group(label: str, window: Window) -> str:
    months = _months_words(window)
    return f"{label} ({months})" if months else label


def _months_words(window: Window) -> str:
    return words.months(window.first, window.last) if window.first and window.last else ""


def _list_date(list_id: str) -> str:
    """A unit list's id (ref.unit_list.list_id, the date it is of) as the article writes dates: 3/2/2021."""
    try:
        return words.day(date.fromisoformat(list_id.strip()))
    except ValueError:
        return list_id.strip()


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@cache
def _indicators() -> dict[str, dict[str, str]]:
    """warehouse/indicators.csv by code: the indicators' Vietnamese names and units (one place for them)."""
    with (WAREHOUSE_SQL / "indicators.csv").open(encoding="utf-8") as source:
        return {row["indicator_code"]: row for row in csv.DictReader(source)}


def _indicator_name(code: str) -> str:
    return _indicators()[code]["indicator_name_vi"]


def _indicator_unit(code: str) -> str:
    return _indicators()[code]["unit"]


def _header(code: str) -> str:
    """A column header: the indicator's name, with its unit where the name does not say it (fines in đồng)."""
    return f"{_indicator_name(code)} ({_indicator_unit(code)})" if _indicator_unit(code) == "đồng" else \
        _indicator_name(code)

