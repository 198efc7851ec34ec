"""The monthly report's data sheets as tables, for either era (``MONTHLY``): 01 (staffing), 02
(security activity of the month) and 04 (commendations by level), with the unit columns, the
district subtotals and grand total, the phường a 2021 city lists beside its communes, notes,
and the older copy of a sheet a hidden sheet holds."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from etl import reference
from samples.kinds import (
    ACTIVITY_KEYS,
    AS_OF,
    AS_OF_2026,
    ERA,
    MONTHLY_2021,
    MONTHLY_2026,
    PERIOD,
    PERIOD_2026,
    REPORT_TITLE,
    STAFFING_KEYS,
    UNIT_LINE,
)
from samples.plan import Plan
from samples.spelling import dmy, no_diacritics
from samples.tables import (
    SEPARATOR,
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
)
from samples.units import District

LEVELS_2021 = ("Bộ Công an", "UBND tỉnh", "Công an tỉnh", "Cấp huyện")
LEVELS_2026 = ("Bộ Công an", "UBND tỉnh", "Công an tỉnh", "Cấp xã")
_FORMULA_NOTES = ("=5 đồng chí", "+01 đ/c tăng cường", "=> Chuyển Cơ quan CSĐT", "+2 tin so với tháng trước",
                  "=3 vụ đã khởi tố")
_Unit = tuple[Row, str | None, dict[str, Any]]  # a data row, its district code, its figures


def staffing_truth(unit_code: str | None, figures: dict[str, int], staffed: date | None, district: str | None,
                   name: str) -> dict[str, Any]:
    """The truth entry of a sheet 01 row (its ``row`` set once it is written)."""
    return {"unit_code": unit_code, **figures, "staffed_date": staffed.isoformat() if staffed else None,
            "row": -1, "district": district, "name": name}


def activity_truth(unit_code: str | None, district: str | None, name: str, figures: dict[str, int]) -> dict[str, Any]:
    """The truth entry of a sheet 02 row (its ``row`` set once it is written)."""
    return {"row": -1, "unit_code": unit_code, "district": district, "name": name, **figures}


@dataclass(frozen=True)
class Monthly:
    """What fixes a monthly kind: its era, period, as-of date and commendation levels."""

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
        return f"Tháng {month - month_back} năm {year}          (Số liệu tính đến ngày {dmy(as_of)})"


MONTHLY = {
    MONTHLY_2021: Monthly(MONTHLY_2021, ERA, PERIOD, AS_OF, LEVELS_2021),
    MONTHLY_2026: Monthly(MONTHLY_2026, reference.ERA2025, PERIOD_2026, AS_OF_2026, LEVELS_2026),
}


@dataclass
class MonthlyBook:
    """One monthly workbook being built: its plan and how it writes the unit names."""

    spec: Monthly
    plan: Plan
    district_info: dict[str, District]
    written: list[tuple[str | None, str]]
    has_codes: bool
    rng: random.Random
    phuong_written: list[tuple[str | None, str]] = field(default_factory=list)  # district, name of plan.phuong

    def title(self, code: str, last_col: int, month_back: int = 0) -> list[list[tuple[int, str, bool]]]:
        rows, _ = title_rows(self.plan.province.police, REPORT_TITLE[self.spec.kind],
                             self.spec.period_line(month_back), self.plan.title_size, UNIT_LINE[code], last_col)
        return rows

    def ident_columns(self, fold: Callable[[str], str]) -> list[Col]:
        cols = [Col("stt", "STT", width=6)]
        if self.spec.districts:
            cols.append(Col("district", fold("Huyện, thị xã, thành phố"), width=24))
        cols += [Col("name", fold(self.spec.unit_header), width=24), Col("code", fold("Mã ĐVHC"), width=10)]
        return cols

    def unit_cells(self, stt: int, district: str | None, name: str, code: str | None) -> dict[str, Value]:
        """The unit columns of a row of sheet 01 or 02; ``code`` None where the workbook has no codes."""
        cells: dict[str, Value] = {"stt": stt}
        if self.spec.districts:
            cells["district"] = district
        cells["name"] = name
        cells["code"] = code  # text: keeps the leading zeros
        return cells

    def ident_cells(self, i: int) -> dict[str, Value]:
        """The unit columns of commune ``i``'s row, as the workbook writes them."""
        commune = self.plan.province.communes[i]
        return self.unit_cells(i + 1, *self.written[i], commune.unit_code if self.has_codes else None)

    def sum_row(self, kind: str, label: str, columns: list[Col], sums: dict[str, int]) -> Row:
        cells: dict[str, Value] = {}
        for col in columns:
            if col.key is None:
                continue
            cells[col.key] = Sum(sums[col.key]) if col.key in sums else None
        cells[self.label_key] = label
        return Row(kind, cells)

    def rows_with_sums(self, columns: list[Col], units: list[_Unit], keys: Sequence[str]) -> list[Row]:
        """Data rows (``units``: row, district code, figures), with district subtotals if the
        workbook has them, and the grand total."""
        plan = self.plan
        rows: list[Row] = []
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

    def with_phuong(self, code: str, data: list[Row], figures: list[dict[str, Any]], record: bool) -> list[_Unit]:
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
            cells = self.unit_cells(0, district, name, unit.unit_code if self.has_codes else None)
            figs: dict[str, Any]
            if code == "01":
                figs = {"officers": unit.officers, "chiefs": unit.chiefs, "deputies": unit.deputies}
                cells.update({key: figure_value(value, plan) for key, value in figs.items()})
                cells.update({"date": None, "note": unit.note or None})
                truth = staffing_truth(unit.unit_code, figs, None, district, name)
            else:
                figs = dict(unit.activity)
                cells.update({key: figure_value(figs[key], plan, blank_zero=key in phuong.blank)
                              for key in ACTIVITY_KEYS})
                cells["note"] = unit.note02 or None
                truth = activity_truth(unit.unit_code, district, name, figs)
            truth["in_scope"] = False
            row = Row("data", cells, truth if record else None, phuong=True)
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

    def table_01(self, figures: list[dict[str, Any]], record: bool, month_back: int = 0) -> Table:
        plan, deps = self.plan, self.plan.departures
        officers_header = plan.wordings.get("officers", "Số CA chính quy đã bố trí")
        folded = officers_header == "So CA chinh quy"

        def fold(text: str) -> str:
            return no_diacritics(text) if folded else text  # typed without diacritics throughout

        two_row = "two_row_header" in deps
        cols = self.ident_columns(fold)
        cols.append(Col("officers", fold(officers_header), width=14))
        if two_row:  # the sub-headers drop the "Trong đó: " the merged cell above says
            cols += [Col("chiefs", fold("Trưởng CA xã"), fold("Trong đó")),
                     Col("deputies", fold("Phó trưởng CA xã"), fold("Trong đó"))]
        else:
            cols += [Col("chiefs", fold("Trong đó: Trưởng CA xã")),
                     Col("deputies", fold("Trong đó: Phó trưởng CA xã"))]
        cols += [Col("date", fold("Ngày hoàn thành bố trí"), width=14), Col("note", fold("Ghi chú"), width=20)]
        cols = arrange(cols, plan.columns.get("01"), "01", "separator_column" in deps)
        noted = self.noted_rows(len(figures))
        formula_notes = self.formula_notes(len(figures))
        data = []
        for i, fig in enumerate(figures):
            commune = plan.province.communes[i]
            cells = self.ident_cells(i)
            note = self.rng.choice(VALUE_NOTES["01"]) if i in noted else None
            cells["officers"] = figure_value(fig["officers"], plan, note)
            cells["chiefs"] = figure_value(fig["chiefs"], plan)
            cells["deputies"] = figure_value(fig["deputies"], plan)
            cells["date"] = date_value(fig["staffed"], plan, self.rng)
            cells["note"] = formula_notes.get(i, self.plain_note(fig["note"])) or None
            truth = None
            if record:
                truth = staffing_truth(commune.unit_code, {key: fig[key] for key in STAFFING_KEYS}, fig["staffed"],
                                       *self.written[i])
            data.append(Row("data", cells, truth))
        units = self.with_phuong("01", data, figures, record)
        return Table("01", plan.sheet_names["01"], self.title("01", len(cols) - 1, month_back), cols,
                     self.rows_with_sums(cols, units, STAFFING_KEYS), self.label_key, two_row)

    @property
    def label_key(self) -> str:
        return "district" if self.spec.districts else "name"

    # ------------------------------------------------------------------ sheet 02

    def table_02(self, figures: list[dict[str, Any]], record: bool, month_back: int = 0) -> Table:
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
                cols.append(Col(key, header, group if two_row else None, width=16 if key == "fines_vnd" else 12))
        cols.append(Col("note", "Ghi chú", width=20))
        # Separators after the unit columns, and between the tips and the penalties (see _gaps).
        cols = arrange(cols, plan.columns.get("02"), "02", "separator_column" in deps)
        noted = self.noted_rows(len(figures))
        formula_notes = self.formula_notes(len(figures))
        data = []
        for i, fig in enumerate(figures):
            commune = plan.province.communes[i]
            cells = self.ident_cells(i)
            nonzero = [k for k in ACTIVITY_KEYS if fig[k]]
            note_key = self.rng.choice(nonzero) if i in noted and nonzero else None
            for key in ACTIVITY_KEYS:
                note = self.rng.choice(VALUE_NOTES["02"]) if key == note_key else None
                cells[key] = figure_value(fig[key], plan, note, blank_zero=self.rng.random() < plan.blank_rate)
            cells["note"] = formula_notes.get(i, self.plain_note(fig["note"])) or None
            truth = None
            if record:
                truth = activity_truth(commune.unit_code, *self.written[i], {key: fig[key] for key in ACTIVITY_KEYS})
            data.append(Row("data", cells, truth))
        units = self.with_phuong("02", data, figures, record)
        return Table("02", plan.sheet_names["02"], self.title("02", len(cols) - 1, month_back), cols,
                     self.rows_with_sums(cols, units, ACTIVITY_KEYS), self.label_key, two_row)

    # ------------------------------------------------------------------ sheet 04

    def table_04(self, figures: list[tuple[int, int]], record: bool, month_back: int = 0) -> Table:
        plan, deps = self.plan, self.plan.departures
        two_row = "two_row_header" in deps
        words = plan.wordings
        group = "Số lượng được khen thưởng" if two_row else None
        cols = [Col("level", words.get("level", "Cấp khen thưởng"), width=24)]
        if "separator_column" in deps:
            cols.append(SEPARATOR)
        cols += [Col("collectives", words.get("collectives", "Tập thể"), group),
                 Col("individuals", words.get("individuals", "Cá nhân"), group)]
        noted = self.noted_rows(len(figures) * 2)
        city = plan.province.unit_type == "thành phố"
        data = []
        for i, (level, (collectives, individuals)) in enumerate(zip(self.spec.levels, figures, strict=True)):
            written = level.replace("tỉnh", "thành phố") if city else level  # 'UBND thành phố' in a city
            label = plan.style.label(written)
            cells: dict[str, Value] = {"level": label}
            for j, (key, value) in enumerate((("collectives", collectives), ("individuals", individuals))):
                note = self.rng.choice(VALUE_NOTES["04"]) if 2 * i + j in noted and value else None
                cells[key] = figure_value(value, plan, note, blank_zero=self.rng.random() < plan.blank_rate)
            truth = {"row": -1, "level": level, "label": label, "collectives": collectives,
                     "individuals": individuals} if record else None
            data.append(Row("data", cells, truth))
        total: dict[str, Value] = {
            "level": plan.style.label(plan.total_word), "collectives": Sum(sum(f[0] for f in figures)),
                 "individuals": Sum(sum(f[1] for f in figures))}
        return Table("04", plan.sheet_names["04"], self.title("04", len(cols) - 1, month_back), cols,
                     [*data, Row("total", total)], "level", two_row)

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

    def table(self, code: str, record: bool, rng: random.Random | None = None, month_back: int = 0) -> Table:
        if code == "01":
            return self.table_01(self.figures(code, rng), record, month_back)
        if code == "02":
            return self.table_02(self.figures(code, rng), record, month_back)
        return self.table_04(self.figures(code, rng), record, month_back)
