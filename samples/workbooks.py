"""Writing workbook files: a monthly workbook (sheets 01, 02 and 04, with its seeded edits) and
a half-month CCCD workbook (sheet 03), each with its sheets in workbook order (data sheets, an
extra notes sheet, hidden sheets, a chart sheet), saved with its modification time set to its
simulated arrival; each returns its truth entry."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from samples.books import Book, Sheet, XlsxBook
from samples.faults import FAULTS, Tweak, apply_edits
from samples.figures import IdCard, campaign_days
from samples.kinds import ERA, HALF_MONTHS, ID_CARD_2021, ID_CARD_DEADLINE, REPORT_TITLE, UNIT_LINE
from samples.legacy import XlsBook
from samples.monthly import Monthly, MonthlyBook
from samples.plan import Plan, arrival_time, id_card_file_name, monthly_file_name, stamp_arrival
from samples.spelling import dmy, name_key, stray_spaces, vn_int
from samples.tables import (
    VALUE_NOTES,
    Col,
    Row,
    Sum,
    Table,
    Value,
    arrange,
    date_value,
    figure_value,
    title_rows,
    write_table,
)
from samples.truth import workbook_entry
from samples.units import District


def _open_book(path: Path, plan: Plan, created: datetime, title: str) -> Book:
    """A workbook in the plan's format: .xlsx (xlsxwriter) or .xls (xlwt); its author the province's police."""
    backend = XlsBook if plan.fmt == "xls" else XlsxBook
    return backend(path, created, title, plan.province.police_office)


def _needs_codes(written: list[tuple[str | None, str]]) -> bool:
    """Lossy spellings can make two communes of one district identical ('Thiệu Hóa'/'Thiệu Hoa'
    without diacritics); such a workbook carries the unit codes so every row stays resolvable."""
    keys = [(name_key(d or ""), name_key(c)) for d, c in written]
    return len(set(keys)) != len(keys)


def _lookup_rows(names: list[tuple[str, str]]) -> list[list[str]]:
    return [["Mã", "Tên đơn vị"], *[[code, name] for code, name in names]]


def _write_lines(book: Book, name: str, lines: Sequence[Sequence[str]], hidden: bool = False) -> Sheet:
    sheet = book.sheet(name)
    if hidden:
        sheet.hide()
    for r, line in enumerate(lines):
        for c, text in enumerate(line):
            sheet.text(r, c, text, "plain")
    sheet.width(0, 12 if hidden else 60)
    return sheet


def _notes_lines(plan: Plan, extra_name: str, as_of: str) -> list[list[str]]:
    formula_like = "formula_like_text" in plan.departures
    place = plan.province.police_office
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


def _slots(plan: Plan) -> list[tuple[str, str, str]]:
    """The sheets in workbook order, as (what, code or name, hidden content): the data sheets,
    hidden ones anywhere, an extra sheet and a chart sheet first or last."""
    slots = [("data", code, "") for code in plan.order]
    for name, content, position in plan.hidden:
        slots.insert(min(position, len(slots)), ("hidden", name, content))
    if plan.extra_sheet:
        slots.insert(0 if plan.extra_sheet[1] else len(slots), ("extra", plan.extra_sheet[0], ""))
    if plan.chart:
        slots.insert(0 if plan.chart[1] else len(slots), ("chart", plan.chart[0], ""))
    return slots


def _write_hidden(book: Book, name: str, content: str, units: list[tuple[str, str]],
                  older_copy: Callable[[str], tuple[str, Table]], deps: set[str]) -> dict[str, str]:
    """A hidden sheet: a lookup list of ``units`` (code, name), or an older copy of a data sheet
    (``older_copy``: its code and table, drawn only then); its truth entry."""
    truth = {"name": name, "content": content}
    if content == "lookup":
        _write_lines(book, name, _lookup_rows(units), hidden=True)
    else:
        code, copy = older_copy(content)
        copy.name = name
        write_table(book, copy, deps, hidden=True)
        truth["copy_of"] = code
    return truth


def write_monthly(spec: Monthly, plan: Plan, out_dir: Path, district_info: dict[str, District],
                  rng: random.Random, tweak: Tweak | None = None) -> dict[str, Any]:
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
    book_plan = MonthlyBook(spec, plan, district_info, written, has_codes, rng, phuong_written)
    arrival = arrival_time(spec.as_of, rng)
    created = arrival - timedelta(minutes=rng.randint(20, 600))
    file_name = monthly_file_name(plan, spec.period)
    if tweak is not None:
        if tweak.arrival is not None:
            if not tweak.keep_created:  # prepared shortly before it was sent
                created = tweak.arrival - (arrival - created)
            arrival = tweak.arrival
        stem, ext = file_name.rsplit(".", 1)
        file_name = f"{stem}{tweak.suffix}.{ext}"
    path = out_dir / file_name
    book = _open_book(path, plan, created, REPORT_TITLE[spec.kind].capitalize())

    def older_copy(content: str) -> tuple[str, Table]:  # a data sheet with other figures: this month or the last
        code = rng.choice(("01", "02", "04"))
        return code, book_plan.table(code, record=False, rng=rng, month_back=1 if content == "old_month" else 0)

    units = [(c.unit_code, c.name) for c in communes]
    sheets: dict[str, Any] = {}
    data_handles: list[Sheet] = []
    hidden_truth = []
    chart_sheet = None
    for what, arg, content in _slots(plan):
        if what == "data":
            table = book_plan.table(arg, record=True)
            extra = {}
            if tweak is not None:
                extra = apply_edits(table, [e for e in tweak.edits if e.sheet == arg], book_plan, tweak.rng)
            handle, entry = write_table(book, table, deps)
            if arg in ("01", "02"):
                entry["has_codes"] = has_codes
            for cell in extra.get("corrected_cells", ()):  # row indices are known once written
                cell["row"] = next(r["row"] for r in entry["rows"] if r["unit_code"] == cell["unit_code"])
            entry.update(extra)
            sheets[arg] = entry
            data_handles.append(handle)
        elif what == "extra":
            _write_lines(book, arg, _notes_lines(plan, arg, dmy(spec.as_of)))
        elif what == "chart":
            chart_sheet = book.chartsheet(arg)
        else:
            hidden_truth.append(_write_hidden(book, arg, content, units, older_copy, deps))
    if chart_sheet is not None:
        assert isinstance(book, XlsxBook)  # xls_format excludes chart_sheet
        _chart(book, chart_sheet, sheets["01"], spec)
    book.close(data_handles[0])
    stamp_arrival(path, arrival)
    entry = workbook_entry(plan, file_name, spec.kind, spec.era, f"{spec.period[0]:04d}-{spec.period[1]:02d}",
                           spec.as_of.isoformat(), None, None, book, hidden_truth, arrival, sheets)
    if tweak is not None:
        entry["faults"] = [f for f in FAULTS if f in tweak.faults]
        entry.update(tweak.extra)
    return entry


def _chart(book: XlsxBook, chart_sheet: Any, sheet: dict[str, Any], spec: Monthly) -> None:
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


def write_id_card(plan: Plan, card: IdCard, half: int, district_names: list[str], out_dir: Path,
                  rng: random.Random) -> dict[str, Any]:
    """Write one half-month CCCD workbook (sheet 03); its truth entry."""
    first, last = HALF_MONTHS[half]
    deps, style, province = plan.departures, plan.style, plan.province
    days = campaign_days()
    offset = days.index(first)
    span = (last - first).days + 1
    merged = "merged_date_cells" in deps
    two_row = "two_row_header" in deps
    cols = [Col("date", "Ngày", width=12), Col("unit", "Huyện, thị xã, thành phố", width=26),
            Col("applications", plan.wordings.get("applications", "Số hồ sơ thu nhận trong ngày"),
                "Thu nhận hồ sơ CCCD" if two_row else None, width=16)]
    cols = arrange(cols, plan.columns.get("03"), "03", "separator_column" in deps)
    stray = "names_stray_spaces" in deps
    target_text = f"Chỉ tiêu được giao: {vn_int(card.target)} hồ sơ, thời hạn {dmy(ID_CARD_DEADLINE)}"
    period = f"Từ ngày {first.day:02d}/{first.month}/{first.year} đến ngày {last.day:02d}/{last.month}/{last.year}"
    title, target_row = title_rows(province.police, REPORT_TITLE[ID_CARD_2021], period, plan.title_size,
                                   UNIT_LINE["03"], len(cols) - 1, target_text)

    def table(counts: list[list[int]], record: bool) -> Table:
        rows: list[Row] = []
        noted = set(rng.sample(range(span * len(card.districts)), 2)) if "values_with_notes" in deps else set()
        for d in range(span):
            day = first + timedelta(days=d)
            value = date_value(day, plan, rng)
            for k, district in enumerate(card.districts):
                count = counts[d][k]
                name = district_names[k]
                if stray and rng.random() < 0.15:
                    name = stray_spaces(name, rng)
                note = rng.choice(VALUE_NOTES["03"]) if d * len(card.districts) + k in noted else None
                cells: dict[str, Value] = {"unit": name, "applications": figure_value(count, plan, note)}
                row = Row("data", cells)
                if not merged:
                    cells["date"] = value if not plan.date_formats else date_value(day, plan, rng)
                elif k == 0:
                    cells["date"] = value
                    row.merge_down["date"] = len(card.districts)
                if record:
                    row.truth = {"row": -1, "report_date": day.isoformat(), "unit_code": district, "name": name,
                                 "applications": count}
                rows.append(row)
            if "day_subtotals" in deps:
                label = style.label(f"Cộng ngày {day:%d/%m}")
                rows.append(Row("subtotal", {"date": None, "unit": label, "applications": Sum(sum(counts[d]))}))
        total = Sum(sum(map(sum, counts)))
        rows.append(Row("total", {"date": style.label(plan.total_word), "unit": None, "applications": total}))
        return Table("03", plan.sheet_names["03"], title, cols, rows, "date", two_row, target_row)

    counts = card.daily[offset: offset + span]
    arrival = arrival_time(last + timedelta(days=1), rng)
    file_name = id_card_file_name(plan, first, last)
    path = out_dir / file_name
    book = _open_book(path, plan, arrival - timedelta(minutes=rng.randint(20, 600)),
                      "Báo cáo tiến độ thu nhận hồ sơ CCCD")

    def older_copy(content: str) -> tuple[str, Table]:  # an earlier draft of the same half-month, lower figures
        return "03", table([[round(c * rng.uniform(0.8, 0.98)) for c in day] for day in counts], record=False)

    units = list(zip(card.districts, district_names, strict=True))
    sheets: dict[str, Any] = {}
    data_handle = None
    hidden_truth = []
    for what, arg, content in _slots(plan):  # no chart sheet in an ID-card file
        if what == "data":
            data_handle, entry = write_table(book, table(counts, record=True), deps)
            entry.update({"target": card.target, "deadline": ID_CARD_DEADLINE.isoformat(),
                          "target_cell": [target_row, 0], "date_cells": "merged" if merged else "repeated"})
            sheets["03"] = entry
        elif what == "extra":
            _write_lines(book, arg, _notes_lines(plan, arg, dmy(last)))
        else:
            hidden_truth.append(_write_hidden(book, arg, content, units, older_copy, deps))
    assert data_handle is not None
    book.close(data_handle)
    stamp_arrival(path, arrival)
    return workbook_entry(plan, file_name, ID_CARD_2021, ERA, None, None, first.isoformat(), last.isoformat(), book,
                          hidden_truth, arrival, sheets)


def spell_districts(plan: Plan, card: IdCard, district_info: dict[str, District]) -> list[str]:
    """The district names as a province writes them; with no code column in sheet 03, lossy
    spellings that would make two districts alike ('Cai Lậy' town and district) stay in full."""
    written = [plan.style.unit(*district_info[code], spaces=False) for code in card.districts]
    keys = [name_key(w) for w in written]
    for i, key in enumerate(keys):
        if keys.count(key) > 1:
            written[i] = plan.style.label(district_info[card.districts[i]][0])
    return written
