"""Seeded faults and the edits that make them.

Some monthly workbooks carry seeded faults (``FAULTS``), never Hải Dương's: in each monthly
kind, one province's sheets 01 and 02 have an extra row naming a commune the province has no
unit of (in the sums, as a clerk's formulas would have it), one commune's row has a negative
figure, and one sheet's total row states a figure other than the sum of its rows. In April
2021 one province's report arrives late (12/5/2021 14:00), and another province resends its
report on 28/4/2021 10:00 as a second file, the same workbook but for a few corrected figures.

The faults of a kind are drawn before any of its workbooks is written (``FaultPlan``), from
the kind's own generator, and applied to a data sheet's table after it is drawn
(``apply_edits``), so that a workbook without faults is written as it would be without them.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from etl import reference
from etl.clock import VIETNAM
from samples.figures import OFFICER_WEIGHTS, commune_activity
from samples.kinds import ACTIVITY_KEYS, AS_OF, ERA, HAI_DUONG, MONTHLY_2021, STAFFING_KEYS
from samples.monthly import MonthlyBook, activity_truth, staffing_truth
from samples.plan import Plan
from samples.spelling import name_key, no_diacritics, vn_int
from samples.tables import Row, Sum, Table, Value, date_value, figure_value
from samples.units import Province

# Seeded faults (monthly workbooks only); truth.json lists those of each workbook under "faults".
FAULTS = (
    "unknown_unit",    # an extra data row (sheets 01 and 02) naming a commune the province has no unit of
    "negative",        # a figure written as a negative number: the row must be quarantined
    "total_mismatch",  # the total row states a figure other than the sum of the rows (a warning)
    "late",            # the file arrived after the reporting deadline (12/5/2021)
    "correction",      # a second file resent for the same province and period, with corrected figures
)
LATE_ARRIVAL = datetime(2021, 5, 12, 14, 0, tzinfo=VIETNAM)  # 12/5/2021 14:00
CORRECTION_ARRIVAL = datetime(2021, 4, 28, 10, 0, tzinfo=VIETNAM)  # 28/4/2021 10:00
_CORRECTION_SUFFIXES = (" (gui lai)", "_sua")


@dataclass
class Edit:
    """One change a data sheet gets after it is drawn: a seeded fault or a corrected figure."""

    sheet: str     # '01' or '02'
    what: str      # 'insert' (an extra row after row ``index``), 'set' (a cell of row ``index``), 'total'
    index: int = -1  # commune index in the province's list
    column: str = ""
    value: int = 0   # 'set': the figure written; 'total': how far the stated total is from the sum
    row: dict[str, Any] = field(default_factory=dict)  # 'insert': name parts and figures
    rule: str | None = None  # the error rule the row fails (it must be quarantined); None for a correction


@dataclass
class Tweak:
    """What one workbook gets beyond its plan."""

    rng: random.Random  # the kind's fault generator (blank zeros and date spellings of inserted rows)
    edits: list[Edit] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    arrival: datetime | None = None
    suffix: str = ""     # appended to the file name's stem (a correction)
    keep_created: bool = False  # the workbook's creation time stays that of the first file
    extra: dict[str, Any] = field(default_factory=dict)  # extra keys of the workbook's truth entry


@dataclass
class FaultPlan:
    """The seeded faults of one monthly kind, drawn before any workbook is written."""

    rng: random.Random
    tweaks: dict[str, Tweak] = field(default_factory=dict)  # by province code
    where: dict[str, str] = field(default_factory=dict)  # fault -> province code
    correction: tuple[str, Tweak] | None = None  # the province that resends, and its second file

    def tweak(self, code: str, fault: str) -> Tweak:
        tweak = self.tweaks.setdefault(code, Tweak(self.rng))
        tweak.faults.append(fault)
        self.where[fault] = code
        return tweak


def _fold(text: str) -> str:
    return name_key(no_diacritics(text))


def _foreign_name(kind: str, province: Province, legacy: list[Province],
                  rng: random.Random) -> tuple[str, str | None, str]:
    """A xã name the province has no unit of, even without diacritics or type word: for April
    2021 a commune of another province; for October 2026 a pre-merger commune of the old
    province with the same code, whose name the merger retired (a clerk's old habit)."""
    era = ERA if kind == MONTHLY_2021 else reference.ERA2025
    units = reference.admin_units()
    mine = units[(units.admin_era == era) & (units.level == "commune") & (units.province_code == province.code)]
    taken = {_fold(n) for n in mine.name} | {_fold(re.sub(r"\s*\([^)]*\)$", "", s)) for s in mine.short_name}
    pool = [c for p in legacy if (p.code != province.code) == (kind == MONTHLY_2021)
            for c in p.communes if c.unit_type == "xã" and c.base_name]
    while True:
        commune = rng.choice(pool)
        if _fold(commune.name) not in taken and _fold(commune.base_name or "") not in taken:
            return commune.name, commune.base_name, commune.unit_type


def draw_faults(kind: str, provinces: list[Province], legacy: list[Province], rng: random.Random) -> FaultPlan:
    """Which provinces carry which fault, and every fault that needs no sheet 02 figures (those
    come in ``draw_activity_faults``, after sheet 02 is drawn): the staffing figures alone
    decide the national totals, whichever kinds are generated. Never Hải Dương."""
    faults = FaultPlan(rng)
    by_code = {p.code: p for p in provinces}
    legacy_kind = kind == MONTHLY_2021
    picks = rng.sample(sorted(code for code in by_code if code != HAI_DUONG), 5 if legacy_kind else 3)
    unknown, negative, mismatch = picks[:3]

    # An unknown commune: one extra row after the same row of sheets 01 and 02, in the sums.
    province = by_code[unknown]
    after = rng.randrange(len(province.communes))
    name, base, unit_type = _foreign_name(kind, province, legacy, rng)
    if legacy_kind:
        officers = rng.choices(list(OFFICER_WEIGHTS), list(OFFICER_WEIGHTS.values()))[0]
        deputies = min(officers - 1, rng.choice((1, 2)))
        staffed: date | None = AS_OF - timedelta(days=rng.randint(10, 400))
    else:
        officers, deputies, staffed = rng.randint(8, 24), rng.choice((2, 3)), reference.ERA_SWITCH_DATE
    row = {"name": name, "base_name": base, "unit_type": unit_type, "officers": officers, "chiefs": 1,
           "deputies": deputies, "staffed": staffed, **commune_activity(1.0 if legacy_kind else 2.5, rng)}
    tweak = faults.tweak(unknown, "unknown_unit")
    tweak.edits += [Edit(sheet, "insert", after, row=row, rule="unknown_unit") for sheet in ("01", "02")]

    # A negative figure: deputies -1 in sheet 01 of 2026 here; a sheet 02 count of 2021 later.
    tweak = faults.tweak(negative, "negative")
    if not legacy_kind:
        tweak.edits.append(Edit("01", "set", rng.randrange(len(by_code[negative].communes)), "deputies", -1,
                                rule="negative"))

    # A total that does not add up: officers in sheet 01 of 2021; a sheet 02 column in 2026.
    if legacy_kind:
        sheet, column, offset = "01", "officers", rng.choice((-10, -2, -1, 1, 2, 10))
    else:
        sheet, column = "02", rng.choice(("tips_received", "admin_violation_cases", "fines_vnd"))
        offset = rng.choice((-1, 1)) * (500_000 * rng.randint(1, 4) if column == "fines_vnd" else rng.randint(1, 5))
    faults.tweak(mismatch, "total_mismatch").edits.append(Edit(sheet, "total", column=column, value=offset))

    if legacy_kind:
        late, resend = picks[3:]
        tweak = faults.tweak(late, "late")
        tweak.arrival, tweak.extra["late"] = LATE_ARRIVAL, True
        # The correction: two or three communes' officers (their tips come later).
        correction = Tweak(rng, faults=["correction"], arrival=CORRECTION_ARRIVAL, keep_created=True,
                           suffix=rng.choice(_CORRECTION_SUFFIXES))
        communes = by_code[resend].communes
        chosen: list[int] = []
        count = rng.randint(2, 3)
        while len(chosen) < count:
            index = rng.randrange(len(communes))
            commune = communes[index]
            steps = [d for d in (1, 2, -1)
                     if 3 <= commune.officers + d <= 9 and commune.officers + d > commune.deputies]
            if index in chosen or not steps:
                continue
            chosen.append(index)
            correction.edits.append(Edit("01", "set", index, "officers", commune.officers + rng.choice(steps)))
        correction.edits.sort(key=lambda e: e.index)
        faults.correction = (resend, correction)
        faults.where["correction"] = resend
    return faults


def draw_activity_faults(faults: FaultPlan, provinces: list[Province]) -> None:
    """Faults that depend on sheet 02's figures (April 2021): a sign slip on a commune's count
    of administrative-violation cases (a column no cross-field rule reads, so that "nothing
    negative" is the one rule the row fails: a negative tips count would also put it below the
    crime reports), and the correction of one commune's tips (still above its crime reports)."""
    if "correction" not in faults.where:  # April 2021 only
        return
    rng = faults.rng
    by_code = {p.code: p for p in provinces}
    communes = by_code[faults.where["negative"]].communes
    cases = [i for i, c in enumerate(communes) if c.activity["admin_violation_cases"] > 0]
    index = rng.choice(cases)
    faults.tweaks[faults.where["negative"]].edits.append(Edit(
        "02", "set", index, "admin_violation_cases", -communes[index].activity["admin_violation_cases"],
        rule="negative"))
    assert faults.correction is not None
    code, correction = faults.correction
    communes = by_code[code].communes
    busy = [i for i, c in enumerate(communes) if c.activity["tips_received"] > c.activity["crime_reports"]]
    index = rng.choice(busy)
    tips = communes[index].activity["tips_received"]
    correction.edits.append(Edit("02", "set", index, "tips_received",
                                 tips + rng.choice((1, 2, 3) if tips == 1 else (-1, 1, 2, 3))))


def _restyle(old: Value, value: int, plan: Plan) -> Value:
    """A corrected figure written as the cell it replaces was (a trailing note stays)."""
    if isinstance(old, str):
        noted = re.fullmatch(r"[\d.]+ \((.+)\)", old)
        if noted:
            return f"{vn_int(value)} ({noted.group(1)})"
    return figure_value(value, plan)


def _shift_sums(table: Table, position: int, deltas: dict[str, int]) -> None:
    """Add ``deltas`` to the subtotal covering row ``position`` (if any) and to the total."""
    covered = False
    for row in table.rows[position + 1:]:
        if row.kind == "data" or (row.kind == "subtotal" and covered):
            continue
        for key, delta in deltas.items():
            value = row.cells.get(key)
            if isinstance(value, Sum):
                row.cells[key] = Sum(value.value + delta)
        if row.kind == "total":
            return
        covered = True


def _unknown_row(book: MonthlyBook, code: str, edit: Edit, rng: random.Random) -> tuple[Row, dict[str, int]]:
    """The row of a commune the province has no unit of, written after row ``edit.index`` in
    its district and the workbook's spelling; the row and the figures it adds to the sums."""
    plan, row = book.plan, edit.row
    district = book.written[edit.index][0]
    name = plan.style.unit(row["name"], row["base_name"], row["unit_type"], spaces=False)
    cells = book.unit_cells(0, district, name, None)
    keys: tuple[str, ...]
    if code == "01":
        keys = STAFFING_KEYS
        cells.update({key: figure_value(row[key], plan) for key in keys})
        cells["date"] = date_value(row["staffed"], plan, rng)
        truth = staffing_truth(None, {key: row[key] for key in keys}, row["staffed"], district, name)
    else:
        keys = ACTIVITY_KEYS
        for key in keys:
            cells[key] = figure_value(row[key], plan, blank_zero=rng.random() < plan.blank_rate)
        truth = activity_truth(None, district, name, {key: row[key] for key in keys})
    cells["note"] = None
    truth.update(expect="quarantine", rule=edit.rule)
    return Row("data", cells, truth), {key: row[key] for key in keys}


def apply_edits(table: Table, edits: list[Edit], book: MonthlyBook, rng: random.Random) -> dict[str, Any]:
    """Apply one data sheet's edits to its table: cells, truth rows and every sum covering them,
    as a clerk's formulas would (the stated total of a 'total' edit excepted); the sheet's extra
    truth ("total_mismatch", "corrected_cells")."""
    plan = book.plan
    extra: dict[str, Any] = {}
    at = [p for p, row in enumerate(table.rows) if row.kind == "data" and not row.phuong]  # each commune's row
    for edit in (e for e in edits if e.what == "set"):
        row = table.rows[at[edit.index]]
        assert row.truth is not None
        old = row.truth[edit.column]
        if edit.rule:
            row.cells[edit.column] = figure_value(edit.value, plan)
        else:
            row.cells[edit.column] = _restyle(row.cells[edit.column], edit.value, plan)
        row.truth[edit.column] = edit.value
        if edit.rule:
            row.truth.update(expect="quarantine", rule=edit.rule, column=edit.column)
        else:
            extra.setdefault("corrected_cells", []).append({
                "unit_code": row.truth["unit_code"], "row": -1, "col": table.columns.index(
                    next(c for c in table.columns if c.key == edit.column)),
                "column": edit.column, "was": old, "now": edit.value})
        _shift_sums(table, at[edit.index], {edit.column: edit.value - old})
    inserts = sorted((e for e in edits if e.what == "insert"), key=lambda e: -e.index)
    for edit in inserts:
        row, figures = _unknown_row(book, table.code, edit, rng)
        table.rows.insert(at[edit.index] + 1, row)
        _shift_sums(table, at[edit.index] + 1, figures)
    if inserts:  # the clerk numbered the rows again
        for number, row in enumerate((r for r in table.rows if r.kind == "data"), 1):
            row.cells["stt"] = number
    for edit in (e for e in edits if e.what == "total"):
        total = next(row for row in table.rows if row.kind == "total")
        summed = total.cells[edit.column]
        assert isinstance(summed, Sum)
        stated = summed.value + edit.value if summed.value + edit.value >= 0 else summed.value - edit.value
        total.cells[edit.column] = figure_value(stated, plan)  # typed over the formula, if there was one
        extra["total_mismatch"] = {"column": edit.column, "stated": stated, "sum": summed.value}
    return extra
