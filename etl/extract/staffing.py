"""Sheet 01 (Bố trí CA chính quy): the table's rows -> one record per data row, names -> codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from etl.extract.layout import Header, is_column_numbering, is_grand_total, is_subtotal
from etl.extract.values import parse_date, parse_number, raw_text
from etl.extract.workbook import Sheet
from etl.reference import UnitResolver

FIGURES = ("officers", "chiefs", "deputies")
ROW_COLUMNS = [
    "row_number", "district_name", "commune_name", "code_given", "unit_code", "resolve_problem",
    "resolve_candidates", *FIGURES, *(f"{f}_raw" for f in FIGURES), "staffed_date", "staffed_date_raw",
    "note", "parse_problems",
]


@dataclass
class TableRows:
    """The data rows of a sheet, and its total row when it has one."""

    rows: pd.DataFrame
    total_row_number: int | None = None
    total: dict[str, float | None] = field(default_factory=dict)
    subtotal_rows: int = 0


@cache
def resolver(era: str, province_code: str) -> UnitResolver:
    return UnitResolver(era, province_code)


def _number(value: object, column: str, problems: list[str]) -> float | None:
    try:
        return parse_number(value)
    except ValueError:
        problems.append(column)
        return None


def read_staffing_rows(sheet: Sheet, header: Header, era: str, province_code: str) -> TableRows:
    """Every data row below the header until the grand total; subtotal and blank rows skipped."""
    cols = header.columns
    units = resolver(era, province_code)
    records = []
    result = TableRows(pd.DataFrame(columns=ROW_COLUMNS))
    district = None
    for row in range(header.data_start, len(sheet.grid)):
        def cell(name: str, _row: int = row) -> object:
            return sheet.cell(_row, cols[name]) if name in cols else None

        commune = raw_text(cell("commune_name"))
        district_text = raw_text(cell("district_name"))
        labels = [raw_text(cell("row_no")), district_text, commune]
        if not any(raw_text(v) for v in (sheet.grid[row] if row < len(sheet.grid) else [])):
            continue
        if any(is_grand_total(label) for label in labels if label):
            result.total_row_number = row + 1
            result.total = {f: _number(cell(f), f, []) for f in FIGURES if f in cols}
            break
        if any(is_subtotal(label) for label in labels if label):
            result.subtotal_rows += 1
            continue
        if district_text:
            district = district_text
        if not commune:
            # A district heading or a district subtotal: no unit named, not a data row,
            # unless it carries figures, which must not be lost.
            if raw_text(cell("officers")) and not district_text:
                commune = ""
            else:
                result.subtotal_rows += bool(district_text)
                continue
        elif is_column_numbering(commune):
            continue
        problems: list[str] = []
        figures = {f: _number(cell(f), f, problems) for f in FIGURES}
        try:
            staffed = parse_date(cell("staffed_date"))
        except ValueError:
            staffed = None
            problems.append("staffed_date")
        code_given = raw_text(cell("code_given")) or None
        if code_given and code_given.isdigit() and len(code_given) < 5:
            code_given = code_given.zfill(5)  # a code typed as a number lost its leading zeros
        resolution = units.resolve(commune, district, code_given) if commune else None
        records.append({
            "row_number": row + 1,
            "district_name": district,
            "commune_name": commune,
            "code_given": code_given,
            "unit_code": resolution.unit_code if resolution else None,
            "resolve_problem": (resolution.problem if resolution else "missing_name"),
            "resolve_candidates": ",".join(resolution.candidates) if resolution else "",
            **figures,
            **{f"{f}_raw": raw_text(cell(f)) for f in FIGURES},
            "staffed_date": staffed,
            "staffed_date_raw": raw_text(cell("staffed_date")),
            "note": raw_text(cell("note")),
            "parse_problems": ",".join(problems),
        })
    if records:
        result.rows = pd.DataFrame.from_records(records, columns=ROW_COLUMNS)
    return result
