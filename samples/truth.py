"""``truth.json``: what was written and where, for tests to compare an extractor's output with.

``truth.json`` records, for every workbook and data sheet, what was written and where (0-based
row indices as calamine's ``to_python(skip_empty_area=False)`` gives them, column indices,
clean figures), computed by this generator alone. A workbook's ``unit_list`` names the unit list
its units come from, the one in force on its period's date (``etl.unit_lists``): every unit code,
name and district it records is of that list. Faults are recorded where they are: a
workbook's ``faults`` (names from ``FAULTS``), ``late``, ``corrects`` (on the resent file: the
first file's name) and ``corrected_by``; a sheet's ``total_mismatch`` ({column, stated, sum})
and ``corrected_cells`` ([{unit_code, row, col, column, was, now}]); a row that must be
quarantined has ``expect`` "quarantine", ``rule`` ("unknown_unit", with ``unit_code`` null, or
"negative", with the ``column`` holding the negative figure). Sums in the truth add up every
written row, quarantined ones included. A phường row (phuong_rows) has ``in_scope`` false: it
loads, counts in its sheet's sums, and stays out of ``national``. A workbook's
``chart_sheets`` lists its chart sheets (also in ``sheet_names``). A broken file is a workbook
entry with ``broken`` (a name from ``BROKEN_FILES``), ``expect`` "rejected", ``sheets`` {} and,
for the truncated and encrypted copies, ``copy_of`` (the good file's name). ``national`` (April
2021) and ``national_2026`` (October 2026, null unless that kind is generated) count the
in-scope staffing rows that load: each province's final file, without the quarantined rows.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from samples.books import Book
from samples.departures import DEPARTURES
from samples.faults import FaultPlan
from samples.plan import Plan
from samples.units import Province


def workbook_entry(plan: Plan, file_name: str, kind: str, era: str, period: str | None, as_of: str | None,
                   date_from: str | None, date_to: str | None, book: Book,
                   hidden: list[dict[str, str]], arrival: datetime, sheets: dict[str, Any]) -> dict[str, Any]:
    """A workbook's truth entry: what it is, its departures, sheets and modification time."""
    deps = set(plan.departures)
    if book.formula_like:
        deps.add("formula_like_text")  # a random note like "=5 đồng chí" counts too
    return {
        "file": file_name,
        "kind": kind,
        "era": era,
        "unit_list": plan.province.unit_list,
        "province_code": plan.province.code,
        "province_name": plan.province.full_name,
        "period": period,
        "as_of_date": as_of,
        "date_from": date_from,
        "date_to": date_to,
        "departures": [d for d in DEPARTURES if d in deps],
        "faults": [],
        "format": plan.fmt,
        "sheet_names": list(book.names),
        "hidden_sheets": hidden,
        "extra_sheets": [plan.extra_sheet[0]] if plan.extra_sheet else [],
        "chart_sheets": [plan.chart[0]] if plan.chart else [],
        "modified": arrival.isoformat(),
        "sheets": dict(sorted(sheets.items())),
    }


def national_totals(provinces: list[Province], faults: FaultPlan) -> dict[str, int]:
    """Staffing totals over the sheet 01 rows that load from each province's final file: the
    correction's figures where a province resent, without the quarantined rows (an unknown
    commune names no unit; a commune's row with a negative figure is rejected whole)."""
    totals = {"provinces": len(provinces), "communes": 0, "officers": 0, "chiefs": 0, "deputies": 0}
    for province in provinces:
        final = faults.tweaks.get(province.code)
        if faults.correction is not None and faults.correction[0] == province.code:
            final = faults.correction[1]
        edits = [e for e in final.edits if e.sheet == "01" and e.what == "set"] if final else []
        for i, commune in enumerate(province.communes):
            figures = {"officers": commune.officers, "chiefs": commune.chiefs, "deputies": commune.deputies}
            rejected = False
            for edit in (e for e in edits if e.index == i):
                figures[edit.column] = edit.value
                rejected |= edit.rule is not None
            if rejected:
                continue
            totals["communes"] += 1
            for key, value in figures.items():
                totals[key] += value
    return totals


def truth_text(truth: dict[str, Any]) -> str:
    """JSON with one line per workbook: readable with grep, and fast (the C encoder needs indent=None)."""
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["{"]
    for key, value in truth.items():
        if key == "workbooks":
            items = [f"  {dump(entry)}" for entry in value]
            lines.append(f' {dump(key)}: [\n' + ",\n".join(items) + "\n ],")
        elif key == "id_card":
            items = [f"  {dump(code)}: {dump(entry)}" for code, entry in value.items()]
            lines.append(f' {dump(key)}: {{\n' + ",\n".join(items) + "\n },")
        else:
            lines.append(f" {dump(key)}: {dump(value)},")
    lines[-1] = lines[-1].rstrip(",")
    return "\n".join(lines) + "\n}\n"
