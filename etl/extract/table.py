"""Reading a sheet's table: every data row below the header, wherever it sits.

A data row is a row below the header that names a unit (or level) or holds figures: above the
total, below it, in a merged block. Title, header, blank, column-numbering, subtotal, total and
district-heading rows are recognised by rule and are not data rows; nor, below the total, are
signature blocks and notes (no unit named, no number in a figure column). Figures and dates are
parsed with the raw cell kept beside them; uncalculated formulas are worked out when simple; each
row's unit (commune, district) or commendation level is resolved. Nothing is guessed and nothing
is dropped: what cannot be read, resolved or placed is marked on the row for the validation step
to quarantine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from etl.extract.aliases import match_level
from etl.extract.formulas import FormulaError, cell_name, evaluate
from etl.extract.layout import Header, is_column_numbering, is_grand_total, is_subtotal
from etl.extract.sheets import SheetSpec
from etl.extract.values import parse_date, parse_number, raw_text
from etl.extract.workbook import Sheet
from etl.names import header_key, split_prefix
from etl.reference import ERA2025, UnitResolver
from etl.unit_lists import cached_on_lists, list_by_id, list_for

_LABELS = ("row_no", "district_name", "commune_name", "unit_name", "level_written", "report_date")
# What Excel shows in a cell whose formula failed; a name cell holding one names no unit.
_EXCEL_ERROR = re.compile(r"^#(N/A|REF!|VALUE!|NAME\?|DIV/0!|NULL!|NUM!|SPILL!|CALC!|GETTING_DATA)$", re.IGNORECASE)


@dataclass
class TableRows:
    """The data rows of a sheet, and its total row when it has one."""

    rows: pd.DataFrame
    total_row_number: int | None = None
    total: dict[str, float | None] = field(default_factory=dict)


@cached_on_lists
def resolver(list_id: str, province_code: str, level: str) -> UnitResolver:
    return UnitResolver(list_id, province_code, level)


def _era(list_id: str) -> str:
    return list_by_id(list_id).admin_era


@cached_on_lists
def _list_on(day: date) -> str:
    """The id of the list in force on ``day`` (a daily sheet asks for each of its days on every row)."""
    return list_for(day)[0].list_id


def _number(value: object, column: str, problems: list[str], blank_is_zero: bool) -> float | None:
    try:
        number = parse_number(value)
    except ValueError:
        problems.append(column)
        return None
    return 0.0 if number is None and blank_is_zero else number


def _columns(spec: SheetSpec) -> list[str]:
    return ["row_number", "sheet", "district_name", spec.name_column, "code_given", "unit_code", "unit_level",
            "unit_list",
            "resolve_problem", "resolve_candidates", *spec.figures, *(f"{f}_raw" for f in spec.figures),
            *spec.dates, *(f"{d}_raw" for d in spec.dates), "level", "note", "parse_problems",
            "formula_problems", "row_problem", "problem_detail"]


def _is_number(value: object) -> bool:
    try:
        return parse_number(value) is not None
    except ValueError:
        return False


def _merged_names(sheet: Sheet, col: int) -> dict[int, tuple[int, int]]:
    """Each row inside a name cell merged down over several rows -> (first, last) row of the merge."""
    return {r: (r0, r1) for (r0, c0), (r1, c1) in sheet.merged if c0 <= col <= c1 and r1 > r0
            for r in range(r0, r1 + 1)}


def read_rows(sheet: Sheet, header: Header, spec: SheetSpec, list_id: str, province_code: str) -> TableRows:
    """The data rows of ``sheet`` under ``header``, as records of the sheet type ``spec``, their units
    resolved against the unit list ``list_id`` (the one in force on the report's date)."""
    cols = header.columns
    result = TableRows(pd.DataFrame(columns=_columns(spec)))
    records: list[dict] = []
    names = [raw_text(sheet.cell(r, cols[spec.name_column])) for r in range(header.data_start, len(sheet.grid))]
    names = [n for n in names if n]
    # A sheet whose names mostly carry diacritics writes them: its 'Thanh An' is not 'Thạnh An'.
    writes_diacritics = sum(not n.isascii() for n in names) * 2 >= len(names) if names else None
    figure_cols = [cols[f] for f in spec.figures if f in cols]
    label_cols = [cols[c] for c in _LABELS if c in cols]
    name_col = cols[spec.name_column]
    # Districts (subtotals, headings) exist before July 2025 only.
    has_districts = _era(list_id) != ERA2025

    def figures_in(row: int) -> bool:
        return any(raw_text(sheet.cell(row, c)) or (row, c) in sheet.formulas for c in figure_cols)

    # A name merged down over rows that each carry figures names none of them for sure: one unit
    # with two rows of figures would load whichever row came first. So every such row is
    # quarantined ("merged_name"), the top one too, rather than taking its text for all of them.
    # A name merged over rows of which only one has figures is an ordinary row (merged for looks).
    merged = {r: span for r, span in _merged_names(sheet, cols[spec.name_column]).items()
              if sum(figures_in(k) for k in range(span[0], span[1] + 1)) > 1}
    # The header's own text over the name column: a row repeating it is the header printed again.
    name_headings = {header_key(sheet.cell(r, cols[spec.name_column]))
                     for r in range(header.first_row, header.data_start)} - {""}
    district: str | None = None
    carried_date: object = None
    below_total = False
    skipped: list[tuple[int, str, str | None]] = []  # rows with figures not taken as data: (row, kind, label)
    for row in range(header.data_start, len(sheet.grid)):
        values = sheet.grid[row]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        width = len(values)

        def at(col: int, _values: list = values, _width: int = width) -> object:
            """The row's cell in column ``col`` (Sheet.cell, without looking the row up again)."""
            value = _values[col] if col < _width else None
            return None if value == "" else value

        def cell(name: str, _at: Callable[[int], object] = at) -> object:
            return _at(cols[name]) if name in cols else None

        labels = [raw_text(at(c)) for c in label_cols]
        name = raw_text(at(name_col))
        has_figures = any(raw_text(at(c)) or (row, c) in sheet.formulas for c in figure_cols)
        if any(is_grand_total(label) for label in labels if label):
            if not below_total:
                result.total_row_number = row + 1
                result.total = {f: _number(cell(f), f, [], False) for f in spec.figures if f in cols}
            below_total = below_total or bool(records)  # a total above the rows: the rows follow
            if has_figures:
                skipped.append((row, "total", name or next((label for label in labels if label), None)))
            continue
        if any(is_subtotal(label) or (has_districts and _district_of(label, list_id, province_code, subtotal=True))
               for label in labels if label):
            if has_figures:  # a subtotal: its rows are counted on their own
                skipped.append((row, "subtotal", name or next((label for label in labels if label), None)))
            continue
        heading = _district_of(name, list_id, province_code, subtotal=False) if has_districts else None
        if heading and spec.name_column == "commune_name" and not has_figures:
            district = heading  # "HUYỆN TỨ KỲ" heading its communes, in a sheet without a district column
            continue
        if name and (is_column_numbering(name) or (header_key(name) in name_headings
                                                    and not any(_is_number(cell(f)) for f in spec.figures))):
            continue  # the columns numbered, or the header repeated (printed again at a page break)
        if below_total and not (any(_is_number(sheet.cell(row, c)) for c in figure_cols)
                                or (row, cols[spec.name_column]) in sheet.formulas
                                or any((row, c) in sheet.formulas for c in figure_cols)
                                or _names_unit(spec, name, district, list_id, province_code)):
            continue  # below the table: a signature block, a date and place, a note
        district_text = raw_text(cell("district_name"))
        if district_text:
            district = district_text
        if "report_date" in cols and raw_text(cell("report_date")):
            carried_date = cell("report_date")  # a date merged down over its rows
        if not name and not has_figures:
            continue  # a district heading, a stray line, a row of a merged name without figures
        if row in merged:
            name = raw_text(sheet.cell(merged[row][0], cols[spec.name_column]))
        record = _record(row, cell, sheet, cols, spec, name, district, carried_date, list_id, province_code,
                         writes_diacritics)
        if row in merged:
            record["resolve_problem"], record["unit_code"] = "merged_name", None
            record["problem_detail"] = (f"{cell_name(merged[row][0], cols[spec.name_column])}:"
                                        f"{cell_name(merged[row][1], cols[spec.name_column])}")
        if below_total:
            record["row_problem"] = "below_total"
        records.append(record)
    if not records:
        # Nothing under the header is a unit's row, yet some rows carry figures (a sheet of
        # district totals, or of a total alone): those figures are kept, to be quarantined.
        kept = [s for s in skipped if s[1] == "subtotal"] or skipped
        for row, _kind, label in kept:
            record = _record(row, lambda name, _row=row: sheet.cell(_row, cols[name]) if name in cols else None,
                             sheet, cols, spec, label or "", None, None, list_id, province_code, writes_diacritics)
            record.update(row_problem="no_unit_rows", unit_code=None)
            records.append(record)
    if records:
        result.rows = pd.DataFrame.from_records(records, columns=_columns(spec))
    return result


def _names_unit(spec: SheetSpec, name: str, district: str | None, list_id: str, province_code: str) -> bool:
    """Whether ``name`` names a unit of the province (or, in sheet 04, a commendation level)."""
    if not name:
        return False
    if spec.code == "04":
        return match_level(name) is not None
    level = "district" if spec.code == "03" and _era(list_id) != ERA2025 else "commune"
    found = resolver(list_id, province_code, level).resolve(name, district if level == "commune" else None)
    return found.unit_code is not None or bool(found.candidates)


_SUM_WORD = re.compile(r"^(cong|tong cong|tong so|tong)\s+(.+)$")
_OUTLINE = re.compile(r"^\s*(?:[IVXLC]+|\d+|[a-z])\s*[.)·:\-]\s*", re.IGNORECASE)


def _district_of(label: str, list_id: str, province_code: str, subtotal: bool) -> str | None:
    """The district a subtotal ('Cộng Tứ Kỳ') or heading row ('I. HUYỆN TỨ KỲ') is about, or None.

    Districts exist before July 2025 only. A heading must carry its type (huyện, quận, thị xã,
    thành phố) so that a commune named like a district is never taken for one.
    """
    if _era(list_id) == ERA2025 or not label:
        return None
    if subtotal:
        match = _SUM_WORD.match(header_key(label))
        if not match:
            return None
        text = label.split(None, 2)[-1] if header_key(label).startswith("tong cong") else label.split(None, 1)[-1]
    else:
        text = _OUTLINE.sub("", label)
        if split_prefix(text, "district")[0] is None:
            return None
    found = resolver(list_id, province_code, "district").resolve(text)
    return text if found.unit_code else None


def _figure(sheet: Sheet, row: int, col: int | None, value: object, column: str, problems: list[str],
            formula_problems: list[str], blank_is_zero: bool) -> tuple[float | None, str]:
    """A figure cell's value and raw text; a formula never calculated is worked out, or refused."""
    formula = sheet.formulas.get((row, col)) if col is not None else None
    if formula is None:
        return _number(value, column, problems, blank_is_zero), raw_text(value)
    try:
        number = parse_number(evaluate(formula, sheet))
    except (FormulaError, ValueError):
        assert col is not None
        formula_problems.append(f"{column}:{cell_name(row, col)}")  # never a silent 0
        number = None
    return number, f"={formula}"


def _record(row: int, cell, sheet: Sheet, cols: dict[str, int], spec: SheetSpec, name: str, district: str | None,
            carried_date: object, list_id: str, province_code: str, writes_diacritics: bool | None) -> dict:
    problems: list[str] = []
    formula_problems: list[str] = []
    record: dict = {"row_number": row + 1, "sheet": sheet.name, "district_name": district, spec.name_column: name,
                    "note": raw_text(cell("note")) or None, "level": None, "row_problem": None,
                    "problem_detail": None}
    for figure in spec.figures:
        record[figure], record[f"{figure}_raw"] = _figure(sheet, row, cols.get(figure), cell(figure), figure,
                                                          problems, formula_problems, spec.blank_is_zero)
    for column in spec.dates:
        value = carried_date if column == "report_date" else cell(column)
        try:
            record[column] = parse_date(value)
        except ValueError:
            record[column] = None
            problems.append(column)
        record[f"{column}_raw"] = raw_text(value)
    code_given = raw_text(cell("code_given")) or None
    if code_given and code_given.isdigit() and len(code_given) < 5:
        code_given = code_given.zfill(5)  # a code typed as a number lost its leading zeros
    record["code_given"] = code_given
    record.update(_resolve(spec, name, district, code_given, record.get("report_date"), list_id, province_code,
                           writes_diacritics))
    record["parse_problems"] = ",".join(problems)
    record["formula_problems"] = ",".join(formula_problems)
    return record


def _resolve(spec: SheetSpec, name: str, district: str | None, code: str | None, day: date | None,
             list_id: str, province_code: str, writes_diacritics: bool | None) -> dict:
    """What the row is about: a unit code (with its level and the list it is of) or a commendation level."""
    none = {"unit_code": None, "unit_level": None, "resolve_candidates": "", "unit_list": list_id}
    if not name:
        return {**none, "resolve_problem": "missing_name"}
    if _EXCEL_ERROR.match(name):
        return {**none, "resolve_problem": "name_error"}
    if spec.code == "04":
        level = match_level(name)
        if level == "Cấp huyện" and _era(list_id) == ERA2025:
            return {**none, "level": level, "resolve_problem": "level_not_in_era"}  # no districts after 7/2025
        return {**none, "level": level, "resolve_problem": None if level else "unknown_level"}
    if spec.code == "03":
        # Before July 2025 the daily ID-card report counts by district, afterwards by commune.
        # A daily row resolves against the list in force on its own day.
        row_list = _list_on(day) if isinstance(day, date) else list_id
        level = "commune" if _era(row_list) == ERA2025 else "district"
        found = resolver(row_list, province_code, level).resolve(name, writes_diacritics=writes_diacritics)
    else:
        level, row_list = "commune", list_id
        found = resolver(list_id, province_code, level).resolve(name, district, code, writes_diacritics)
    return {"unit_code": found.unit_code, "unit_level": level, "resolve_problem": found.problem,
            "resolve_candidates": ",".join(found.candidates), "unit_list": row_list}
