"""A province's text is never a live formula in what goes back out: a submission whose notes (and one
commune name) hold "=HYPERLINK(...)", as text and as a real formula cell, is ingested; then no extract and
no feedback workbook holds a formula, the text stays text, and the HTML brief links nowhere."""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from etl.leadership.extracts import write_extracts
from etl.pipeline import run_night
from tests.builders import make_settings

pytestmark = pytest.mark.e2e

LINK = '=HYPERLINK("http://evil.example/steal","Bấm vào đây")'


def _header_column(sheet, label: str) -> tuple[int, int] | None:
    for row in sheet.iter_rows(max_row=15):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip().startswith(label):
                return cell.row, cell.column
    return None


def _hostile_copy(source: Path, target: Path) -> None:
    """The workbook with LINK as text in one row's notes, as a formula in the next row's notes, and as
    the commune name of a third row (which does not resolve: quarantined, its value sent back)."""
    book = load_workbook(source)
    sheet = next(ws for ws in book.worksheets if _header_column(ws, "Ghi chú") and _header_column(ws, "Xã"))
    header, notes = _header_column(sheet, "Ghi chú")
    _, commune = _header_column(sheet, "Xã")
    first = header + 1
    while not isinstance(sheet.cell(first, commune).value, str):
        first += 1
    text_cell = sheet.cell(first, notes)
    text_cell.value = LINK
    text_cell.data_type = "s"  # text that reads like a formula
    sheet.cell(first + 1, notes).value = LINK  # a real formula cell
    name = sheet.cell(first + 2, commune)
    name.value = LINK
    name.data_type = "s"
    book.save(target)


def _formulas(path: Path) -> list[str]:
    """Every formula element of a worksheet's XML (a chart's series references, <c:f>, are not cells), and
    every cell openpyxl reads as a formula."""
    with zipfile.ZipFile(path) as archive:
        found = [f"{name}: <f>" for name in archive.namelist() if name.startswith("xl/worksheets/")
                 and re.search(rb"<f[ >]", archive.read(name))]
    book = load_workbook(path)
    found += [f"{ws.title}!{c.coordinate}" for ws in book.worksheets for row in ws.iter_rows() for c in row
              if c.data_type == "f"]
    return found


def test_hyperlink_text_from_a_submission_never_becomes_a_formula(sample_landing, tmp_path):
    landing, truth = sample_landing
    (workbook,) = [w for w in truth["workbooks"] if w["province_code"] == "30" and "01" in w["sheets"]
                   and not w.get("broken")][:1]
    night = tmp_path / "landing"
    night.mkdir()
    # Hải Dương's ID-card workbooks too, so the extract draws its native chart (a chart's series
    # references are formulas of the chart, not of any cell).
    for daily in (w for w in truth["workbooks"] if w["province_code"] == "30" and "03" in w["sheets"]):
        shutil.copy2(landing / daily["file"], night / daily["file"])
    hostile = night / workbook["file"]
    _hostile_copy(landing / workbook["file"], hostile)
    shutil.copystat(landing / workbook["file"], hostile)
    settings = make_settings(tmp_path)
    result = run_night([night], settings)
    assert any(o.rows_quarantined for o in result.outcomes)
    written = write_extracts(settings.published, date(2021, 5, 31), tmp_path / "extracts", provinces=("30",))

    feedback = sorted(settings.feedback.rglob("*.xlsx"))
    assert feedback, "the quarantined row gets a feedback workbook"
    for path in [*feedback, written.workbook]:
        assert _formulas(path) == [], path
    with zipfile.ZipFile(written.workbook) as archive:
        assert any(name.startswith("xl/charts/") for name in archive.namelist())
    values = [c.value for p in feedback for ws in load_workbook(p).worksheets for row in ws.iter_rows() for c in row]
    assert LINK in values  # the province sees what it sent, as text
    page = written.html.read_text(encoding="utf-8")
    assert "evil.example" not in page and not re.search(r"<a\b[^>]*href", page)
