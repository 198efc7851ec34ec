"""The guard and the reader on hostile sheet XML: every spelling of a far cell is refused before
calamine sees it, a DTD anywhere before the root is refused, formula cells never calculated are
named, a sheet claiming a far empty cell costs its real cells only, NaN cells are quarantined and
a reader that panics costs its file alone."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from etl.config import Limits
from etl.discover import identify
from etl.extract import workbook
from etl.extract.errors import UnreadableWorkbook
from etl.extract.guard import check_archive, parse_reference
from etl.extract.sandbox import extract_many
from etl.extract.stage import read_stage
from etl.extract.workbook import read_sheets
from etl.pipeline import run_night
from tests.builders import make_settings, query, write_workbook

SHEET = "xl/worksheets/sheet1.xml"
TABLE = [["CÔNG AN TỈNH HẢI DƯƠNG"], ["Tháng 5 năm 2021 (Số liệu tính đến ngày 20/5/2021)"],
         ["STT", "Huyện", "Xã, thị trấn", "Số CA chính quy"],
         [1, "Huyện Tứ Kỳ", "Xã Hưng Đạo", 5], [2, "Huyện Gia Lộc", "Thị trấn Gia Lộc", 7]]


def _book(folder: Path, name: str = "base.xlsx", rows: list[list[object]] | None = None) -> Path:
    return write_workbook(folder / name, rows or TABLE, "Biểu 01")


def _edited(source: Path, name: str, edits: dict[str, object]) -> Path:
    """A copy of ``source`` whose parts named in ``edits`` are replaced (bytes) or passed through a
    function of their bytes; a part not in the source is added."""
    target = source.with_name(name)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for part in [*old.namelist(), *(p for p in edits if p not in old.namelist())]:
            edit = edits.get(part)
            data = old.read(part) if part in old.namelist() else b""
            new.writestr(part, edit(data) if callable(edit) else edit if edit is not None else data)
    return target


def _before_sheet_end(xml: bytes):
    return lambda data: data.replace(b"</sheetData>", xml + b"</sheetData>")


def _refusal(path: Path, limits: Limits | None = None) -> str:
    with pytest.raises(UnreadableWorkbook) as refused:
        check_archive(path, limits or Limits())
    return refused.value.reason_en


# Each a valid spelling of a cell at XFD1048576 (calamine reads them all, and aborts the process).
FAR_CELLS = {
    "prefixed": b'<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="1048576">'
                b'<x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>',
    "single_quotes": b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>",
    "spaces_around_equals": b'<row r = "1048576"><c r\n= "XFD1048576"><v>1</v></c></row>',
    "lowercase": b'<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>',
    "attribute_order": b'<row spans="1:1" r="1048576"><c t="n" s="0" r="XFD1048576"><v>1</v></c></row>',
    "absolute": b'<row r="1048576"><c r="$XFD$1048576"><v>1</v></c></row>',
}


@pytest.mark.unit
@pytest.mark.parametrize("spelling", FAR_CELLS)
def test_every_spelling_of_a_far_cell_is_refused(tmp_path, spelling):
    path = _edited(_book(tmp_path), f"{spelling}.xlsx", {SHEET: _before_sheet_end(FAR_CELLS[spelling])})
    assert "row 1,048,576" in _refusal(path)


@pytest.mark.e2e
@pytest.mark.parametrize("spelling", ["lowercase", "prefixed", "single_quotes"])
def test_a_far_cell_in_any_spelling_costs_its_file_not_the_night(tmp_path, spelling):
    """Through the sandbox: refused with the reason, never read by calamine (which would abort)."""
    base = _book(tmp_path)
    far = _edited(base, "far.xlsx", {SHEET: _before_sheet_end(FAR_CELLS[spelling])})
    staged = {s.file_name: s for s in map(read_stage, extract_many([identify(far), identify(base)], tmp_path / "st"))}
    assert staged["base.xlsx"].rejection_code is None
    assert "refused before reading" in staged["far.xlsx"].reason_en
    assert "'Biểu 01'" in staged["far.xlsx"].reason_en  # the sheet named as the clerk sees it


@pytest.mark.unit
def test_rows_and_cells_without_a_reference_are_placed_by_their_order(tmp_path):
    """A row without "r" is the previous row + 1, a cell without "r" the next column."""
    limits = Limits(max_rows=7, max_columns=4)  # the table reaches row 5, column 4
    rows = _edited(_book(tmp_path), "rows.xlsx", {SHEET: _before_sheet_end(b"<row/><row><c><v>1</v></c></row>")})
    assert "row 7" in _refusal(rows, Limits(max_rows=6, max_columns=4))
    check_archive(rows, limits)  # row 7 is within 7 rows
    cells = _edited(_book(tmp_path), "cells.xlsx", {SHEET: _before_sheet_end(
        b'<row r="6"><c r="C6"><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>')})
    assert "column 5" in _refusal(cells, limits)


@pytest.mark.unit
@pytest.mark.parametrize("dimension", [b"<dimension ref='XFD1048576'/>", b'<dimension ref="a1:xfd3"/>',
                                       b'<x:dimension xmlns:x="urn:x" ref = "A1:$A$300000"/>'])
def test_a_dimension_past_the_limits_is_refused_in_any_spelling(tmp_path, dimension):
    path = _edited(_book(tmp_path), "dimension.xlsx", {
        SHEET: lambda data: re.sub(rb"<dimension [^>]*/>", dimension, data)})
    assert "refused before reading" in _refusal(path)


@pytest.mark.unit
def test_a_sheet_outside_the_worksheets_folder_is_checked_too(tmp_path):
    """The workbook says where its sheets are; the guard follows it, not a folder name."""
    base = _book(tmp_path)
    with zipfile.ZipFile(base) as archive:
        sheet = archive.read(SHEET)
    path = _edited(base, "elsewhere.xlsx", {
        "xl/_rels/workbook.xml.rels": lambda data: data.replace(b"worksheets/sheet1.xml", b"/xl/other/data.xml"),
        "xl/other/data.xml": _before_sheet_end(FAR_CELLS["lowercase"])(sheet)})
    assert "row 1,048,576" in _refusal(path)


@pytest.mark.unit
@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", SHEET, "xl/workbook.xml", "docProps/app.xml"])
def test_a_dtd_is_refused_wherever_it_stands_before_the_root(tmp_path, part):
    """Also after a long comment, past the first kilobytes the guard used to look at."""
    dtd = b'<?xml version="1.0"?><!--' + b"x" * 10_000 + b'--><!DOCTYPE d [<!ENTITY e "e">]>'
    path = _edited(_book(tmp_path), "dtd.xlsx", {part: lambda data: dtd + data.split(b"?>", 1)[1]})
    assert "DTD or entities" in _refusal(path)


@pytest.mark.unit
def test_a_sheet_that_is_not_xml_is_refused_with_the_place(tmp_path):
    path = _edited(_book(tmp_path), "broken.xlsx", {SHEET: _before_sheet_end(b"<row><c><v>1</c></row>")})
    reason = _refusal(path)
    assert SHEET in reason and "not well-formed" in reason and "line 2" in reason


@pytest.mark.unit
@pytest.mark.parametrize(("text", "position"), [("A1", (1, 1)), ("xfd1048576", (1_048_576, 16_384)),
                                                ("$B$3", (3, 2)), ("AA10", (10, 27)), ("3A", None), ("", None)])
def test_references_are_read_in_every_spelling_excel_accepts(text, position):
    assert parse_reference(text) == position


# Formula cells whose values were never calculated.

def _formula_rows() -> list[list[object]]:
    return [*TABLE, [None, None, "Tổng", "=SUM(D4:D5)"]]


@pytest.mark.unit
def test_formulas_of_a_workbook_that_asks_to_be_recalculated_are_all_recorded(tmp_path):
    """xlsxwriter writes 0 as every formula's value and fullCalcOnLoad="1": the 0 was never calculated."""
    (sheet,) = read_sheets(_book(tmp_path, rows=_formula_rows()))
    assert sheet.formulas == {(5, 3): "SUM(D4:D5)"}


@pytest.mark.unit
def test_only_formulas_without_a_value_are_recorded_when_the_values_were_calculated(tmp_path):
    calculated = _edited(_book(tmp_path, rows=_formula_rows()), "calculated.xlsx", {
        "xl/workbook.xml": lambda data: data.replace(b' fullCalcOnLoad="1"', b""),
        SHEET: _before_sheet_end(
            b'<row r="7"><c r="D7"><f>D4*2</f><v>10</v></c><c r="E7"><f>D5 + 1</f></c>'
            b'<c r="F7"><f t="shared" ref="F7:G7" si="0">D4+1</f><v></v></c><c r="G7"><f t="shared" si="0"/></c>'
            b"</row>")})
    (sheet,) = read_sheets(calculated)
    # D6 has its cached 0 and the workbook no longer asks for recalculation; D7 has a value: neither is
    # recorded. A shared formula's follower has no text of its own.
    assert sheet.formulas == {(6, 4): "D5 + 1", (6, 5): "D4+1", (6, 6): ""}


@pytest.mark.unit
def test_formulas_are_recorded_under_their_sheets_name_with_several_sheets(tmp_path):
    import xlsxwriter

    path = tmp_path / "two.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Bìa").write(0, 0, "trang bìa")
    book.add_worksheet("Biểu 01").write_formula(2, 1, "=1+1", None, 0)
    book.close()
    assert {s.name: s.formulas for s in read_sheets(path)} == {"Bìa": {}, "Biểu 01": {(2, 1): "1+1"}}


# A sheet that claims a far cell: the grid holds the real cells only.

@pytest.mark.unit
@pytest.mark.parametrize("far", [b'<c r="GR199999" t="inlineStr"><is><t></t></is></c>', b'<c r="GR199999"><v></v></c>'])
def test_a_far_empty_cell_costs_the_real_cells_only(tmp_path, far):
    path = _edited(_book(tmp_path), "far_empty.xlsx", {SHEET: _before_sheet_end(b'<row r="199999">' + far + b"</row>")})
    assert path.stat().st_size < 20_000
    (sheet,) = read_sheets(path)
    assert len(sheet.grid) == len(TABLE) and max(len(row) for row in sheet.grid) == 4
    assert sheet.cell(4, 3) == 7


@pytest.mark.unit
def test_a_far_value_costs_one_row_not_a_grid(tmp_path):
    path = _edited(_book(tmp_path), "far_value.xlsx", {SHEET: _before_sheet_end(
        b'<row r="199999"><c r="GR199999"><v>1</v></c></row>')})
    (sheet,) = read_sheets(path)
    assert len(sheet.grid) == 199_999 and sheet.cell(199_998, 199) == 1
    assert sum(len(row) for row in sheet.grid) < 1_000  # the empty rows between hold nothing


# NaN and infinities in numeric cells.

@pytest.mark.e2e
def test_nan_and_infinite_cells_are_quarantined_and_the_night_completes(tmp_path):
    odd = "".join(f'<row r="{r}"><c r="B{r}" t="inlineStr"><is><t>Huyện Tứ Kỳ</t></is></c><c r="C{r}" '
                  f't="inlineStr"><is><t>{name}</t></is></c><c r="D{r}"><v>{value}</v></c></row>'
                  for r, name, value in ((6, "Xã Đại Sơn", "NaN"), (7, "Xã Bình Lãng", "INF"),
                                         (8, "Xã Ngọc Kỳ", "-inf")))
    # Three communes of Tứ Kỳ in the list in force on 20/5/2021 (Ngọc Kỳ, not Kỳ Sơn: that is the
    # name Xã Tái Sơn took later), so that only their values are at fault.
    path = _edited(_book(tmp_path), "nan.xlsx", {SHEET: _before_sheet_end(odd.encode())})
    settings = make_settings(tmp_path)
    result = run_night([path], settings)
    assert [o.status for o in result.outcomes] == ["loaded_with_errors"]
    assert query(settings.warehouse, "select row_number, rule from audit.quarantine order by 1") == [
        (6, "value_readable"), (7, "value_readable"), (8, "value_readable")]
    assert query(settings.warehouse, "select rows_read, rows_loaded, rows_quarantined from audit.submission") == [
        (5, 2, 3)]
    assert result.feedback and settings.published.exists()


# A reader that panics (python-calamine's Rust panics reach Python as a BaseException).

class PanicException(BaseException):  # noqa: N818 - pyo3's name, which the reader matches
    """Stands for pyo3_runtime.PanicException, which Python code cannot import."""


_CALAMINE = workbook.CalamineWorkbook


class _PanickingReader:
    """python-calamine's reader, except that it panics on every .xls file."""

    def from_filelike(self, handle):
        if handle.name.endswith(".xls"):
            raise PanicException("range end index 4 out of range for slice of length 2")
        return _CALAMINE.from_filelike(handle)


@pytest.mark.unit
def test_a_reader_panic_is_an_unreadable_workbook(tmp_path, monkeypatch):
    path = _book(tmp_path, "panic.xls")
    monkeypatch.setattr(workbook, "CalamineWorkbook", _PanickingReader())
    with pytest.raises(UnreadableWorkbook, match="damaged") as refused:
        read_sheets(path)
    assert "bị hỏng" in refused.value.reason_vi


@pytest.mark.e2e
def test_a_reader_panic_costs_its_file_alone(tmp_path, monkeypatch):
    good, panic = _book(tmp_path), _book(tmp_path, "panic.xls", [*TABLE, [3, "x"]])
    monkeypatch.setattr(workbook, "CalamineWorkbook", _PanickingReader())
    staged = {s.file_name: s for s in map(read_stage, extract_many([identify(panic), identify(good)], tmp_path / "st"))}
    assert staged["base.xlsx"].rejection_code is None and staged["base.xlsx"].submissions
    assert staged["panic.xls"].rejection_code == "unreadable"
    assert "damaged" in staged["panic.xls"].reason_en and "PanicException" not in staged["panic.xls"].reason_en
