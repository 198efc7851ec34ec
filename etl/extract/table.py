"""Reading a sheet's table: every data row below the header until the grand total.

Blank, column-numbering, subtotal and district-heading rows are skipped; figures and dates are
parsed with the raw cell kept beside them; each row's unit (commune, district) or commendation
level is resolved. Nothing is guessed: what cannot be read or resolved is marked on the row
for the validation step to quarantine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import pandas as pd

from etl.extract.aliases import match_level
from etl.extract.layout import Header, is_column_numbering, is_grand_total, is_subtotal
from etl.extract.sheets import SheetSpec
from etl.extract.values import parse_date, parse_number, raw_text
from etl.extract.workbook import Sheet
from etl.names import header_key, split_prefix
from etl.reference import ERA2025, UnitResolver, era_of

_LABELS = ("row_no", "district_name", "commune_name", "unit_name", "level_written", "report_date")


@dataclass
class TableRows:
    """The data rows of a sheet, and its total row when it has one."""

    rows: pd.DataFrame
    total_row_number: int | None = None
    total: dict[str, float | None] = field(default_factory=dict)


@cache
def resolver(era: str, province_code: str, level: str) -> UnitResolver:
    return UnitResolver(era, province_code, level)


def _number(value: object, column: str, problems: list[str], blank_is_zero: bool) -> float | None:
    try:
        number = parse_number(value)
    except ValueError:
        problems.append(column)
        return None
    return 0.0 if number is None and blank_is_zero else number


def _columns(spec: SheetSpec) -> list[str]:
    return ["row_number", "district_name", spec.name_column, "code_given", "unit_code", "unit_level",
            "resolve_problem", "resolve_candidates", *spec.figures, *(f"{f}_raw" for f in spec.figures),
            *spec.dates, *(f"{d}_raw" for d in spec.dates), "level", "note", "parse_problems"]


def read_rows(sheet: Sheet, header: Header, spec: SheetSpec, era: str, province_code: str) -> TableRows:
    """The data rows of ``sheet`` under ``header``, as records of the sheet type ``spec``."""
    cols = header.columns
    result = TableRows(pd.DataFrame(columns=_columns(spec)))
    records: list[dict] = []
    names = [raw_text(sheet.cell(r, cols[spec.name_column])) for r in range(header.data_start, len(sheet.grid))]
    names = [n for n in names if n]
    # A sheet whose names mostly carry diacritics writes them: its 'Thanh An' is not 'Thạnh An'.
    writes_diacritics = sum(not n.isascii() for n in names) * 2 >= len(names) if names else None
    district: str | None = None
    carried_date: object = None
    for row in range(header.data_start, len(sheet.grid)):
        def cell(name: str, _row: int = row) -> object:
            return sheet.cell(_row, cols[name]) if name in cols else None

        if all(v is None or (isinstance(v, str) and not v.strip()) for v in sheet.grid[row]):
            continue
        labels = [raw_text(cell(c)) for c in _LABELS if c in cols]
        if any(is_grand_total(label) for label in labels if label):
            result.total_row_number = row + 1
            result.total = {f: _number(cell(f), f, [], False) for f in spec.figures if f in cols}
            if records:
                break
            continue  # a total placed above the rows it adds up: the rows follow
        if any(is_subtotal(label) or _district_of(label, era, province_code, subtotal=True)
               for label in labels if label):
            continue  # a subtotal: its rows are counted on their own
        heading = _district_of(raw_text(cell(spec.name_column)), era, province_code, subtotal=False)
        if heading and spec.name_column == "commune_name" and not any(raw_text(cell(f)) for f in spec.figures):
            district = heading  # "HUYỆN TỨ KỲ" heading its communes, in a sheet without a district column
            continue
        district_text = raw_text(cell("district_name"))
        if district_text:
            district = district_text
        if "report_date" in cols and raw_text(cell("report_date")):
            carried_date = cell("report_date")  # a date merged down over its rows
        name = raw_text(cell(spec.name_column))
        has_figures = any(raw_text(cell(f)) for f in spec.figures)
        if not name:
            if district_text or not has_figures:
                continue  # a district heading, or a stray line
        elif is_column_numbering(name):
            continue
        records.append(_record(row, cell, spec, name, district, carried_date, era, province_code,
                               writes_diacritics))
    if records:
        result.rows = pd.DataFrame.from_records(records, columns=_columns(spec))
    return result


_SUM_WORD = re.compile(r"^(cong|tong cong|tong so|tong)\s+(.+)$")
_OUTLINE = re.compile(r"^\s*(?:[IVXLC]+|\d+|[a-z])\s*[.)·:\-]\s*", re.IGNORECASE)


def _district_of(label: str, era: str, province_code: str, subtotal: bool) -> str | None:
    """The district a subtotal ('Cộng Tứ Kỳ') or heading row ('I. HUYỆN TỨ KỲ') is about, or None.

    Districts exist before July 2025 only. A heading must carry its type (huyện, quận, thị xã,
    thành phố) so that a commune named like a district is never taken for one.
    """
    if era == ERA2025 or not label:
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
    found = resolver(era, province_code, "district").resolve(text)
    return text if found.unit_code else None


def _record(row: int, cell, spec: SheetSpec, name: str, district: str | None, carried_date: object,
            era: str, province_code: str, writes_diacritics: bool | None) -> dict:
    problems: list[str] = []
    record: dict = {"row_number": row + 1, "district_name": district, spec.name_column: name,
                    "note": raw_text(cell("note")) or None, "level": None}
    for figure in spec.figures:
        record[figure] = _number(cell(figure), figure, problems, spec.blank_is_zero)
        record[f"{figure}_raw"] = raw_text(cell(figure))
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
    record.update(_resolve(spec, name, district, code_given, record.get("report_date"), era, province_code,
                           writes_diacritics))
    record["parse_problems"] = ",".join(problems)
    return record


def _resolve(spec: SheetSpec, name: str, district: str | None, code: str | None, day: date | None,
             era: str, province_code: str, writes_diacritics: bool | None) -> dict:
    """What the row is about: a unit code (with its level) or a commendation level."""
    none = {"unit_code": None, "unit_level": None, "resolve_candidates": ""}
    if not name:
        return {**none, "resolve_problem": "missing_name"}
    if spec.code == "04":
        level = match_level(name)
        if level == "Cấp huyện" and era == ERA2025:
            return {**none, "level": level, "resolve_problem": "level_not_in_era"}  # no districts after 7/2025
        return {**none, "level": level, "resolve_problem": None if level else "unknown_level"}
    if spec.code == "03":
        # Before July 2025 the daily ID-card report counts by district, afterwards by commune.
        row_era = era_of(day) if isinstance(day, date) else era
        level = "commune" if row_era == ERA2025 else "district"
        found = resolver(row_era, province_code, level).resolve(name, writes_diacritics=writes_diacritics)
    else:
        level = "commune"
        found = resolver(era, province_code, level).resolve(name, district, code, writes_diacritics)
    return {"unit_code": found.unit_code, "unit_level": level, "resolve_problem": found.problem,
            "resolve_candidates": ",".join(found.candidates)}
